import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import {
  CompressionCodec, TimestampType, decodeRecordBatch, decodeRecordBatchSync, encodeRecordBatch, encodeRecordBatchSync,
  readBatchHeader, splitBatches, verifyBatchCrc, type EncodeRecordBatchOptions, type RecordBatchRecordInput
} from '../../src/records/index.js'
import { ALL_CODECS } from './helpers.js'

const bytes = (maxLength: number): fc.Arbitrary<Buffer | null> =>
  fc.option(fc.uint8Array({ maxLength }).map(u => Buffer.from(u)), { nil: null, freq: 5 })

const recordArb = fc.record({
  key: bytes(40),
  value: bytes(300),
  headers: fc.array(fc.record({ key: fc.string({ unit: 'grapheme', maxLength: 12 }), value: bytes(20) }), { maxLength: 4 }),
  timestamp: fc.bigInt({ min: 0n, max: 1n << 45n }),
  gap: fc.nat({ max: 3 })
})

const batchArb = fc.record({
  codec: fc.constantFrom(...ALL_CODECS),
  baseOffset: fc.bigInt({ min: 0n, max: (1n << 62n) }),
  partitionLeaderEpoch: fc.integer({ min: -1, max: 0x7fffffff }),
  producerId: fc.bigInt({ min: -1n, max: (1n << 63n) - 1n }),
  producerEpoch: fc.integer({ min: -1, max: 0x7fff }),
  baseSequence: fc.integer({ min: -1, max: 0x7fffffff }),
  transactional: fc.boolean(),
  records: fc.array(recordArb, { maxLength: 30 })
})

type BatchSpec = typeof batchArb extends fc.Arbitrary<infer T> ? T : never

function toOptions (spec: BatchSpec): EncodeRecordBatchOptions {
  let delta = -1
  const records: RecordBatchRecordInput[] = spec.records.map(r => {
    delta += 1 + r.gap
    // fc.record builds null-prototype objects; the decoder returns plain ones.
    const headers = r.headers.map(h => ({ key: h.key, value: h.value }))
    return { key: r.key, value: r.value, headers, timestamp: r.timestamp, offsetDelta: delta }
  })
  return {
    compression: spec.codec,
    baseOffset: spec.baseOffset,
    partitionLeaderEpoch: spec.partitionLeaderEpoch,
    producerId: spec.producerId,
    producerEpoch: spec.producerEpoch,
    baseSequence: spec.baseSequence,
    transactional: spec.transactional,
    records
  }
}

function check (opts: EncodeRecordBatchOptions, batch: Buffer, decoded: ReturnType<typeof decodeRecordBatchSync>): void {
  assert.ok(verifyBatchCrc(batch))
  const { header, records } = decoded
  assert.deepEqual(readBatchHeader(batch), header)
  assert.equal(header.compression, opts.compression)
  assert.equal(header.baseOffset, opts.baseOffset)
  assert.equal(header.partitionLeaderEpoch, opts.partitionLeaderEpoch)
  assert.equal(header.producerId, opts.producerId)
  assert.equal(header.producerEpoch, opts.producerEpoch)
  assert.equal(header.baseSequence, opts.baseSequence)
  assert.equal(header.isTransactional, opts.transactional)
  assert.equal(header.timestampType, TimestampType.CREATE_TIME)
  assert.equal(header.recordsCount, opts.records.length)
  assert.equal(header.lastOffsetDelta, opts.records.at(-1)?.offsetDelta ?? 0)
  assert.equal(records.length, opts.records.length)
  records.forEach((r, i) => {
    const e = opts.records[i]!
    assert.deepEqual(r.key, e.key)
    assert.deepEqual(r.value, e.value)
    assert.deepEqual(r.headers, e.headers)
    assert.equal(r.offsetDelta, e.offsetDelta)
    assert.equal(r.offset, opts.baseOffset! + BigInt(e.offsetDelta!))
    assert.equal(r.timestamp, e.timestamp)
  })
  if (opts.records.length > 0) {
    const max = opts.records.reduce((m, r) => r.timestamp! > m ? r.timestamp! : m, -1n)
    assert.equal(header.maxTimestamp, max)
  }
}

test('property: random records survive encode -> decode (sync)', () => {
  fc.assert(fc.property(batchArb, spec => {
    const opts = toOptions(spec)
    const batch = encodeRecordBatchSync(opts)
    check(opts, batch, decodeRecordBatchSync(batch))
  }), { numRuns: 400 })
})

test('property: async encode and decode agree with the sync ones', async () => {
  await fc.assert(fc.asyncProperty(batchArb, async spec => {
    const opts = toOptions(spec)
    const batch = await encodeRecordBatch(opts)
    const decoded = await decodeRecordBatch(batch)
    check(opts, batch, decoded)
    // gzip output carries no timestamp in Node's zlib, so every codec is deterministic.
    assert.ok(batch.equals(encodeRecordBatchSync(opts)))
  }), { numRuns: 100 })
})

test('property: splitBatches recovers any sequence of batches and any cut of it', () => {
  fc.assert(fc.property(fc.array(batchArb, { minLength: 1, maxLength: 5 }), fc.nat(), (specs, cutSeed) => {
    const batches = specs.map(s => encodeRecordBatchSync(toOptions(s)))
    const blob = Buffer.concat(batches)
    const whole = splitBatches(blob)
    assert.equal(whole.batches.length, batches.length)
    whole.batches.forEach((b, i) => assert.ok(b.equals(batches[i]!)))
    const cut = cutSeed % (blob.length + 1)
    const part = splitBatches(blob.subarray(0, cut))
    let complete = 0
    let end = 0
    while (complete < batches.length && end + batches[complete]!.length <= cut) end += batches[complete++]!.length
    assert.equal(part.batches.length, complete)
    assert.equal(part.leftover.length, cut - end)
  }), { numRuns: 200 })
})

test('compression codec ids in the property cover every codec', () => {
  assert.deepEqual([...ALL_CODECS].sort(), Object.values(CompressionCodec).sort())
})
