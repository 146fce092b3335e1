import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CompressionCodec, TimestampType, codecName, lastOffset, readBatchHeader } from '@tributary/protocol'
import { buildOffsetMap, cleanBatches, retainLastBatchOfProducers, type CleanBatchesOptions } from '../../src/cleaner/index.js'
import { T0, allCrcValid, batch, records } from './helpers.js'

const NOW = Number(T0) + 10_000
const ALL_CODECS = [CompressionCodec.NONE, CompressionCodec.GZIP, CompressionCodec.SNAPPY, CompressionCodec.LZ4, CompressionCodec.ZSTD]

function clean (input: Buffer[], over: Partial<CleanBatchesOptions> = {}): ReturnType<typeof cleanBatches> {
  const map = over.map ?? buildOffsetMap(input, { startOffset: 0n })
  return cleanBatches(input, { map, now: NOW, deleteRetentionMs: 1000, ...over })
}

describe('cleanBatches: latest value per key', () => {
  for (const codec of ALL_CODECS) {
    test(`keeps the latest record of each key, offsets and boundaries, codec ${codecName(codec)}`, () => {
      const input = [
        batch(0n, [{ key: 'a', value: 'a1' }, { key: 'b', value: 'b1' }, { key: 'c', value: 'c1' }], { codec, producerId: 4n, producerEpoch: 2, baseSequence: 10 }),
        batch(3n, [{ key: 'a', value: 'a2' }, { key: 'd', value: 'd1' }], { codec }),
        batch(5n, [{ key: 'b', value: 'b2' }, { key: 'a', value: 'a3' }], { codec })
      ]
      const { batches, stats } = clean(input)
      assert.deepEqual(records(batches).map(r => [r.offset, r.key, r.value]), [[2n, 'c', 'c1'], [4n, 'd', 'd1'], [5n, 'b', 'b2'], [6n, 'a', 'a3']])
      assert.ok(allCrcValid(batches))
      assert.equal(batches.length, 3)
      const [h0, h1] = batches.map(b => readBatchHeader(b))
      // The first batch lost its first two records: same base offset, same last offset, producer fields and codec.
      assert.equal(h0!.baseOffset, 0n)
      assert.equal(h0!.lastOffsetDelta, 2)
      assert.equal(h0!.producerId, 4n)
      assert.equal(h0!.producerEpoch, 2)
      assert.equal(h0!.baseSequence, 10)
      assert.equal(h0!.partitionLeaderEpoch, 3)
      assert.equal(h0!.compression, codec)
      assert.equal(h0!.recordsCount, 1)
      assert.equal(h1!.baseOffset, 3n)
      assert.equal(lastOffset(h1!), 4n)
      assert.equal(batches[2], input[2], 'an untouched batch is passed through as is')
      assert.equal(stats.supersededRemoved, 3)
      assert.equal(stats.batchesRewritten, 2)
    })
  }

  test('mixed codecs across batches', () => {
    const input = ALL_CODECS.map((codec, i) => batch(BigInt(i * 2), [{ key: 'k', value: `v${i}` }, { key: `u${i}`, value: 'x' }], { codec }))
    const { batches } = clean(input)
    assert.deepEqual(records(batches).filter(r => r.key === 'k').map(r => r.value), ['v4'])
    assert.equal(records(batches).length, 1 + ALL_CODECS.length)
    assert.deepEqual(batches.map(b => readBatchHeader(b).compression), ALL_CODECS)
    assert.ok(allCrcValid(batches))
  })

  test('record timestamps and headers survive a rewrite', () => {
    const input = [batch(0n, [{ key: 'a', value: '1', ts: T0 + 50n }, { key: 'b', value: '2', ts: T0 + 7n }]), batch(2n, [{ key: 'a', value: '3' }])]
    const { batches } = clean(input)
    const r = records(batches)
    assert.deepEqual(r.map(x => [x.offset, x.timestamp]), [[1n, T0 + 7n], [2n, T0 + 2n]])
    assert.equal(readBatchHeader(batches[0]!).maxTimestamp, T0 + 7n, 'CreateTime max timestamp is recomputed from the kept records')
  })

  test('LogAppendTime batches keep their max timestamp and type', () => {
    const input = [
      batch(0n, [{ key: 'a', value: '1' }, { key: 'b', value: '2' }], { timestampType: TimestampType.LOG_APPEND_TIME, maxTimestamp: T0 + 999n }),
      batch(2n, [{ key: 'a', value: '3' }])
    ]
    const { batches } = clean(input)
    const h = readBatchHeader(batches[0]!)
    assert.equal(h.timestampType, TimestampType.LOG_APPEND_TIME)
    assert.equal(h.maxTimestamp, T0 + 999n)
    assert.deepEqual(records(batches).map(r => r.timestamp), [T0 + 999n, T0 + 2n])
  })

  test('a batch emptied by compaction is dropped; offsets after it do not move', () => {
    const input = [batch(0n, [{ key: 'a', value: '1' }]), batch(1n, [{ key: 'b', value: '1' }]), batch(2n, [{ key: 'a', value: '2' }])]
    const { batches } = clean(input)
    assert.deepEqual(batches.map(b => readBatchHeader(b).baseOffset), [1n, 2n])
  })

  test('records above the offset map are kept (a partial map covers only part of the round)', () => {
    const input = [batch(0n, [{ key: 'a', value: '1' }]), batch(1n, [{ key: 'a', value: '2' }]), batch(2n, [{ key: 'a', value: '3' }])]
    const map = buildOffsetMap(input.slice(0, 2), { startOffset: 0n })
    const { batches } = clean(input, { map })
    assert.deepEqual(records(batches).map(r => r.value), ['2', '3'])
  })

  test('keyless records are kept by default and dropped with keyless=discard (as Kafka)', () => {
    const input = [batch(0n, [{ key: null, value: 'x' }, { key: 'a', value: '1' }]), batch(2n, [{ key: 'a', value: '2' }])]
    const kept = clean(input)
    assert.deepEqual(records(kept.batches).map(r => [r.offset, r.key, r.value]), [[0n, null, 'x'], [2n, 'a', '2']])
    assert.equal(kept.stats.keylessRecords, 1)
    const dropped = clean(input, { keyless: 'discard' })
    assert.deepEqual(records(dropped.batches).map(r => r.offset), [2n])
  })
})

