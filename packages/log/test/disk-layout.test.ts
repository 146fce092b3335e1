import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { encodeRecordBatchSync, readBatchHeader } from '@tributary/protocol'
import { rejectsWith } from './helpers/assertions.js'
import { withTempDir } from './helpers/temp-dir.js'
import { batchOf, openLog, spansOf, waitFor } from './disk-helpers.js'

function files (dir: string, suffix: string): string[] {
  return readdirSync(dir).filter(n => n.endsWith(suffix)).sort()
}

test('segments are named by their 20-digit base offset; each starts with the batch at that offset; .index entries point at batch starts', () => withTempDir('layout', async dir => {
  const log = await openLog(dir, { segmentBytes: 1500, indexIntervalBytes: 150 })
  for (let i = 0; i < 40; i++) await log.append(batchOf(1 + (i % 3), { tag: `b${i}` }))
  await log.close()
  const logs = files(dir, '.log')
  assert.ok(logs.length >= 4, `several segments (${logs.length})`)
  assert.equal(logs[0], '00000000000000000000.log')
  for (const name of logs) {
    assert.match(name, /^[0-9]{20}\.log$/)
    const base = BigInt(name.slice(0, 20))
    const bytes = readFileSync(join(dir, name))
    assert.ok(bytes.length <= 1500, 'no segment passes segment.bytes (every append here is smaller)')
    assert.equal(readBatchHeader(bytes).baseOffset, base, `${name} starts at its base offset`)
    // Every index entry: (last offset of a batch - base, position of that batch).
    const index = readFileSync(join(dir, name.replace('.log', '.index')))
    assert.equal(index.length % 8, 0)
    assert.ok(index.length > 0, 'entries every index.interval.bytes')
    for (let at = 0; at < index.length; at += 8) {
      const h = readBatchHeader(bytes, index.readInt32BE(at + 4))
      assert.equal(h.baseOffset + BigInt(h.lastOffsetDelta) - base, BigInt(index.readInt32BE(at)))
    }
    const timeIndex = readFileSync(join(dir, name.replace('.log', '.timeindex')))
    assert.equal(timeIndex.length % 12, 0)
    assert.ok(timeIndex.length > 0, 'a closed segment has at least its final time index entry')
  }
  assert.ok(existsSync(join(dir, '.clean-shutdown')), 'close leaves the clean-shutdown marker')
  const again = await openLog(dir)
  assert.ok(!existsSync(join(dir, '.clean-shutdown')), 'open removes it')
  assert.equal(again.stats.recovery.cleanShutdown, true)
  await again.close()
}))

test('roll on segment.bytes: the append that would pass it goes to a new segment; one larger append still fits alone', () => withTempDir('roll', async dir => {
  const log = await openLog(dir, { segmentBytes: 1000 })
  const b = batchOf(3, { valueBytes: 100 })
  const size = b.length
  const perSegment = Math.floor(1000 / size)
  for (let i = 0; i < perSegment * 2 + 1; i++) await log.append(batchOf(3, { valueBytes: 100 }))
  assert.deepEqual(log.segments().map(s => s.sizeBytes), [perSegment * size, perSegment * size, size])
  await log.append(batchOf(20, { valueBytes: 100 }))
  const sizes = log.segments().map(s => s.sizeBytes)
  assert.ok(sizes[sizes.length - 1]! > 1000, 'an append larger than segment.bytes is written whole')
  await log.close()
}))

test('roll on segment.ms: by the first batch timestamp against the incoming one, or by creation time without timestamps', () => withTempDir('roll', async dir => {
  let now = 1_000_000
  const log = await openLog(dir, { segmentMs: 1000 }, { clock: () => now })
  await log.append(batchOf(1, { deltas: [0] }))
  await log.append(batchOf(1, { deltas: [1000] }))
  assert.equal(log.segments().length, 1, 'exactly segment.ms is not older')
  await log.append(batchOf(1, { deltas: [1001] }))
  assert.deepEqual(log.segments().map(s => s.baseOffset), [0n, 2n], 'a batch more than segment.ms after the first rolls')
  await log.close()

  const nots = await openLog(join(dir, 'b'), { segmentMs: 1000 }, { clock: () => now })
  const plain = (): Buffer => encodeRecordBatchSync({ baseTimestamp: -1n, maxTimestamp: -1n, records: [{ key: null, value: Buffer.from('x'), timestamp: -1n }] })
  await nots.append(plain())
  now += 500
  await nots.append(plain())
  assert.equal(nots.segments().length, 1)
  now += 600
  await nots.append(plain())
  assert.equal(nots.segments().length, 2, 'creation time + segment.ms passed')
  await nots.close()
}))

