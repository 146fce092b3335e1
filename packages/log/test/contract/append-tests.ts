import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CompressionCodec, TimestampType, decodeRecordBatchSync, readBatchHeader, verifyBatchCrc } from '@tributary/protocol'
import type { LogConfig } from '../../src/types.js'
import { equalBytes, rejectsWith } from '../helpers/assertions.js'
import { T0, encodeBatch, makeRecords, spans, storedBatch, type TestBatch } from '../helpers/batches.js'
import type { ContractTarget } from './log-contract.js'
import { ALL, withSession } from './session.js'

function batch (n: number, tag: string, compression: CompressionCodec = CompressionCodec.NONE): TestBatch {
  return { records: makeRecords(n, tag), compression }
}

export function appendTests ({ open, reopen }: ContractTarget): void {
  test('a new log is empty at offset 0', () => withSession(open, reopen, {}, async s => {
    assert.equal(s.log.logStartOffset(), 0n)
    assert.equal(s.log.logEndOffset(), 0n)
    assert.equal(s.log.highWatermark, 0n)
    const r = await s.log.read(0n, ALL)
    assert.deepEqual({ ...r, records: r.records.length }, { records: 0, nextOffset: 0n, logStartOffset: 0n, logEndOffset: 0n })
    await rejectsWith(s.log.read(1n, ALL), 'TRIB_LOG_OFFSET_OUT_OF_RANGE')
    assert.equal(await s.log.offsetForTimestamp(0n), null)
    assert.equal(await s.log.maxTimestampOffset(), null)
  }))

  test('appends take dense offsets from the log end, batch after batch', () => withSession(open, reopen, {}, async s => {
    const a = await s.append([batch(1, 'a')])
    const b = await s.append([batch(5, 'b')])
    const c = await s.append([batch(3, 'c')])
    assert.deepEqual([a, b, c].map(r => [r.firstOffset, r.lastOffset, r.logAppendTime, r.logStartOffset, r.batches]), [
      [0n, 0n, -1n, 0n, 1], [1n, 5n, -1n, 0n, 1], [6n, 8n, -1n, 0n, 1]
    ])
    assert.equal(s.log.logEndOffset(), 9n)
    assert.deepEqual(spans((await s.log.read(0n, ALL)).records), ['0-0', '1-5', '6-8'])
    await s.matchesModel()
  }))

  test('one append may carry several concatenated batches, each with its own base offset', () => withSession(open, reopen, {}, async s => {
    const r = await s.append([batch(2, 'a'), batch(3, 'b', CompressionCodec.GZIP), batch(1, 'c')])
    assert.deepEqual([r.firstOffset, r.lastOffset, r.batches], [0n, 5n, 3])
    assert.deepEqual(spans((await s.log.read(0n, ALL)).records), ['0-1', '2-4', '5-5'])
    await s.matchesModel()
  }))

  test('the stored batch equals the produced one except for the base offset', () => withSession(open, reopen, {}, async s => {
    await s.append([batch(4, 'first')])
    const produced: TestBatch = {
      records: makeRecords(6, 'p', i => T0 + BigInt(i * 7)),
      compression: CompressionCodec.GZIP,
      producerId: 4242n,
      producerEpoch: 3,
      baseSequence: 17
    }
    const input = encodeBatch(produced)
    input.writeBigInt64BE(999n, 0) // whatever the producer put there is overwritten
    const result = await s.log.append(input)
    s.ref.append([produced])
    assert.equal(result.firstOffset, 4n)
    const got = await s.log.read(4n, ALL)
    equalBytes(got.records, storedBatch(produced, 4n), 'stored batch')
    assert.ok(verifyBatchCrc(got.records, 0), 'the CRC still holds: baseOffset is outside it')
    const h = readBatchHeader(got.records)
    assert.deepEqual([h.producerId, h.producerEpoch, h.baseSequence, h.partitionLeaderEpoch], [4242n, 3, 17, -1])
    assert.deepEqual(decodeRecordBatchSync(got.records).records.map(r => r.offset), [4n, 5n, 6n, 7n, 8n, 9n])
    await s.matchesModel()
  }))

  test('the leader epoch is written when given and left alone otherwise', () => withSession(open, reopen, {}, async s => {
    await s.append([batch(2, 'a')], { leaderEpoch: 7 })
    await s.append([batch(2, 'b'), batch(1, 'c')], { leaderEpoch: 8 })
    await s.append([batch(1, 'd')])
    const got = await s.log.read(0n, ALL)
    const epochs: number[] = []
    for (let at = 0; at < got.records.length;) {
      const h = readBatchHeader(got.records, at)
      epochs.push(h.partitionLeaderEpoch)
      at += h.batchLength + 12
    }
    assert.deepEqual(epochs, [7, 8, 8, -1])
    await s.matchesModel()
  }))

  test('LogAppendTime stamps the append time into every batch and recomputes the CRC', () => withSession(open, reopen, {}, async s => {
    const now = T0 + 86_400_000n
    const created = await s.append([batch(2, 'create')])
    assert.equal(created.logAppendTime, -1n)
    const b1 = { records: makeRecords(3, 'x', i => T0 + BigInt(i)), compression: CompressionCodec.NONE }
    const b2 = { records: makeRecords(4, 'y', i => T0 - BigInt(i)), compression: CompressionCodec.GZIP }
    const r = await s.append([b1, b2], { timestampType: 'LogAppendTime', now: () => now, leaderEpoch: 2 })
    assert.equal(r.logAppendTime, now)
    const got = await s.log.read(2n, ALL)
    equalBytes(got.records, Buffer.concat([
      storedBatch(b1, 2n, { logAppendTime: now, leaderEpoch: 2 }),
      storedBatch(b2, 5n, { logAppendTime: now, leaderEpoch: 2 })
    ]), 'LogAppendTime batches')
    const first = decodeRecordBatchSync(got.records.subarray(0, readBatchHeader(got.records).batchLength + 12))
    assert.equal(first.header.timestampType, TimestampType.LOG_APPEND_TIME)
    assert.ok(first.records.every(rec => rec.timestamp === now), 'readers see the append time on every record')
    assert.deepEqual(await s.log.offsetForTimestamp(T0 + 10n), { offset: 2n, timestamp: now })
    assert.deepEqual(await s.log.maxTimestampOffset(), { offset: 2n, timestamp: now })
    await s.matchesModel()
  }))

  test('a batch whose CRC does not match is TRIB_LOG_CORRUPT_BATCH and nothing of the append is stored', () => withSession(open, reopen, {}, async s => {
    await s.append([batch(3, 'ok')])
    const good = encodeBatch(batch(2, 'good'))
    const bad = encodeBatch(batch(2, 'bad'))
    bad[bad.length - 1] ^= 0x01
    await rejectsWith(s.log.append(Buffer.concat([good, bad])), 'TRIB_LOG_CORRUPT_BATCH', 'second batch corrupt')
    await rejectsWith(s.log.append(Buffer.from(bad)), 'TRIB_LOG_CORRUPT_BATCH', 'only batch corrupt')
    const attributesFlipped = encodeBatch(batch(2, 'attr'))
    attributesFlipped[22] ^= 0x08 // the timestamp type bit, under the CRC
    await rejectsWith(s.log.append(attributesFlipped), 'TRIB_LOG_CORRUPT_BATCH', 'header bit flipped')
    await s.matchesModel('after rejected appends')
    await s.append([batch(1, 'after')])
    await s.matchesModel('append after a rejected one')
  }))

  test('crcVerified skips only the CRC pass: the caller vouches for it; the other checks stay', () => withSession(open, reopen, {}, async s => {
    const good = encodeBatch(batch(2, 'vouched'))
    const r = await s.log.append(Buffer.from(good), { crcVerified: true })
    assert.equal(r.lastOffset - r.firstOffset, 1n)
    const v1 = encodeBatch(batch(2, 'old'))
    v1.writeInt8(1, 16)
    await rejectsWith(s.log.append(v1, { crcVerified: true }), 'TRIB_LOG_CORRUPT_BATCH', 'the magic is still checked')
    await rejectsWith(s.log.append(good.subarray(0, good.length - 3), { crcVerified: true }), 'TRIB_LOG_INVALID_BATCH', 'the framing is still checked')
    const unchecked = encodeBatch(batch(1, 'x'))
    unchecked[unchecked.length - 1] ^= 0x01
    await rejectsWith(s.log.append(unchecked, { crcVerified: false }), 'TRIB_LOG_CORRUPT_BATCH', 'false means checked')
  }))

  test('a magic other than 2 is TRIB_LOG_CORRUPT_BATCH', () => withSession(open, reopen, {}, async s => {
    const v1 = encodeBatch(batch(2, 'old'))
    v1.writeInt8(1, 16) // magic sits outside the CRC, so only the magic check can catch this
    await rejectsWith(s.log.append(v1), 'TRIB_LOG_CORRUPT_BATCH')
    await rejectsWith(s.log.append(Buffer.concat([encodeBatch(batch(1, 'fine')), v1])), 'TRIB_LOG_CORRUPT_BATCH')
    await s.matchesModel()
  }))

  test('bytes that are not a whole number of batches are TRIB_LOG_INVALID_BATCH', () => withSession(open, reopen, {}, async s => {
    await s.append([batch(2, 'ok')])
    const whole = encodeBatch(batch(3, 'w'))
    const other = encodeBatch(batch(1, 'o'))
    const cases: Array<[string, Buffer]> = [
      ['empty buffer', Buffer.alloc(0)],
      ['one byte short', whole.subarray(0, whole.length - 1)],
      ['header only', whole.subarray(0, 61)],
      ['ten bytes', whole.subarray(0, 10)],
      ['a whole batch and a cut one', Buffer.concat([other, whole.subarray(0, whole.length - 5)])],
      ['a whole batch and trailing bytes', Buffer.concat([whole, Buffer.from([0, 0, 0, 0, 1])])]
    ]
    for (const [label, bytes] of cases) await rejectsWith(s.log.append(Buffer.from(bytes)), 'TRIB_LOG_INVALID_BATCH', label)
    await s.matchesModel('after rejected appends')
    await s.append([batch(1, 'after')])
    await s.matchesModel('append after rejected ones')
  }))

  test('concurrent appends are applied in call order', () => withSession(open, reopen, {}, async s => {
    const batches = Array.from({ length: 12 }, (_, i) => batch(1 + (i % 4), `c${i}`, i % 3 === 0 ? CompressionCodec.GZIP : CompressionCodec.NONE))
    const results = await Promise.all(batches.map((b, i) => s.log.append(encodeBatch(b), { durable: i % 2 === 0 })))
    for (const b of batches) s.ref.append([b])
    let expected = 0n
    for (const [i, r] of results.entries()) {
      assert.equal(r.firstOffset, expected, `append #${i}`)
      expected += BigInt(batches[i]!.records.length)
    }
    await s.matchesModel()
  }))

  test('a read racing appends sees whole batches of a prefix of the log', () => withSession(open, reopen, {}, async s => {
    await s.append([batch(2, 'base')])
    const pending: Array<Promise<unknown>> = []
    for (let i = 0; i < 6; i++) pending.push(s.log.append(encodeBatch(batch(3, `r${i}`)), { durable: i % 2 === 1 }))
    const racing = s.log.read(0n, ALL)
    await Promise.all(pending)
    for (let i = 0; i < 6; i++) s.ref.append([batch(3, `r${i}`)])
    const seen = (await racing).records
    const all = s.ref.everything()
    assert.ok(seen.length <= all.length && all.subarray(0, seen.length).equals(seen), 'a prefix of the final log')
    spans(seen) // throws on a partial batch
    await s.matchesModel()
  }))

  test('durable appends resolve with their offsets under both flush policies', async () => {
    const policies: Array<Partial<LogConfig>> = [{}, { flushPolicy: 'pagecache', flushMessages: 3, flushMs: 60_000 }]
    for (const overrides of policies) {
      await withSession(open, reopen, overrides, async s => {
        for (let i = 0; i < 5; i++) await s.append([batch(2, `d${i}`)], { durable: true })
        await s.log.flush()
        await s.matchesModel(JSON.stringify(overrides))
      })
    }
  })
}
