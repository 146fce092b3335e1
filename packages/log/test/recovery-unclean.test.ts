import assert from 'node:assert/strict'
import { appendFileSync, copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { withTempDir } from './helpers/temp-dir.js'
import { allBatches, batchOf, openLog } from './disk-helpers.js'

const CONFIG = { segmentBytes: 800, indexIntervalBytes: 100 }

async function filled (dir: string, appends = 20): Promise<Buffer[]> {
  const log = await openLog(dir, CONFIG)
  for (let i = 0; i < appends; i++) await log.append(batchOf(1 + (i % 3), { tag: `u${i}` }), { leaderEpoch: i < 10 ? 1 : 2 })
  const batches = await allBatches(log)
  await log.close()
  return batches
}

function segmentLogs (dir: string): string[] {
  return readdirSync(dir).filter(n => n.endsWith('.log')).sort()
}

test('a torn tail after an unclean stop is cut back to the last whole batch; appends continue', () => withTempDir('torn', async dir => {
  const before = await filled(dir)
  rmSync(join(dir, '.clean-shutdown'))
  const active = join(dir, segmentLogs(dir).at(-1)!)
  appendFileSync(active, batchOf(4).subarray(0, 70))
  const log = await openLog(dir, CONFIG)
  assert.equal(log.stats.recovery.truncatedBytes, 70)
  const after = await allBatches(log)
  assert.deepEqual(after.map(b => b.toString('hex')), before.map(b => b.toString('hex')))
  const r = await log.append(batchOf(1))
  assert.equal(r.firstOffset, log.logEndOffset() - 1n)
  assert.deepEqual(log.epochEntries(), [{ epoch: 1, startOffset: 0n }, { epoch: 2, startOffset: before[10]!.readBigInt64BE(0) }])
  await log.close()
}))

test('after a clean stop the tail of the active segment is still checked', () => withTempDir('tail', async dir => {
  const before = await filled(dir)
  const active = join(dir, segmentLogs(dir).at(-1)!)
  const bytes = readFileSync(active)
  bytes[bytes.length - 3] ^= 0x40
  writeFileSync(active, bytes)
  const log = await openLog(dir, CONFIG)
  assert.equal(log.stats.recovery.cleanShutdown, true)
  assert.ok(log.stats.recovery.truncatedBytes > 0)
  const after = await allBatches(log)
  assert.deepEqual(after.map(b => b.toString('hex')), before.slice(0, after.length).map(b => b.toString('hex')))
  assert.equal(after.length, before.length - 1, 'only the damaged last batch is lost')
  await log.close()
}))

test('a corrupt batch in a middle segment: recovery keeps what precedes it and drops the segments after it', () => withTempDir('middle', async dir => {
  const before = await filled(dir, 40)
  rmSync(join(dir, '.clean-shutdown'))
  const logs = segmentLogs(dir)
  assert.ok(logs.length >= 4)
  const victim = join(dir, logs[1]!)
  const bytes = readFileSync(victim)
  const firstSize = bytes.readInt32BE(8) + 12
  bytes[firstSize + 40] ^= 0x01 // inside the second batch of the segment, under its CRC
  writeFileSync(victim, bytes)
  const log = await openLog(dir, CONFIG)
  assert.equal(log.stats.recovery.droppedSegments, logs.length - 2)
  const after = await allBatches(log)
  const keep = before.findIndex(b => b.readBigInt64BE(0) === BigInt(logs[1]!.slice(0, 20))) + 1
  assert.deepEqual(after.map(b => b.toString('hex')), before.slice(0, keep).map(b => b.toString('hex')))
  assert.equal((await log.append(batchOf(1))).firstOffset, before[keep - 1]!.readBigInt64BE(0) + BigInt(before[keep - 1]!.readInt32BE(23)) + 1n)
  await log.close()
}))

test('missing or damaged index files are rebuilt and give the same lookups', () => withTempDir('idx', async dir => {
  const before = await filled(dir, 30)
  const logs = segmentLogs(dir)
  rmSync(join(dir, logs[0]!.replace('.log', '.index')))
  truncateSync(join(dir, logs[1]!.replace('.log', '.timeindex')), 5)
  const idx = join(dir, logs.at(-1)!.replace('.log', '.index'))
  const bytes = readFileSync(idx)
  if (bytes.length >= 8) {
    bytes.writeInt32BE(bytes.readInt32BE(bytes.length - 4) - 3, bytes.length - 4) // a position inside a batch
    writeFileSync(idx, bytes)
  }
  const log = await openLog(dir, CONFIG)
  const after = await allBatches(log)
  assert.deepEqual(after.map(b => b.toString('hex')), before.map(b => b.toString('hex')))
  for (const b of before) {
    const last = b.readBigInt64BE(0) + BigInt(b.readInt32BE(23))
    assert.ok((await log.read(last, 1)).records.equals(b), `lookup of offset ${last}`)
  }
  await log.close()
  assert.ok(existsSync(join(dir, logs[0]!.replace('.log', '.index'))), 'the rebuilt index is written back')
}))

test('leftovers of interrupted work: .deleted, .cleaned, .tmp and orphan index files go; a .swap is completed', () => withTempDir('left', async dir => {
  const before = await filled(dir, 30)
  const logs = segmentLogs(dir)
  writeFileSync(join(dir, '00000000000000000999.log.deleted'), 'x')
  writeFileSync(join(dir, '00000000000000000999.log.cleaned'), 'x')
  writeFileSync(join(dir, 'leader-epoch-checkpoint.tmp'), 'x')
  writeFileSync(join(dir, '00000000000000099999.index'), Buffer.alloc(8))
  // A cleaned segment replacing the first two (here: their batches concatenated) whose swap was cut short
  // after the first old segment was already renamed away.
  const merged = Buffer.concat([readFileSync(join(dir, logs[0]!)), readFileSync(join(dir, logs[1]!))])
  writeFileSync(join(dir, logs[0]! + '.swap'), merged)
  renameSync(join(dir, logs[0]!), join(dir, logs[0]! + '.deleted'))
  copyFileSync(join(dir, logs[0]!.replace('.log', '.index')), join(dir, logs[0]!.replace('.log', '.index.swap')))
  const log = await openLog(dir, CONFIG)
  const names = readdirSync(dir)
  assert.deepEqual(names.filter(n => /\.(deleted|cleaned|tmp|swap)$/.test(n)), [])
  assert.ok(!names.includes('00000000000000099999.index'))
  assert.ok(!names.includes(logs[1]!), 'the segment the swap replaced is gone')
  assert.equal(log.segments()[0]!.sizeBytes, merged.length)
  assert.deepEqual((await allBatches(log)).map(b => b.toString('hex')), before.map(b => b.toString('hex')))
  await log.close()
}))

test('after an unclean stop, epochs found in the batches complete a stale leader epoch checkpoint', () => withTempDir('epochs', async dir => {
  const before = await filled(dir)
  writeFileSync(join(dir, 'leader-epoch-checkpoint'), '0\n1\n1 0\n')
  rmSync(join(dir, '.clean-shutdown'))
  const log = await openLog(dir, CONFIG)
  assert.deepEqual(log.epochEntries(), [{ epoch: 1, startOffset: 0n }, { epoch: 2, startOffset: before[10]!.readBigInt64BE(0) }])
  assert.deepEqual(log.endOffsetForEpoch(1), { epoch: 1, endOffset: before[10]!.readBigInt64BE(0) })
  await log.close()
}))

test('an unreadable leader epoch checkpoint or clean-shutdown marker does not stop the open', () => withTempDir('marker', async dir => {
  const before = await filled(dir)
  writeFileSync(join(dir, 'leader-epoch-checkpoint'), 'garbage')
  writeFileSync(join(dir, '.clean-shutdown'), '{"version":')
  const log = await openLog(dir, CONFIG)
  assert.equal(log.stats.recovery.cleanShutdown, false, 'a marker that does not parse counts as an unclean stop')
  assert.equal((await allBatches(log)).length, before.length)
  assert.deepEqual(log.epochEntries().map(e => e.epoch), [1, 2], 'rebuilt from the batches by the full recovery')
  await log.close()
}))