test('roll on a full index, and roll() itself: no-op on an empty active segment, a new segment at the log end otherwise', () => withTempDir('roll', async dir => {
  const log = await openLog(dir, { segmentIndexBytes: 24, indexIntervalBytes: 1 })
  // Index entries are added from the second batch on; 3 entries fill a 24-byte offset index, 2 a 24-byte time index.
  for (let i = 0; i < 8; i++) await log.append(batchOf(1, { deltas: [i] }))
  assert.ok(log.segments().length >= 2, `the full time index rolled the segment (${log.segments().length} segments)`)
  const before = log.segments().length
  await log.roll()
  await log.roll()
  assert.equal(log.segments().length, before + 1, 'the second roll finds an empty active segment')
  assert.equal(log.segments().at(-1)!.baseOffset, log.logEndOffset())
  assert.equal(log.stats.rolls, before)
  await log.close()
}))

test('truncation deletes later segments by renaming them .deleted and removing them after file.delete.delay.ms', () => withTempDir('trunc', async dir => {
  const log = await openLog(dir, { segmentBytes: 600, fileDeleteDelayMs: 150 })
  for (let i = 0; i < 20; i++) await log.append(batchOf(2, { tag: `t${i}` }))
  const segs = log.segments()
  assert.ok(segs.length >= 4)
  const target = segs[1]!.baseOffset + 1n
  await log.truncateTo(target)
  assert.equal(log.logEndOffset(), target)
  const deleted = readdirSync(dir).filter(n => n.endsWith('.deleted'))
  assert.ok(deleted.some(n => n.endsWith('.log.deleted')), `renamed: ${deleted.join(' ')}`)
  assert.ok(!readdirSync(dir).some(n => n.endsWith('.log') && BigInt(n.slice(0, 20)) > target), 'no live segment above the truncation point')
  await waitFor(() => !readdirSync(dir).some(n => n.endsWith('.deleted')), '.deleted files to be removed after the delay')
  assert.deepEqual(spansOf((await log.read(0n, 1 << 20)).records).at(-1), `${segs[1]!.baseOffset - 2n}-${segs[1]!.baseOffset - 1n}`)
  const r = await log.append(batchOf(1))
  assert.equal(r.firstOffset, target)
  await log.close()
}))

test('advancing the log start deletes whole segments below it, never the active one; reads below it fail', () => withTempDir('start', async dir => {
  const log = await openLog(dir, { segmentBytes: 600 })
  for (let i = 0; i < 20; i++) await log.append(batchOf(2, { tag: `s${i}` }))
  const segs = log.segments()
  await log.advanceLogStartOffset(segs[2]!.baseOffset + 1n)
  assert.equal(log.segments()[0]!.baseOffset, segs[2]!.baseOffset, 'the segment holding the new start stays')
  await rejectsWith(log.read(segs[2]!.baseOffset, 100), 'TRIB_LOG_OFFSET_OUT_OF_RANGE')
  assert.deepEqual(spansOf((await log.read(segs[2]!.baseOffset + 1n, 1)).records), [`${segs[2]!.baseOffset}-${segs[2]!.baseOffset + 1n}`])
  await log.advanceLogStartOffset(log.logEndOffset())
  assert.equal(log.segments().length, 1, 'only the active segment is left')
  await log.close()
  const again = await openLog(dir)
  assert.equal(again.logStartOffset(), again.logEndOffset(), 'the log start survives a clean reopen')
  await again.close()
}))

test('aborted transactions go to the transaction index of the segment that holds their marker, survive reopen, and go with truncation', () => withTempDir('txn', async dir => {
  const log = await openLog(dir, { segmentBytes: 600 })
  for (let i = 0; i < 12; i++) await log.append(batchOf(2, { tag: `x${i}` }))
  log.addAbortedTxn({ producerId: 5n, firstOffset: 1n, lastOffset: 3n, lastStableOffset: 1n })
  log.addAbortedTxn({ producerId: 6n, firstOffset: 2n, lastOffset: 20n, lastStableOffset: 1n })
  assert.throws(() => log.addAbortedTxn({ producerId: 7n, firstOffset: 1n, lastOffset: 999n, lastStableOffset: 1n }), RangeError)
  assert.deepEqual((await log.abortedTransactions(0n, 30n)).map(t => t.producerId), [5n, 6n])
  assert.deepEqual((await log.abortedTransactions(4n, 30n)).map(t => t.producerId), [6n])
  const txnFiles = readdirSync(dir).filter(n => n.endsWith('.txnindex'))
  assert.equal(txnFiles.length, 2, 'one file per segment that has entries')
  await log.close()
  const again = await openLog(dir, { segmentBytes: 600 })
  assert.deepEqual((await again.abortedTransactions(0n, 30n)).map(t => t.producerId), [5n, 6n])
  await again.truncateTo(15n)
  assert.deepEqual((await again.abortedTransactions(0n, 30n)).map(t => t.producerId), [5n])
  await again.close()
}))
