import assert from 'node:assert/strict'
import { test } from 'node:test'
import { openMemoryLog, reopenMemoryLog } from '../helpers/memory-logs.js'
import { seedsFromEnv } from '../helpers/random.js'
import { registerOpfuzz, runSequence } from './runner.js'
import { toyCompactingLogs, type ToyFlaw } from './toy-compaction.js'

// MemoryLog against the independent model: the reference implementation is checked too.
registerOpfuzz({ name: 'MemoryLog', open: openMemoryLog, reopen: reopenMemoryLog }, { sequences: 30, ops: 200 })

// The compaction step, exercised before the real cleaner exists: a correct toy compaction passes...
registerOpfuzz({ name: 'MemoryLog with a toy compaction', ...toyCompactingLogs('none') }, { sequences: 8, ops: 200 })

// ...and flawed ones are caught, so a green run with the real cleaner means something.
for (const [flaw, message] of [['drops-latest', /removed the latest record of key/], ['changes-value', /changed the record at/]] as Array<[ToyFlaw, RegExp]>) {
  test(`opfuzz catches a compaction that ${flaw === 'drops-latest' ? 'drops the latest record of a key' : 'changes a value'}`, async () => {
    const target = { name: `toy compaction (${flaw})`, ...toyCompactingLogs(flaw) }
    let caught = 0
    for (const seed of seedsFromEnv('OPFUZZ_FLAWED', 6)) {
      await runSequence(target, seed, 200).catch((err: Error) => {
        assert.match(err.message, message)
        caught++
      })
    }
    assert.ok(caught > 0, 'no sequence caught the flaw')
  })
}
