import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { CompressionCodec, decodeRecordBatchSync, splitBatches } from '@tributary/protocol'
import type { DiskLog } from '../src/disk-log.js'
import type { TimestampOffset } from '../src/types.js'
import { T0 } from './helpers/batches.js'
import { Rng } from './helpers/random.js'
import { withTempDir } from './helpers/temp-dir.js'
import { allBatches, batchOf, openLog } from './disk-helpers.js'

/** Kafka's read rule over a list of stored batches: the reference for the file and tail-cache paths. */
function expectedRead (batches: Buffer[], offset: bigint, maxBytes: number, maxOffset: bigint, minOneBatch: boolean): { bytes: Buffer, next: bigint } {
  const taken: Buffer[] = []
  let size = 0
  let next = offset
  for (const b of batches) {
    const base = b.readBigInt64BE(0)
    const last = base + BigInt(b.readInt32BE(23))
    if (last < offset) continue
    if (last >= maxOffset) break
    if (size + b.length > maxBytes && !(taken.length === 0 && minOneBatch)) break
    taken.push(b)
    size += b.length
    next = last + 1n
  }
  return { bytes: Buffer.concat(taken), next }
}

test('reads from the files and from the tail cache follow the same rules across segments (maxBytes, minOneBatch, maxOffset)', () => withTempDir('read', async dir => {
  const rng = new Rng(42)
  const config = { segmentBytes: 2000, indexIntervalBytes: 100 }
  const cached = await openLog(`${dir}/cached`, config, { tailCacheBytes: 4000 })
  const uncached = await openLog(`${dir}/files`, config, { tailCacheBytes: 0 })
  for (let i = 0; i < 120; i++) {
    const n = rng.int(1, 3)
    const batches = Array.from({ length: n }, (_, j) => batchOf(rng.int(1, 6), { tag: `x${i}-${j}`, valueBytes: rng.int(1, 90), compression: rng.chance(0.2) ? CompressionCodec.GZIP : CompressionCodec.NONE }))
    await cached.append(Buffer.concat(batches))
    await uncached.append(Buffer.concat(batches))
  }
  const stored = await allBatches(uncached)
  assert.equal(stored.length, (await allBatches(cached)).length)
  const end = uncached.logEndOffset()
  for (let q = 0; q < 600; q++) {
    const offset = rng.bigint(0n, end)
    const maxBytes = rng.pick([0, 1, 50, 300, 1000, 5000, 1 << 20])
    const maxOffset = rng.chance(0.3) ? rng.bigint(0n, end) : end
    const minOneBatch = rng.chance(0.8)
    const want = expectedRead(stored, offset, maxBytes, maxOffset, minOneBatch)
    for (const log of [cached, uncached]) {
      const got = await log.read(offset, maxBytes, { maxOffset, minOneBatch })
      assert.ok(got.records.equals(want.bytes), `read(${offset}, ${maxBytes}, maxOffset ${maxOffset}, minOneBatch ${minOneBatch})`)
      assert.equal(got.nextOffset, want.next)
    }
  }
  assert.ok(cached.stats.tailCacheHits > 0, 'the tail cache served reads')
  assert.equal(uncached.stats.tailCacheHits, 0)
  await cached.close()
  await uncached.close()
}))

test('file reads: one pread from the index entry, batches before the wanted one skipped in memory, cut at maxBytes and maxOffset; wide index gaps walk first', () => withTempDir('read-index', async dir => {
  const rng = new Rng(7)
  // A wide index interval: the floor entry lies several batches before the wanted one; a few batches above 64 KiB make gaps the one-pread path leaves to the walk.
  const config = { segmentBytes: 400_000, indexIntervalBytes: 20_000 }
  const log = await openLog(dir, config, { tailCacheBytes: 0 })
  for (let i = 0; i < 90; i++) {
    const big = i % 23 === 5
    const n = rng.int(1, 2)
    const batches = Array.from({ length: n }, (_, j) => batchOf(big ? 40 : rng.int(1, 12), { tag: `i${i}-${j}`, valueBytes: big ? 2000 : rng.int(10, 900) }))
    await log.append(Buffer.concat(batches))
  }
  assert.ok(log.segments().length >= 2)
  const stored = await allBatches(log)
  const end = log.logEndOffset()
  const before = { ...log.stats }
  for (let q = 0; q < 800; q++) {
    const offset = rng.bigint(0n, end - 1n)
    const maxBytes = rng.pick([1, 700, 5000, 30_000, 90_000, 1 << 20])
    const maxOffset = rng.chance(0.3) ? rng.bigint(offset, end) : end
    const minOneBatch = rng.chance(0.8)
    const want = expectedRead(stored, offset, maxBytes, maxOffset, minOneBatch)
    const got = await log.read(offset, maxBytes, { maxOffset, minOneBatch })
    assert.ok(got.records.equals(want.bytes), `read(${offset}, ${maxBytes}, maxOffset ${maxOffset}, minOneBatch ${minOneBatch})`)
    assert.equal(got.nextOffset, want.next)
  }
  // Sequential reads, as a consumer does: every answer is whole batches up to the limit.
  let offset = 0n
  let reads = 0
  while (offset < end && reads < 1000) {
    const got = await log.read(offset, 64 * 1024)
    const want = expectedRead(stored, offset, 64 * 1024, end, true)
    assert.ok(got.records.equals(want.bytes), `sequential read at ${offset}`)
    offset = got.nextOffset
    reads++
  }
  assert.equal(offset, end)
  const fileReads = log.stats.fileReads - before.fileReads
  const located = log.stats.locatedReads - before.locatedReads
  // Small maxBytes (below the index gap) and the large batches go through the walk; the rest is one pread.
  assert.ok(located > 0 && fileReads - located > 200, `both paths are taken (${located} of ${fileReads} walked first)`)
  await log.close()
}))

