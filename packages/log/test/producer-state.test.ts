import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LogError } from '../src/errors.js'
import { decodeProducerSnapshot, encodeProducerSnapshot } from '../src/producer-snapshot.js'
import { BATCHES_TO_RETAIN, ProducerStateManager, lastSequence, type AppendCheck, type ProducerBatch } from '../src/producer-state.js'

const INT32_MAX = 0x7fffffff

function batch (producerId: bigint, epoch: number, baseSequence: number, count: number, ts = 1000n): ProducerBatch {
  return { producerId, producerEpoch: epoch, baseSequence, lastOffsetDelta: count - 1, maxTimestamp: ts, isTransactional: false }
}

/** Appends one batch at `offset` through prepare/commit, as the broker's partition does; returns the check. */
function append (s: ProducerStateManager, b: ProducerBatch, offset: bigint): AppendCheck {
  const check = s.prepare([b], [[offset, offset + BigInt(b.lastOffsetDelta)]])
  if (check.kind === 'append') check.plan.commit()
  return check
}

function rejects (fn: () => unknown, code: LogError['code']): void {
  assert.throws(fn, (e: unknown) => e instanceof LogError && e.code === code)
}

test('a retry of any of the last 5 batches is a duplicate with its original offsets; an older one is out of sequence', () => {
  const s = new ProducerStateManager()
  let offset = 0n
  for (let i = 0; i < 6; i++) {
    assert.equal(append(s, batch(7n, 0, i * 10, 10), offset).kind, 'append')
    offset += 10n
  }
  assert.equal(s.get(7n)!.batches.length, BATCHES_TO_RETAIN)
  for (let i = 1; i < 6; i++) {
    const check = s.prepare([batch(7n, 0, i * 10, 10)], [[offset, offset + 9n]])
    assert.equal(check.kind, 'duplicate')
    if (check.kind === 'duplicate') assert.deepEqual([check.batch.firstOffset, check.batch.lastOffset], [BigInt(i * 10), BigInt(i * 10 + 9)])
  }
  // The first batch is no longer remembered: Kafka answers OUT_OF_ORDER_SEQUENCE_NUMBER for it.
  rejects(() => s.prepare([batch(7n, 0, 0, 10)], [[offset, offset + 9n]]), 'TRIB_LOG_OUT_OF_ORDER_SEQUENCE')
  // A batch that overlaps a remembered one without matching it exactly is not a duplicate either.
  rejects(() => s.prepare([batch(7n, 0, 50, 5)], [[offset, offset + 4n]]), 'TRIB_LOG_OUT_OF_ORDER_SEQUENCE')
  assert.equal(append(s, batch(7n, 0, 60, 1), offset).kind, 'append')
})

test('a gap in the sequence is refused and changes nothing', () => {
  const s = new ProducerStateManager()
  append(s, batch(1n, 0, 0, 5), 0n)
  rejects(() => s.prepare([batch(1n, 0, 6, 1)], [[5n, 5n]]), 'TRIB_LOG_OUT_OF_ORDER_SEQUENCE')
  assert.equal(s.get(1n)!.batches.at(-1)!.lastSeq, 4)
  assert.equal(append(s, batch(1n, 0, 5, 1), 5n).kind, 'append')
})

test('epochs: an older epoch is INVALID_PRODUCER_EPOCH; a newer one starts again at sequence 0 and forgets the old batches', () => {
  const s = new ProducerStateManager()
  append(s, batch(2n, 3, 0, 4), 0n)
  rejects(() => s.prepare([batch(2n, 2, 4, 1)], [[4n, 4n]]), 'TRIB_LOG_INVALID_PRODUCER_EPOCH')
  rejects(() => s.prepare([batch(2n, 4, 4, 1)], [[4n, 4n]]), 'TRIB_LOG_OUT_OF_ORDER_SEQUENCE')
  assert.equal(append(s, batch(2n, 4, 0, 2), 4n).kind, 'append')
  assert.deepEqual(s.get(2n)!.batches.map(b => [b.firstSeq, b.lastSeq, b.firstOffset]), [[0, 1, 4n]])
  // The same sequences under the old epoch are now fenced, not duplicates.
  rejects(() => s.prepare([batch(2n, 3, 0, 4)], [[6n, 9n]]), 'TRIB_LOG_INVALID_PRODUCER_EPOCH')
})

