import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ProtocolEncodeError } from '../../src/primitives/errors.js'
import {
  ATTRIBUTES_OFFSET, BASE_SEQUENCE_OFFSET, CRC_OFFSET, CompressionCodec, LAST_OFFSET_DELTA_OFFSET, LENGTH_OFFSET,
  MAGIC_OFFSET, MAX_TIMESTAMP_OFFSET, PRODUCER_ID_OFFSET, RECORD_BATCH_OVERHEAD, RECORDS_COUNT_OFFSET, TimestampType,
  codecName, computeBatchCrc, crc32c, decodeRecordBatch, decodeRecordBatchSync, encodeRecordBatch, encodeRecordBatchSync,
  lastOffset, readBatchHeader, setBaseOffset, setLogAppendTime, setPartitionLeaderEpoch, verifyBatchCrc,
  type RecordBatchRecordInput
} from '../../src/records/index.js'
import { ALL_CODECS, pseudoRandomBytes, rejectsDecode, throwsDecode } from './helpers.js'

const T0 = 1_700_000_000_000n

function sampleRecords (n: number): RecordBatchRecordInput[] {
  const out: RecordBatchRecordInput[] = []
  for (let i = 0; i < n; i++) {
    out.push({
      key: i % 3 === 0 ? null : Buffer.from(`key-${i}`),
      value: i % 5 === 0 ? null : Buffer.from(`value ${i} `.repeat(i % 7)),
      headers: i % 2 === 0 ? [] : [{ key: 'trace', value: Buffer.from([i & 0xff]) }, { key: 'ünïcode', value: null }],
      timestamp: T0 + BigInt(i * 3 - 10)
    })
  }
  return out
}

function assertRecordsEqual (actual: Array<{ key: Buffer | null, value: Buffer | null, headers: Array<{ key: string, value: Buffer | null }> }>, expected: RecordBatchRecordInput[]): void {
  assert.equal(actual.length, expected.length)
  expected.forEach((e, i) => {
    const a = actual[i]!
    assert.deepEqual(a.key, e.key === null ? null : Buffer.from(e.key), `key ${i}`)
    assert.deepEqual(a.value, e.value === null ? null : Buffer.from(e.value), `value ${i}`)
    assert.deepEqual(a.headers, (e.headers ?? []).map(h => ({ key: h.key, value: h.value === null ? null : Buffer.from(h.value) })), `headers ${i}`)
  })
}

describe('golden bytes', () => {
  test('a one-record batch matches a layout written out by hand', () => {
    const batch = encodeRecordBatchSync({
      baseOffset: 5n,
      partitionLeaderEpoch: 7,
      producerId: 1000n,
      producerEpoch: 2,
      baseSequence: 10,
      records: [{ key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'h', value: null }], timestamp: T0 }]
    })
    // Record: length, attributes, tsDelta, offsetDelta, key len 1 (zig-zag 2), 'k', value len, 'v',
    // one header (zig-zag 2), key len 1, 'h', null value (zig-zag -1 = 1).
    const record = Buffer.from([0x16, 0x00, 0x00, 0x00, 0x02, 0x6b, 0x02, 0x76, 0x02, 0x02, 0x68, 0x01])
    assert.equal(record[0], (record.length - 1) * 2, 'length prefix is the zig-zag body size')
    const expected = Buffer.alloc(RECORD_BATCH_OVERHEAD + record.length)
    expected.writeBigInt64BE(5n, 0)
    expected.writeInt32BE(expected.length - 12, 8)
    expected.writeInt32BE(7, 12)
    expected.writeInt8(2, 16)
    expected.writeInt16BE(0, 21)
    expected.writeInt32BE(0, 23)
    expected.writeBigInt64BE(T0, 27)
    expected.writeBigInt64BE(T0, 35)
    expected.writeBigInt64BE(1000n, 43)
    expected.writeInt16BE(2, 51)
    expected.writeInt32BE(10, 53)
    expected.writeInt32BE(1, 57)
    record.copy(expected, 61)
    expected.writeUInt32BE(crc32c(expected.subarray(21)), 17)
    assert.equal(batch.toString('hex'), expected.toString('hex'))
  })
})