test('a consumer reading on after a batch starts its pread at the next indexed batch: nothing read twice, the buffer no larger than maxBytes', () => withTempDir('read-direct', async dir => {
  // Batches of about 5 KiB with an index entry every 4096 bytes: every batch is indexed.
  const log = await openLog(dir, { segmentBytes: 1_000_000, indexIntervalBytes: 4096 }, { tailCacheBytes: 0 })
  for (let i = 0; i < 80; i++) await log.append(batchOf(5, { tag: `d${i}`, valueBytes: 1000 }))
  const stored = await allBatches(log)
  const end = log.logEndOffset()
  const maxBytes = 5 * 5300
  let offset = 0n
  let reads = 0
  while (offset < end && reads < 500) {
    const got = await log.read(offset, maxBytes)
    const want = expectedRead(stored, offset, maxBytes, end, true)
    assert.ok(got.records.equals(want.bytes), `sequential read at ${offset}`)
    // The pread's buffer (the result is a view of it): maxBytes at most, so the batch before was not read again.
    assert.ok(got.records.buffer.byteLength <= maxBytes, `read at ${offset}: a buffer of ${got.records.buffer.byteLength} bytes for maxBytes ${maxBytes}`)
    offset = got.nextOffset
    reads++
  }
  assert.equal(offset, end)
  assert.ok(reads >= 16, `${reads} reads`)
  await log.close()
}))

test('reads right after an indexed batch that unindexed small batches follow: the direct start would skip them, so the read starts at the entry before', () => withTempDir('read-direct-gap', async dir => {
  const rng = new Rng(11)
  const log = await openLog(dir, { segmentBytes: 1_000_000, indexIntervalBytes: 4096 }, { tailCacheBytes: 0 })
  for (let i = 0; i < 120; i++) {
    const small = i % 10 >= 7
    await log.append(batchOf(small ? 1 : 5, { tag: `g${i}`, valueBytes: small ? rng.int(10, 200) : 1000 }))
  }
  const stored = await allBatches(log)
  const end = log.logEndOffset()
  let checked = 0
  for (const at of stored) {
    const next = at.readBigInt64BE(0) + BigInt(at.readInt32BE(23)) + 1n
    if (next >= end) continue
    for (const maxBytes of [100, 6000, 26_500, 1 << 20]) {
      const got = await log.read(next, maxBytes)
      const want = expectedRead(stored, next, maxBytes, end, true)
      assert.ok(got.records.equals(want.bytes), `read(${next}, ${maxBytes})`)
      assert.equal(got.nextOffset, want.next)
      checked++
    }
  }
  assert.ok(checked > 400, `${checked} reads checked`)
  await log.close()
}))