test('an unknown producer may start at any sequence (Kafka 4, KIP-360)', () => {
  const s = new ProducerStateManager()
  assert.equal(append(s, batch(9n, 0, 1234, 3), 0n).kind, 'append')
  assert.equal(append(s, batch(9n, 0, 1237, 1), 3n).kind, 'append')
})

test('sequences wrap from Int32.MAX to 0', () => {
  assert.equal(lastSequence(INT32_MAX - 2, 4), 1)
  assert.equal(lastSequence(INT32_MAX, 0), INT32_MAX)
  const s = new ProducerStateManager()
  append(s, batch(3n, 0, INT32_MAX - 4, 5), 0n)
  assert.equal(s.get(3n)!.batches[0]!.lastSeq, INT32_MAX)
  rejects(() => s.prepare([batch(3n, 0, 1, 1)], [[5n, 5n]]), 'TRIB_LOG_OUT_OF_ORDER_SEQUENCE')
  assert.equal(append(s, batch(3n, 0, 0, 3), 5n).kind, 'append')
  // A batch that itself crosses the wrap.
  const t = new ProducerStateManager()
  append(t, batch(4n, 0, INT32_MAX - 1, 4), 0n)
  assert.equal(t.get(4n)!.batches[0]!.lastSeq, 1)
  assert.equal(t.prepare([batch(4n, 0, INT32_MAX - 1, 4)], [[4n, 7n]]).kind, 'duplicate')
  assert.equal(append(t, batch(4n, 0, 2, 1), 4n).kind, 'append')
})

test('several batches of one append are checked against each other; one bad batch refuses them all', () => {
  const s = new ProducerStateManager()
  const check = s.prepare([batch(5n, 0, 0, 2), batch(5n, 0, 2, 2), batch(6n, 1, 0, 1)], [[0n, 1n], [2n, 3n], [4n, 4n]])
  assert.equal(check.kind, 'append')
  assert.equal(s.size, 0, 'nothing is installed before commit')
  if (check.kind === 'append') check.plan.commit()
  assert.deepEqual(s.get(5n)!.batches.map(b => [b.firstSeq, b.lastOffset]), [[0, 1n], [2, 3n]])
  rejects(() => s.prepare([batch(5n, 0, 4, 1), batch(5n, 0, 9, 1)], [[5n, 5n], [6n, 6n]]), 'TRIB_LOG_OUT_OF_ORDER_SEQUENCE')
  assert.equal(s.get(5n)!.batches.length, 2)
})

test('batches without a producer id are not tracked', () => {
  const s = new ProducerStateManager()
  assert.equal(append(s, batch(-1n, -1, -1, 3), 0n).kind, 'append')
  assert.equal(s.size, 0)
})

test('producers idle for producer.id.expiration.ms are removed; an open transaction keeps its producer', () => {
  const s = new ProducerStateManager()
  append(s, batch(1n, 0, 0, 1, 1_000n), 0n)
  append(s, batch(2n, 0, 0, 1, 5_000n), 1n)
  s.load({ ...s.get(1n)!, producerId: 3n, currentTxnFirstOffset: 0n })
  assert.equal(s.removeExpired(5_999, 5_000), 0)
  assert.equal(s.removeExpired(6_000, 5_000), 1)
  assert.deepEqual([...s.all()].map(e => e.producerId).sort(), [2n, 3n])
  assert.equal(s.removeExpired(10_000, 5_000), 1)
  assert.deepEqual([...s.all()].map(e => e.producerId), [3n])
})

test('snapshots round-trip every field and a damaged one decodes to null', () => {
  const s = new ProducerStateManager()
  for (let i = 0; i < 7; i++) append(s, batch(11n, 2, i * 3, 3, BigInt(100 + i)), BigInt(i * 3))
  append(s, batch(12n, 0, 5, 1, 77n), 21n)
  const bytes = encodeProducerSnapshot(s.all())
  assert.deepEqual(decodeProducerSnapshot(bytes), [...s.all()])
  for (const at of [0, 3, 10, bytes.length - 2]) {
    const bad = Buffer.from(bytes)
    bad[at]! ^= 0x40
    assert.equal(decodeProducerSnapshot(bad), null, `flip at ${at}`)
  }
  assert.equal(decodeProducerSnapshot(bytes.subarray(0, bytes.length - 5)), null)
  assert.equal(decodeProducerSnapshot(Buffer.alloc(2)), null)
})