describe('round trips', () => {
  const shapes: Array<[string, RecordBatchRecordInput[]]> = [
    ['no records', []],
    ['one null record', [{ key: null, value: null, timestamp: T0 }]],
    ['empty key and value', [{ key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: T0 }]],
    ['500 records', sampleRecords(500)],
    ['1 MiB value', [{ key: Buffer.from('big'), value: pseudoRandomBytes(1024 * 1024), timestamp: T0 }]]
  ]
  for (const codec of ALL_CODECS) {
    for (const [label, records] of shapes) {
      test(`${codecName(codec)}: ${label}`, async () => {
        const opts = { compression: codec, baseOffset: 1234n, producerId: 77n, producerEpoch: 3, baseSequence: 100, records }
        const asyncBatch = await encodeRecordBatch(opts)
        const syncBatch = encodeRecordBatchSync(opts)
        for (const batch of [asyncBatch, syncBatch]) {
          assert.ok(verifyBatchCrc(batch))
          const decoded = await decodeRecordBatch(batch)
          assert.deepEqual(decodeRecordBatchSync(batch), decoded, 'sync and async decoders agree')
          const h = decoded.header
          assert.equal(h.compression, codec)
          assert.equal(h.baseOffset, 1234n)
          assert.equal(h.recordsCount, records.length)
          assert.equal(h.lastOffsetDelta, Math.max(records.length - 1, 0))
          assert.equal(h.producerId, 77n)
          assert.equal(h.producerEpoch, 3)
          assert.equal(h.baseSequence, 100)
          assertRecordsEqual(decoded.records, records)
          decoded.records.forEach((r, i) => {
            assert.equal(r.offsetDelta, i)
            assert.equal(r.offset, 1234n + BigInt(i))
            assert.equal(r.timestamp, records[i]!.timestamp)
          })
          if (records.length > 0) {
            assert.equal(h.baseTimestamp, records[0]!.timestamp)
            assert.equal(h.maxTimestamp, records.reduce((m, r) => r.timestamp! > m ? r.timestamp! : m, records[0]!.timestamp!))
          }
        }
      })
    }
  }

  test('offset gaps, explicit lastOffsetDelta and negative timestamp deltas survive', () => {
    const batch = encodeRecordBatchSync({
      baseTimestamp: T0,
      lastOffsetDelta: 20,
      records: [
        { key: null, value: Buffer.from('a'), offsetDelta: 0, timestamp: T0 - 5000n },
        { key: null, value: Buffer.from('b'), offsetDelta: 7, timestamp: T0 + 1n },
        { key: null, value: Buffer.from('c'), offsetDelta: 15 }
      ]
    })
    const { header, records } = decodeRecordBatchSync(batch)
    assert.equal(header.lastOffsetDelta, 20)
    assert.equal(lastOffset(header), 20n)
    assert.deepEqual(records.map(r => r.offsetDelta), [0, 7, 15])
    assert.deepEqual(records.map(r => r.timestampDelta), [-5000n, 1n, 0n])
    assert.equal(header.maxTimestamp, T0 + 1n)
  })

  test('a record without a timestamp takes the batch baseTimestamp; an empty batch keeps -1', () => {
    const before = BigInt(Date.now())
    const { header, records } = decodeRecordBatchSync(encodeRecordBatchSync({ records: [{ key: null, value: null }] }))
    assert.ok(header.baseTimestamp >= before && header.baseTimestamp <= BigInt(Date.now()))
    assert.equal(records[0]!.timestamp, header.baseTimestamp)
    const empty = readBatchHeader(encodeRecordBatchSync({ records: [] }))
    assert.equal(empty.baseTimestamp, -1n)
    assert.equal(empty.maxTimestamp, -1n)
  })

  test('attributes flags are written and read', () => {
    const batch = encodeRecordBatchSync({
      compression: CompressionCodec.ZSTD,
      transactional: true,
      hasDeleteHorizonMs: true,
      timestampType: TimestampType.LOG_APPEND_TIME,
      maxTimestamp: T0 + 99n,
      records: [{ key: null, value: Buffer.from('x'), timestamp: T0 }]
    })
    const h = readBatchHeader(batch)
    assert.equal(h.attributes, 4 | 0x08 | 0x10 | 0x40)
    assert.equal(h.isTransactional, true)
    assert.equal(h.isControl, false)
    assert.equal(h.hasDeleteHorizonMs, true)
    assert.equal(h.timestampType, TimestampType.LOG_APPEND_TIME)
    // KIP-32: under LogAppendTime every record reads the batch maxTimestamp.
    assert.equal(decodeRecordBatchSync(batch).records[0]!.timestamp, T0 + 99n)
  })

  test('encoder rejects values the format cannot hold', () => {
    const rec = { key: null, value: null }
    assert.throws(() => encodeRecordBatchSync({ records: [{ ...rec, offsetDelta: 2 }, { ...rec, offsetDelta: 2 }] }), ProtocolEncodeError)
    assert.throws(() => encodeRecordBatchSync({ records: [{ ...rec, offsetDelta: -1 }] }), ProtocolEncodeError)
    assert.throws(() => encodeRecordBatchSync({ producerEpoch: 40000, records: [rec] }), ProtocolEncodeError)
    assert.throws(() => encodeRecordBatchSync({ baseOffset: 1n << 63n, records: [rec] }), ProtocolEncodeError)
    assert.throws(() => encodeRecordBatchSync({ lastOffsetDelta: 0, records: [rec, rec] }), ProtocolEncodeError)
    assert.throws(() => encodeRecordBatchSync({ compression: 6 as CompressionCodec, records: [rec] }), ProtocolEncodeError)
  })
})