test('an offset index entry that names the wrong batch: the one-pread path notices, the walk rebuilds the index, reads stay right', () => withTempDir('read-bad-index', async dir => {
  const config = { segmentBytes: 3000, indexIntervalBytes: 100 }
  let log = await openLog(dir, config, { tailCacheBytes: 0 })
  for (let i = 0; i < 40; i++) await log.append(batchOf(2, { tag: `b${i}`, valueBytes: 60 }))
  const stored = await allBatches(log)
  await log.close()
  // Shift one entry of the first segment's index to the previous offset: still increasing, so the load check passes.
  const indexPath = join(dir, '00000000000000000000.index')
  const index = readFileSync(indexPath)
  assert.ok(index.length >= 4 * 8)
  const k = 2
  const rel = index.readInt32BE(k * 8)
  assert.ok(rel - 1 > index.readInt32BE((k - 1) * 8))
  index.writeInt32BE(rel - 1, k * 8)
  writeFileSync(indexPath, index)
  log = await openLog(dir, config, { tailCacheBytes: 0 })
  const end = log.logEndOffset()
  // A read from the entry before it, cut near the damaged entry: the cut does not jump to it (its header disagrees), it walks.
  const prevAt = BigInt(index.readInt32BE((k - 1) * 8))
  const span = index.readInt32BE(k * 8 + 4) - index.readInt32BE((k - 1) * 8 + 4)
  for (const extra of [30, 400]) {
    const got = await log.read(prevAt, span + extra)
    const want = expectedRead(stored, prevAt, span + extra, end, true)
    assert.ok(got.records.equals(want.bytes), `read(${prevAt}, ${span + extra})`)
    assert.equal(got.nextOffset, want.next)
  }
  assert.equal(log.stats.locatedReads, 0)
  // The batch the entry really names: the index says rel - 1, its header says rel.
  const at = BigInt(rel)
  const first = await log.read(at, 1 << 20)
  assert.ok(first.records.equals(expectedRead(stored, at, 1 << 20, end, true).bytes))
  assert.equal(log.stats.locatedReads, 1, 'the mismatch sent the read through the walk')
  await log.read(at, 1 << 20)
  assert.equal(log.stats.locatedReads, 1, 'the rebuilt index serves the same read in one pread')
  for (let offset = 0n; offset < end; offset++) {
    const want = expectedRead(stored, offset, 500, end, true)
    const got = await log.read(offset, 500)
    assert.ok(got.records.equals(want.bytes), `read(${offset})`)
    assert.equal(got.nextOffset, want.next)
  }
  await log.close()
}))

/** Every record at or above the log start, decoded: the brute-force answer to time queries. */
function records (stored: Buffer[], logStart: bigint): TimestampOffset[] {
  return stored.flatMap(b => decodeRecordBatchSync(b).records.map(r => ({ offset: r.offset, timestamp: r.timestamp }))).filter(r => r.offset >= logStart)
}

async function checkTimeQueries (log: DiskLog, label: string): Promise<void> {
  const all = records(await allBatches(log), log.logStartOffset())
  for (let t = T0 - 2n; t <= T0 + 1010n; t += 7n) {
    const hit = all.find(r => r.timestamp >= t) ?? null
    assert.deepEqual(await log.offsetForTimestamp(t), hit, `${label}: offsetForTimestamp(T0 + ${t - T0})`)
  }
  let best: TimestampOffset | null = null
  for (const r of all) if (best === null || r.timestamp > best.timestamp) best = r
  assert.deepEqual(await log.maxTimestampOffset(), best, `${label}: maxTimestampOffset`)
}

test('time queries find the exact record inside compressed multi-record batches, through the time index of many segments', () => withTempDir('time', async dir => {
  const rng = new Rng(7)
  const log = await openLog(dir, { segmentBytes: 1500, indexIntervalBytes: 64, segmentIndexBytes: 120 })
  for (let i = 0; i < 80; i++) {
    const n = rng.int(1, 8)
    // Timestamps mostly rise, with records out of order inside batches (CreateTime is the producer's clock).
    const deltas = Array.from({ length: n }, () => Math.min(1000, i * 10 + rng.int(-30, 30)))
    await log.append(batchOf(n, { tag: `t${i}`, deltas: deltas.map(d => Math.max(0, d)), compression: rng.pick([CompressionCodec.NONE, CompressionCodec.GZIP, CompressionCodec.SNAPPY, CompressionCodec.LZ4, CompressionCodec.ZSTD]) }))
  }
  assert.ok(log.segments().length > 5)
  await checkTimeQueries(log, 'fresh')
  const mid = (await allBatches(log))[30]!
  const inside = mid.readBigInt64BE(0) + BigInt(mid.readInt32BE(23)) / 2n
  await log.advanceLogStartOffset(inside + 1n)
  await checkTimeQueries(log, 'log start inside a batch')
  await log.truncateTo(log.logEndOffset() - 25n)
  await checkTimeQueries(log, 'truncated')
  await log.close()
  const again = await openLog(dir, { segmentBytes: 1500, indexIntervalBytes: 64, segmentIndexBytes: 120 })
  await checkTimeQueries(again, 'reopened')
  await again.close()
}))

test('a LogAppendTime batch answers with its first record; a read result is whole batches only', () => withTempDir('lat', async dir => {
  const log = await openLog(dir)
  await log.append(batchOf(3, { deltas: [5, 1, 9] }))
  await log.append(batchOf(4, { compression: CompressionCodec.GZIP }), { timestampType: 'LogAppendTime', now: () => T0 + 100n })
  assert.deepEqual(await log.maxTimestampOffset(), { offset: 3n, timestamp: T0 + 100n })
  assert.deepEqual(await log.offsetForTimestamp(T0 + 9n), { offset: 2n, timestamp: T0 + 9n })
  assert.deepEqual(await log.offsetForTimestamp(T0 + 10n), { offset: 3n, timestamp: T0 + 100n })
  const r = await log.read(0n, 1 << 20)
  assert.equal(splitBatches(r.records).leftover.length, 0)
  await log.close()
}))
