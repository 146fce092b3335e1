import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LogCleaner } from '../../src/cleaner/cleaner.js'
import { DiskLog } from '../../src/disk-log.js'
import type { LogConfig } from '../../src/types.js'
import { T0, encodeBatch } from '../helpers/batches.js'
import { intFromEnv, type Rng } from '../helpers/random.js'
import { withTempDir } from '../helpers/temp-dir.js'
import { cleaningCoverage, realCleaner } from './cleaning.js'
import { fuzzConfig, registerOpfuzz } from './runner.js'

const open = async ({ dir, config }: { dir: string, config: LogConfig }): Promise<DiskLog> => await DiskLog.open(dir, config)

// Restart is close and open of the same directory. 32 sequences (not the default 40), to leave time for the
// compacted ones below, which run the same steps and compaction besides.
registerOpfuzz({ name: 'DiskLog', open, reopen: open }, { sequences: 32, ops: 200 })

const DAY = 24 * 3600 * 1000

/**
 * A compacted topic: small segments, cleaning whenever asked (dirty ratio 0
 * mostly, sometimes a real threshold), no compaction lag, and tombstones
 * that go at the next cleaning (delete.retention.ms 0), after a few steps
 * (a step is a second of the fuzzer's clock) or not within a sequence.
 */
function compactedConfig (rng: Rng): Partial<LogConfig> {
  return {
    ...fuzzConfig(rng),
    segmentBytes: rng.pick([1024, 2048, 4096]),
    cleanupPolicy: rng.chance(0.5) ? ['compact'] : ['compact', 'delete'],
    minCleanableDirtyRatio: rng.weighted([[0, 3], [0.3, 1], [0.6, 1]] as const),
    minCompactionLagMs: 0,
    deleteRetentionMs: rng.weighted([[0, 2], [rng.int(1, 20) * 1000 + rng.pick([0, 1, 500]), 2], [7 * DAY, 1]] as const)
  }
}

// The real cleaner (src/cleaner) on the disk log, every round checked exactly against Kafka's cleaner semantics (cleaning.ts).
const COMPACTED = { sequences: 16, ops: 200 }
registerOpfuzz({ name: 'DiskLog compacted by the LogCleaner', open, reopen: open, config: compactedConfig, cleaner: realCleaner }, COMPACTED)

// Runs after the sequences above (tests of a file run in order): a generator change must not quietly stop exercising a case.
test('the compaction sequences reach the cleaner\'s cases', t => {
  for (const [what, n] of [...cleaningCoverage].sort()) t.diagnostic(`${what}: ${n}`)
  const steps = [...cleaningCoverage].filter(([what]) => what.startsWith('step via')).reduce((sum, [, n]) => sum + n, 0)
  const full = process.env.TRIB_OPFUZZ_SEED === undefined && intFromEnv('TRIB_OPFUZZ_SEQUENCES', COMPACTED.sequences) >= COMPACTED.sequences &&
    intFromEnv('TRIB_OPFUZZ_OPS', COMPACTED.ops) >= COMPACTED.ops
  // A partial run (one seed, fewer sequences) cannot promise coverage; a full run must.
  if (!full) {
    t.diagnostic('coverage is asserted only after a full run of the compaction sequences')
    return
  }
  assert.ok(steps > 0, 'the compaction sequences ran no compaction step')
  for (const what of ['round', 'round merging segments', 'round ended by a full offset map', 'round with racing appends', 'batch rewritten',
    'batch emptied', 'batch dropped', 'record superseded', 'delete horizon set', 'tombstone removed', 'tombstone kept within its horizon',
    'keyless record removed', 'step via scheduler']) {
    assert.ok((cleaningCoverage.get(what) ?? 0) > 0, `no compaction step reached "${what}"`)
  }
})

// Found by the compaction sequences (seed 415009198): a cleaning keeps the batch ending a segment group as an
// empty header with its max timestamp (Kafka's writeEmptyHeader), so the segment's recorded maximum can name
// a record that is gone; maxTimestampOffset answered null for a log full of records.
test('maxTimestampOffset after a cleaning emptied the batch that held the largest timestamp', () => withTempDir('opfuzz-max-ts', async dir => {
  // Segments of one batch, each its own group: the batch ending a group stays even when all its records go.
  const log = await DiskLog.open(dir, { segmentBytes: 100, cleanupPolicy: ['compact'], minCleanableDirtyRatio: 0, deleteRetentionMs: 0, retentionMs: -1 })
  try {
    const one = (value: string, timestamp: bigint): Buffer => encodeBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from(value), timestamp }] })
    await log.append(one('old', T0 + 100n))
    await log.roll()
    await log.append(one('new', T0 + 50n))
    await log.roll()
    log.highWatermark = log.logEndOffset()
    const result = await new LogCleaner().cleanLog(log, { force: true })
    assert.ok(result !== null && result.groupsReplaced === 1)
    assert.equal(log.segments()[0]!.maxTimestamp, T0 + 100n, 'the emptied batch keeps its max timestamp')
    assert.deepEqual(await log.maxTimestampOffset(), { offset: 1n, timestamp: T0 + 50n })
  } finally {
    await log.close()
  }
}))
