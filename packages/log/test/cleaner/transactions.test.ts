import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { decodeRecordBatchSync, isTransactionMarker, readBatchHeader } from '@tributary/protocol'
import { buildOffsetMap, cleanBatches, retainLastBatchOfProducers, type AbortedTxnRange } from '../../src/cleaner/index.js'
import { T0, allCrcValid, batch, marker, records } from './helpers.js'

const NOW = Number(T0) + 10_000
const RETENTION = 1000

function pass (input: Buffer[], now: number, aborted: AbortedTxnRange[] = []): ReturnType<typeof cleanBatches> {
  const map = buildOffsetMap(input, { startOffset: 0n, abortedTxns: aborted })
  return cleanBatches(input, { map, now, deleteRetentionMs: RETENTION, abortedTxns: aborted })
}

function markers (batches: Buffer[]): Array<[bigint, boolean]> {
  return batches.filter(b => readBatchHeader(b).isControl).map(b => {
    const h = readBatchHeader(b)
    return [h.baseOffset, h.hasDeleteHorizonMs]
  })
}

describe('cleaner and transactions (KIP-98)', () => {
  // offset 0: committed k=old; 1-2: producer 7's aborted transaction writes k and j; 3: its ABORT marker.
  const aborted: AbortedTxnRange[] = [{ producerId: 7n, firstOffset: 1n, lastOffset: 3n }]
  const input = [
    batch(0n, [{ key: 'k', value: 'old' }]),
    batch(1n, [{ key: 'k', value: 'new' }, { key: 'j', value: 'new' }], { producerId: 7n, producerEpoch: 0, baseSequence: 0, transactional: true }),
    marker(3n, 7n, false),
    batch(4n, [{ key: 'z', value: '1' }])
  ]

  test('records of aborted transactions are removed and do not hide the committed value', () => {
    const { batches, stats, retainedAbortedTxns } = pass(input, NOW, aborted)
    assert.deepEqual(records(batches).map(r => [r.offset, r.key, r.value]), [[0n, 'k', 'old'], [4n, 'z', '1']])
    assert.equal(stats.abortedRecordsRemoved, 2)
    // The marker stays while the transaction's data was still there in this pass, with its index entry.
    assert.deepEqual(markers(batches), [[3n, false]])
    assert.deepEqual(retainedAbortedTxns, aborted)
    assert.ok(allCrcValid(batches))
  })

  test('an ABORT marker whose data is gone gets a delete horizon, then goes', () => {
    const once = pass(input, NOW, aborted).batches
    const twice = pass(once, NOW, aborted)
    assert.deepEqual(markers(twice.batches), [[3n, true]])
    assert.deepEqual(twice.retainedAbortedTxns, [], 'no index entry without data')
    const m = twice.batches.find(b => readBatchHeader(b).isControl)!
    assert.equal(readBatchHeader(m).baseTimestamp, BigInt(NOW + RETENTION))
    assert.ok(isTransactionMarker(decodeRecordBatchSync(m).records[0]!), 'the marker record is intact')
    assert.deepEqual(markers(pass(twice.batches, NOW + RETENTION - 1, aborted).batches), [[3n, true]])
    const gone = pass(twice.batches, NOW + RETENTION, aborted)
    assert.deepEqual(markers(gone.batches), [])
    assert.equal(gone.stats.markersRemoved, 1)
  })

  test('a COMMIT marker stays while its transaction has data, and goes after the horizon once it has none', () => {
    const committed = [
      batch(0n, [{ key: 'k', value: 'txn' }], { producerId: 9n, producerEpoch: 0, baseSequence: 0, transactional: true }),
      marker(1n, 9n, true),
      batch(2n, [{ key: 'q', value: '1' }])
    ]
    const kept = pass(committed, NOW)
    assert.deepEqual(markers(kept.batches), [[1n, false]])
    assert.deepEqual(records(kept.batches).map(r => r.value), ['txn', '1'])

    // A later value supersedes the transaction's only record: its batch goes, the marker gets a horizon next time.
    const superseded = [...committed, batch(3n, [{ key: 'k', value: 'later' }])]
    const a = pass(superseded, NOW)
    assert.deepEqual(markers(a.batches), [[1n, false]], 'data was seen in this pass')
    const b = pass(a.batches, NOW)
    assert.deepEqual(markers(b.batches), [[1n, true]])
    const c = pass(b.batches, NOW + RETENTION)
    assert.deepEqual(markers(c.batches), [])
    assert.deepEqual(records(c.batches).map(r => r.value), ['1', 'later'])
  })

  test('control batches are never compacted by key', () => {
    const twoCommits = [
      batch(0n, [{ key: 'a', value: '1' }], { producerId: 1n, producerEpoch: 0, baseSequence: 0, transactional: true }),
      marker(1n, 1n, true),
      batch(2n, [{ key: 'b', value: '1' }], { producerId: 1n, producerEpoch: 0, baseSequence: 1, transactional: true }),
      marker(3n, 1n, true)
    ]
    const { batches } = pass(twoCommits, NOW)
    assert.deepEqual(markers(batches), [[1n, false], [3n, false]])
  })

  test('the producer\'s last batch stays (empty) even when its transaction was aborted', () => {
    const retainEmpty = retainLastBatchOfProducers(new Map([[7n, { lastDataOffset: 2n, producerEpoch: 0 }]]))
    const map = buildOffsetMap(input, { startOffset: 0n, abortedTxns: aborted })
    const { batches } = cleanBatches(input, { map, now: NOW, deleteRetentionMs: RETENTION, abortedTxns: aborted, retainEmpty })
    const h = readBatchHeader(batches[1]!)
    assert.deepEqual([h.baseOffset, h.lastOffsetDelta, h.recordsCount, h.producerId, h.isTransactional], [1n, 1, 0, 7n, true])
  })

  test('a producer whose last entry is a marker keeps that marker, as an empty control batch', () => {
    const twice = pass(pass(input, NOW, aborted).batches, NOW, aborted).batches
    const late = NOW + 10 * RETENTION
    const map = buildOffsetMap(twice, { startOffset: 0n })
    const retainEmpty = retainLastBatchOfProducers(new Map([[7n, { lastDataOffset: null, producerEpoch: 0 }]]))
    const kept = cleanBatches(twice, { map, now: late, deleteRetentionMs: RETENTION, abortedTxns: aborted, retainEmpty })
    const m = kept.batches.filter(b => readBatchHeader(b).isControl).map(b => readBatchHeader(b))
    assert.deepEqual(m.map(h => [h.baseOffset, h.recordsCount, h.producerId, h.producerEpoch]), [[3n, 0, 7n, 0]])
    assert.ok(allCrcValid(kept.batches))
    // Without producer state it goes; an empty control batch left by an earlier cleaning goes too.
    assert.deepEqual(markers(pass(twice, late, aborted).batches), [])
    assert.deepEqual(markers(pass(kept.batches, late, aborted).batches), [])
  })
})
