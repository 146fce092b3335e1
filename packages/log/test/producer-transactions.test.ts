// Open transactions in the producer state (KIP-98): a transactional batch
// opens its producer's transaction, a marker closes it; the earliest open
// one bounds the last stable offset (also the cleaner's bound), and
// recovery rebuilds it from the log (batches and markers).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CompressionCodec, encodeControlBatch, encodeRecordBatchSync } from '@tributary/protocol'
import { recoverProducerState } from '../src/producer-recovery.js'
import { ProducerStateManager, type ProducerBatch } from '../src/producer-state.js'
import { openLog } from './disk-helpers.js'
import { withTempDir } from './helpers/temp-dir.js'

const NOW = 1_700_000_000_000
const OPTS = { nowMs: NOW, expirationMs: 86_400_000 }

function txn (producerId: bigint, epoch: number, seq: number, count: number): ProducerBatch {
  return { producerId, producerEpoch: epoch, baseSequence: seq, lastOffsetDelta: count - 1, maxTimestamp: BigInt(NOW), isTransactional: true }
}

function append (s: ProducerStateManager, b: ProducerBatch, offset: bigint): void {
  const check = s.prepare([b], [[offset, offset + BigInt(b.lastOffsetDelta)]])
  assert.equal(check.kind, 'append')
  if (check.kind === 'append') check.plan.commit()
}

test('the first transactional batch opens the transaction; later ones keep its first offset; a marker ends it', () => {
  const s = new ProducerStateManager()
  assert.equal(s.firstUnstableOffset(), null)
  append(s, txn(1n, 0, 0, 2), 10n)
  append(s, txn(2n, 0, 0, 1), 12n)
  append(s, txn(1n, 0, 2, 3), 13n)
  assert.equal(s.get(1n)!.currentTxnFirstOffset, 10n)
  assert.equal(s.firstUnstableOffset(), 10n)
  assert.equal(s.completeTxn(1n, 0, 0, BigInt(NOW)), 10n)
  assert.equal(s.firstUnstableOffset(), 12n)
  assert.equal(s.completeTxn(2n, 0, 0, BigInt(NOW)), 12n)
  assert.equal(s.firstUnstableOffset(), null)
  // A marker for a producer without an open transaction ends nothing.
  assert.equal(s.completeTxn(1n, 0, 0, BigInt(NOW)), -1n)
})

test('a marker with a bumped epoch fences the producer: its old epoch is refused afterwards', () => {
  const s = new ProducerStateManager()
  append(s, txn(1n, 3, 0, 1), 0n)
  s.completeTxn(1n, 4, 0, BigInt(NOW))
  assert.equal(s.get(1n)!.producerEpoch, 4)
  assert.throws(() => s.prepare([txn(1n, 3, 1, 1)], [[2n, 2n]]), /smaller than the last seen epoch/)
})

test('a coordinator\'s transactional batch (no sequence) opens a transaction without sequence checks; producers with open transactions do not expire', () => {
  const s = new ProducerStateManager()
  s.beginCoordinatorTxn(7n, 0, 5n, BigInt(NOW))
  s.beginCoordinatorTxn(7n, 0, 9n, BigInt(NOW))
  assert.equal(s.firstUnstableOffset(), 5n)
  assert.equal(s.removeExpired(NOW + 1_000_000_000, 1), 0)
  s.completeTxn(7n, 0, 0, BigInt(NOW))
  assert.equal(s.removeExpired(NOW + 1_000_000_000, 1), 1)
})

test('recovery rebuilds open transactions from batches and markers; the log\'s last stable offset follows the hook', () => withTempDir('pstate-txn', async dir => {
  const log = await openLog(dir, { segmentBytes: 1 << 20 })
  const batch = (producerId: bigint, seq: number): Buffer => encodeRecordBatchSync({
    compression: CompressionCodec.NONE, transactional: true, producerId, producerEpoch: 0, baseSequence: seq,
    records: [{ key: null, value: Buffer.from('v'), timestamp: BigInt(NOW) }]
  })
  await log.append(batch(1n, 0)) // offset 0, producer 1 opens
  await log.append(batch(2n, 0)) // offset 1, producer 2 opens
  await log.append(encodeControlBatch({ producerId: 1n, producerEpoch: 0, commit: true, coordinatorEpoch: 0, timestamp: BigInt(NOW) })) // offset 2
  await log.append(batch(1n, 1)) // offset 3, producer 1 opens again
  const s = new ProducerStateManager()
  await recoverProducerState(log, s, OPTS)
  assert.deepEqual([...s.openTransactions()].sort((a, b) => Number(a[0] - b[0])), [[1n, 3n], [2n, 1n]])
  log.highWatermark = log.logEndOffset()
  assert.equal(log.lastStableOffset(), 4n)
  log.firstUnstableOffset = () => s.firstUnstableOffset()
  assert.equal(log.lastStableOffset(), 1n)
  await log.close()
}))