describe('cleanBatches: tombstones (KIP-534)', () => {
  const input = [
    batch(0n, [{ key: 'a', value: '1' }, { key: 'b', value: '1' }]),
    batch(2n, [{ key: 'a', value: null }, { key: 'c', value: '1' }])
  ]

  test('the first cleaning keeps a tombstone and stamps its batch with now + delete.retention.ms', () => {
    const { batches, stats } = clean(input)
    assert.deepEqual(records(batches).map(r => [r.offset, r.key, r.value]), [[1n, 'b', '1'], [2n, 'a', null], [3n, 'c', '1']])
    const h = readBatchHeader(batches[1]!)
    assert.equal(h.hasDeleteHorizonMs, true)
    assert.equal(h.baseTimestamp, BigInt(NOW + 1000))
    assert.deepEqual(records([batches[1]!]).map(r => r.timestamp), [T0 + 2n, T0 + 3n], 'record timestamps do not move')
    assert.equal(h.maxTimestamp, T0 + 3n)
    assert.equal(stats.deleteHorizonsSet, 1)
    assert.ok(allCrcValid(batches))
  })

  test('the tombstone stays until the horizon, then goes; the horizon is not reset', () => {
    const once = clean(input).batches
    const map = buildOffsetMap(once, { startOffset: 0n })
    const before = cleanBatches(once, { map, now: NOW + 999, deleteRetentionMs: 1000 })
    assert.equal(before.batches[1], once[1], 'unchanged before the horizon')
    const after = cleanBatches(once, { map, now: NOW + 1000, deleteRetentionMs: 1000 })
    assert.deepEqual(records(after.batches).map(r => [r.offset, r.key]), [[1n, 'b'], [3n, 'c']])
    assert.equal(after.stats.tombstonesRemoved, 1)
    const h = readBatchHeader(after.batches[1]!)
    assert.equal(h.hasDeleteHorizonMs, true)
    assert.equal(h.baseTimestamp, BigInt(NOW + 1000))
    assert.equal(h.baseOffset, 2n)
    assert.equal(h.lastOffsetDelta, 1)
    assert.ok(allCrcValid(after.batches))
  })

  test('a tombstone superseded by a later value goes at once', () => {
    const withRevival = [...input, batch(4n, [{ key: 'a', value: 'again' }])]
    const { batches } = clean(withRevival)
    assert.deepEqual(records(batches).map(r => [r.offset, r.key, r.value]), [[1n, 'b', '1'], [3n, 'c', '1'], [4n, 'a', 'again']])
  })

  test('delete.retention.ms of Long.MAX keeps tombstones forever', () => {
    const { batches } = clean(input, { deleteRetentionMs: Number.MAX_SAFE_INTEGER })
    assert.equal(readBatchHeader(batches[1]!).baseTimestamp, BigInt(NOW) + BigInt(Number.MAX_SAFE_INTEGER))
  })
})

describe('cleanBatches: batches that must stay', () => {
  test('the last batch of an active producer is kept as an empty batch with its offsets and sequence', () => {
    const input = [
      batch(0n, [{ key: 'a', value: '1' }, { key: 'b', value: '1' }], { producerId: 5n, producerEpoch: 1, baseSequence: 40, codec: CompressionCodec.ZSTD }),
      batch(2n, [{ key: 'a', value: '2' }, { key: 'b', value: '2' }])
    ]
    const retainEmpty = retainLastBatchOfProducers(new Map([[5n, { lastDataOffset: 1n, producerEpoch: 1 }]]))
    const { batches, stats } = clean(input, { retainEmpty })
    assert.equal(batches.length, 2)
    const h = readBatchHeader(batches[0]!)
    assert.deepEqual(
      [h.baseOffset, h.lastOffsetDelta, h.recordsCount, h.producerId, h.producerEpoch, h.baseSequence, h.compression, h.maxTimestamp],
      [0n, 1, 0, 5n, 1, 40, CompressionCodec.NONE, T0 + 1n])
    assert.equal(stats.emptyBatchesRetained, 1)
    assert.ok(allCrcValid(batches))
    // Once the producer moved on, the batch may go.
    const later = clean(input, { retainEmpty: retainLastBatchOfProducers(new Map([[5n, { lastDataOffset: 99n, producerEpoch: 1 }]])) })
    assert.equal(later.batches.length, 1)
  })

  test('a batch ending at a boundary of the round is kept even when empty', () => {
    const input = [batch(0n, [{ key: 'a', value: '1' }]), batch(1n, [{ key: 'b', value: '1' }, { key: 'a', value: '2' }]), batch(3n, [{ key: 'b', value: '2' }])]
    const { batches } = clean(input, { keepBatchesEndingAt: new Set([1n]) })
    assert.deepEqual(batches.map(b => [readBatchHeader(b).baseOffset, readBatchHeader(b).recordsCount]), [[0n, 0], [1n, 1], [3n, 1]])
  })
})