describe('header-only access', () => {
  const batch = encodeRecordBatchSync({
    baseOffset: 42n,
    partitionLeaderEpoch: 9,
    compression: CompressionCodec.LZ4,
    producerId: 0x0102030405060708n,
    producerEpoch: 513,
    baseSequence: 65537,
    records: sampleRecords(10)
  })

  test('readBatchHeader reads every field at its documented offset', () => {
    const h = readBatchHeader(batch)
    assert.equal(h.baseOffset, 42n)
    assert.equal(h.batchLength, batch.length - 12)
    assert.equal(h.batchLength, batch.readInt32BE(LENGTH_OFFSET))
    assert.equal(h.partitionLeaderEpoch, 9)
    assert.equal(h.magic, batch[MAGIC_OFFSET])
    assert.equal(h.crc, batch.readUInt32BE(CRC_OFFSET))
    assert.equal(h.attributes, batch.readInt16BE(ATTRIBUTES_OFFSET))
    assert.equal(h.compression, CompressionCodec.LZ4)
    assert.equal(h.lastOffsetDelta, batch.readInt32BE(LAST_OFFSET_DELTA_OFFSET))
    assert.equal(h.maxTimestamp, batch.readBigInt64BE(MAX_TIMESTAMP_OFFSET))
    assert.equal(h.producerId, batch.readBigInt64BE(PRODUCER_ID_OFFSET))
    assert.equal(h.producerEpoch, 513)
    assert.equal(h.baseSequence, batch.readInt32BE(BASE_SEQUENCE_OFFSET))
    assert.equal(h.recordsCount, batch.readInt32BE(RECORDS_COUNT_OFFSET))
    assert.equal(h.recordsCount, 10)
  })

  test('readBatchHeader works at an offset and on the header bytes alone', () => {
    const padded = Buffer.concat([Buffer.alloc(5, 0xee), batch])
    assert.deepEqual(readBatchHeader(padded, 5), readBatchHeader(batch))
    assert.equal(readBatchHeader(batch.subarray(0, RECORD_BATCH_OVERHEAD)).recordsCount, 10)
    throwsDecode(() => readBatchHeader(batch.subarray(0, RECORD_BATCH_OVERHEAD - 1)), /needs 61 bytes/)
  })

  test('readBatchHeader rejects other magics, short lengths, unknown codecs and negative counts', () => {
    const copy = (): Buffer => Buffer.from(batch)
    const m = copy(); m[MAGIC_OFFSET] = 1
    throwsDecode(() => readBatchHeader(m), /magic 1/)
    const l = copy(); l.writeInt32BE(48, LENGTH_OFFSET)
    throwsDecode(() => readBatchHeader(l), /smaller than/)
    const c = copy(); c.writeInt16BE(5, ATTRIBUTES_OFFSET)
    throwsDecode(() => readBatchHeader(c), /compression codec 5/)
    const n = copy(); n.writeInt32BE(-1, RECORDS_COUNT_OFFSET)
    throwsDecode(() => readBatchHeader(n), /negative record count/)
  })

  test('setBaseOffset and setPartitionLeaderEpoch leave the CRC valid', () => {
    const b = Buffer.from(batch)
    setBaseOffset(b, 0, 9_000_000_000n)
    setPartitionLeaderEpoch(b, 0, 12)
    assert.ok(verifyBatchCrc(b))
    const h = readBatchHeader(b)
    assert.equal(h.baseOffset, 9_000_000_000n)
    assert.equal(h.partitionLeaderEpoch, 12)
    assert.equal(decodeRecordBatchSync(b).records[3]!.offset, 9_000_000_003n)
  })

  test('setLogAppendTime flips the timestamp type, sets maxTimestamp and rewrites the CRC', () => {
    const b = Buffer.from(batch)
    setLogAppendTime(b, 0, 5555n)
    assert.ok(verifyBatchCrc(b))
    const { header, records } = decodeRecordBatchSync(b)
    assert.equal(header.timestampType, TimestampType.LOG_APPEND_TIME)
    assert.ok(records.every(r => r.timestamp === 5555n))
  })

  test('computeBatchCrc equals the stored CRC and needs the whole batch', () => {
    assert.equal(computeBatchCrc(batch), batch.readUInt32BE(CRC_OFFSET))
    throwsDecode(() => computeBatchCrc(batch.subarray(0, batch.length - 1)))
    assert.equal(verifyBatchCrc(batch.subarray(0, batch.length - 1)), false)
    assert.equal(verifyBatchCrc(batch.subarray(0, 10)), false)
  })
})

describe('corruption', () => {
  test('every single-bit flip in the CRC-covered range is detected', async () => {
    const batch = encodeRecordBatchSync({ compression: CompressionCodec.GZIP, records: sampleRecords(5) })
    for (let i = ATTRIBUTES_OFFSET; i < batch.length; i++) {
      for (const bit of [0, 3, 7]) {
        const b = Buffer.from(batch)
        b[i]! ^= 1 << bit
        assert.equal(verifyBatchCrc(b), false, `flip at byte ${i} bit ${bit}`)
      }
    }
    const b = Buffer.from(batch)
    b[batch.length - 3]! ^= 0x10
    await rejectsDecode(async () => await decodeRecordBatch(b), /CRC mismatch/)
    throwsDecode(() => decodeRecordBatchSync(b), /CRC mismatch/)
    const crcFlip = Buffer.from(batch)
    crcFlip[CRC_OFFSET]! ^= 1
    throwsDecode(() => decodeRecordBatchSync(crcFlip), /CRC mismatch/)
  })

  test('every truncation of a batch gives ProtocolDecodeError', async () => {
    for (const codec of ALL_CODECS) {
      const batch = encodeRecordBatchSync({ compression: codec, records: sampleRecords(4) })
      for (let n = 0; n < batch.length; n++) {
        throwsDecode(() => decodeRecordBatchSync(batch.subarray(0, n)))
      }
      await rejectsDecode(async () => await decodeRecordBatch(batch.subarray(0, batch.length - 1)), /truncated/)
    }
  })

  test('trailing bytes after the batch are refused', () => {
    const batch = encodeRecordBatchSync({ records: sampleRecords(2) })
    throwsDecode(() => decodeRecordBatchSync(Buffer.concat([batch, Buffer.from([0])])), /follow the record batch/)
  })

  // Re-seal a hand-edited batch so that only the structural checks can catch the edit.
  function reseal (b: Buffer): Buffer {
    b.writeInt32BE(b.length - 12, LENGTH_OFFSET)
    b.writeUInt32BE(crc32c(b.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET)
    return b
  }

  test('a record count that disagrees with the records is refused', () => {
    const batch = encodeRecordBatchSync({ records: sampleRecords(3) })
    const more = Buffer.from(batch); more.writeInt32BE(4, RECORDS_COUNT_OFFSET)
    throwsDecode(() => decodeRecordBatchSync(reseal(more)))
    const fewer = Buffer.from(batch); fewer.writeInt32BE(2, RECORDS_COUNT_OFFSET)
    throwsDecode(() => decodeRecordBatchSync(reseal(fewer)), /bytes follow the 2 records/)
    const huge = Buffer.from(batch); huge.writeInt32BE(0x7fffffff, RECORDS_COUNT_OFFSET)
    throwsDecode(() => decodeRecordBatchSync(reseal(huge)), /cannot fit/)
  })

  test('record lengths that overrun the record or the batch are refused', () => {
    const batch = encodeRecordBatchSync({ records: [{ key: Buffer.from('abc'), value: Buffer.from('defg') }] })
    // First record starts at 61: length varint, attributes, tsDelta, offsetDelta, key length at 65.
    const longKey = Buffer.from(batch); longKey[65] = 0x7e // key length 63
    throwsDecode(() => decodeRecordBatchSync(reseal(longKey)), /record key/)
    const negKey = Buffer.from(batch); negKey[65] = 0x03 // key length -2
    throwsDecode(() => decodeRecordBatchSync(reseal(negKey)), /invalid record key length -2/)
    const longRecord = Buffer.from(batch); longRecord[61] = 0x7e
    throwsDecode(() => decodeRecordBatchSync(reseal(longRecord)))
    const slack = Buffer.concat([batch, Buffer.from([0])]); slack[61] = slack[61]! + 2
    throwsDecode(() => decodeRecordBatchSync(reseal(slack)), /declared .* bytes but its fields used/)
  })

  test('a corrupt compressed payload is a decode error, as is one above the size limit', async () => {
    const batch = encodeRecordBatchSync({ compression: CompressionCodec.ZSTD, records: [{ key: null, value: Buffer.alloc(2 * 1024 * 1024) }] })
    const broken = Buffer.from(batch)
    broken.fill(0x55, RECORD_BATCH_OVERHEAD + 4, RECORD_BATCH_OVERHEAD + 12)
    await rejectsDecode(async () => await decodeRecordBatch(reseal(broken)))
    await rejectsDecode(async () => await decodeRecordBatch(batch, { maxBytes: 1024 * 1024 }), /limit/)
    assert.equal(decodeRecordBatchSync(batch, { maxBytes: 3 * 1024 * 1024 }).records[0]!.value!.length, 2 * 1024 * 1024)
  })

  test('verifyCrc: false skips only the checksum', () => {
    const batch = Buffer.from(encodeRecordBatchSync({ records: sampleRecords(2) }))
    batch[CRC_OFFSET]! ^= 0xff
    assert.equal(decodeRecordBatchSync(batch, { verifyCrc: false }).records.length, 2)
  })
})
