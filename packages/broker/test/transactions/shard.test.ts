// Unit tests of the transaction coordinator's state machine (TxnShard)
// with fake writes and markers: the transitions of Kafka's
// TransactionCoordinator, its error codes, and that replaying the written
// records rebuilds the same state.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@tributary/protocol'
import { decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue, type TxnRecordValue } from '../../src/transactions/records.js'
import { TxnShard, type TopicPartition } from '../../src/transactions/shard.js'

interface Marker { producerId: bigint, producerEpoch: number, commit: boolean, partitions: TopicPartition[] }

function harness (): { shard: TxnShard, log: Array<[string, TxnRecordValue | null]>, markers: Marker[], clock: { now: number }, failWrites: { on: boolean } } {
  const log: Array<[string, TxnRecordValue | null]> = []
  const markers: Marker[] = []
  const clock = { now: 1_000_000 }
  const failWrites = { on: false }
  let nextId = 1000n
  const shard = new TxnShard(0, {
    write: async (id, value) => {
      if (failWrites.on) throw new Error('disk on fire')
      // Through the real encoding, as the log would store it.
      log.push([decodeTxnKey(encodeTxnKey(id)), value === null ? null : decodeTxnValue(encodeTxnValue(value))])
    },
    writeMarkers: async (producerId, producerEpoch, commit, partitions) => { markers.push({ producerId, producerEpoch, commit, partitions }) },
    allocateProducerId: async () => nextId++,
    now: () => clock.now,
    onError: () => {}
  })
  return { shard, log, markers, clock, failWrites }
}

const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition })

describe('transaction coordinator state machine', () => {
  test('a new transactional id gets a new producer id with epoch 0; the next InitProducerId bumps the epoch', async () => {
    const { shard, log } = harness()
    assert.deepEqual(await shard.initProducerId('a', 60000, -1n, -1), { errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 0 })
    assert.deepEqual(await shard.initProducerId('a', 60000, -1n, -1), { errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 1 })
    assert.equal(shard.txns.get('a')!.state, 'Empty')
    assert.deepEqual(log.map(([, v]) => v!.state), ['Empty', 'Empty'])
  })

  test('commit: Ongoing, PrepareCommit, markers, CompleteCommit; a retried commit is NONE, an abort after it INVALID_TXN_STATE', async () => {
    const { shard, log, markers } = harness()
    const { producerId, producerEpoch } = await shard.initProducerId('a', 60000, -1n, -1)
    assert.equal(await shard.addPartitions('a', producerId, producerEpoch, [tp('t', 0), tp('t', 1)]), ErrorCode.NONE)
    assert.equal(shard.txns.get('a')!.state, 'Ongoing')
    // Adding a partition already in the transaction writes nothing.
    const before = log.length
    assert.equal(await shard.addPartitions('a', producerId, producerEpoch, [tp('t', 1)]), ErrorCode.NONE)
    assert.equal(log.length, before)
    assert.equal(await shard.endTxn('a', producerId, producerEpoch, true), ErrorCode.NONE)
    assert.deepEqual(log.map(([, v]) => v!.state), ['Empty', 'Ongoing', 'PrepareCommit', 'CompleteCommit'])
    assert.deepEqual(log[2]![1]!.partitions, [{ topic: 't', partitions: [0, 1] }])
    assert.deepEqual(log[3]![1]!.partitions, [])
    assert.deepEqual(markers, [{ producerId, producerEpoch, commit: true, partitions: [tp('t', 0), tp('t', 1)] }])
    assert.equal(await shard.endTxn('a', producerId, producerEpoch, true), ErrorCode.NONE)
    assert.equal(await shard.endTxn('a', producerId, producerEpoch, false), ErrorCode.INVALID_TXN_STATE)
    assert.equal(markers.length, 1)
  })

  test('EndTxn without a transaction is INVALID_TXN_STATE', async () => {
    const { shard } = harness()
    const { producerId, producerEpoch } = await shard.initProducerId('a', 60000, -1n, -1)
    assert.equal(await shard.endTxn('a', producerId, producerEpoch, true), ErrorCode.INVALID_TXN_STATE)
  })

  test('unknown ids or producer ids are INVALID_PRODUCER_ID_MAPPING; an old epoch is PRODUCER_FENCED', async () => {
    const { shard } = harness()
    assert.equal(await shard.addPartitions('nope', 1n, 0, [tp('t', 0)]), ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    const first = await shard.initProducerId('a', 60000, -1n, -1)
    assert.equal(await shard.addPartitions('a', first.producerId + 1n, 0, [tp('t', 0)]), ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    await shard.initProducerId('a', 60000, -1n, -1)
    assert.equal(await shard.addPartitions('a', first.producerId, first.producerEpoch, [tp('t', 0)]), ErrorCode.PRODUCER_FENCED)
    assert.equal(await shard.endTxn('a', first.producerId, first.producerEpoch, true), ErrorCode.PRODUCER_FENCED)
    // KIP-360: recovering with a stale id/epoch pair is fenced too.
    assert.equal((await shard.initProducerId('a', 60000, first.producerId, first.producerEpoch)).errorCode, ErrorCode.PRODUCER_FENCED)
  })

  test('InitProducerId during an ongoing transaction aborts it with a fencing epoch and returns a newer epoch', async () => {
    const { shard, markers } = harness()
    const p = await shard.initProducerId('a', 60000, -1n, -1)
    await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 2)])
    const next = await shard.initProducerId('a', 60000, -1n, -1)
    assert.equal(next.errorCode, ErrorCode.NONE)
    assert.equal(next.producerEpoch, 2)
    assert.deepEqual(markers, [{ producerId: p.producerId, producerEpoch: 1, commit: false, partitions: [tp('t', 2)] }])
    assert.equal(await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)]), ErrorCode.PRODUCER_FENCED)
  })

  test('requests while a write is in flight get CONCURRENT_TRANSACTIONS', async () => {
    const { shard } = harness()
    const p = await shard.initProducerId('a', 60000, -1n, -1)
    const adding = shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)])
    assert.equal(await shard.endTxn('a', p.producerId, p.producerEpoch, true), ErrorCode.CONCURRENT_TRANSACTIONS)
    assert.equal((await shard.initProducerId('a', 60000, -1n, -1)).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS)
    assert.equal(await adding, ErrorCode.NONE)
  })

  test('a failed write leaves the state as it was and the id usable', async () => {
    const { shard, failWrites } = harness()
    const p = await shard.initProducerId('a', 60000, -1n, -1)
    failWrites.on = true
    await assert.rejects(shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)]))
    failWrites.on = false
    assert.equal(shard.txns.get('a')!.state, 'Empty')
    assert.equal(await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)]), ErrorCode.NONE)
  })

  test('transaction.timeout.ms aborts an old ongoing transaction and fences its producer', async () => {
    const { shard, markers, clock } = harness()
    const p = await shard.initProducerId('a', 1000, -1n, -1)
    await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)])
    clock.now += 1000
    assert.equal(shard.abortTimedOut(), 0)
    clock.now += 1
    assert.equal(shard.abortTimedOut(), 1)
    await shard.settled()
    assert.equal(shard.txns.get('a')!.state, 'CompleteAbort')
    assert.deepEqual(markers.map(m => [m.commit, m.producerEpoch]), [[false, 1]])
    assert.equal(await shard.endTxn('a', p.producerId, p.producerEpoch, true), ErrorCode.PRODUCER_FENCED)
  })

  test('transactional.id.expiration.ms removes idle finished ids with a tombstone, not ongoing ones', async () => {
    const { shard, log, clock } = harness()
    await shard.initProducerId('idle', 60000, -1n, -1)
    const busy = await shard.initProducerId('busy', 600000, -1n, -1)
    await shard.addPartitions('busy', busy.producerId, busy.producerEpoch, [tp('t', 0)])
    clock.now += 5000
    assert.equal(shard.expireIds(5000), 1)
    await shard.settled()
    assert.equal(shard.txns.has('idle'), false)
    assert.equal(shard.txns.has('busy'), true)
    assert.deepEqual(log.at(-1), ['idle', null])
  })

  test('verify_only (KIP-890) answers NONE only for partitions of the ongoing transaction', async () => {
    const { shard } = harness()
    const p = await shard.initProducerId('a', 60000, -1n, -1)
    await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)])
    assert.equal(shard.verify('a', p.producerId, p.producerEpoch, tp('t', 0)), ErrorCode.NONE)
    assert.equal(shard.verify('a', p.producerId, p.producerEpoch, tp('t', 1)), ErrorCode.INVALID_TXN_STATE)
    assert.equal(shard.verify('a', p.producerId, p.producerEpoch + 1, tp('t', 0)), ErrorCode.PRODUCER_FENCED)
  })

  test('replaying the written records rebuilds the state; a transaction caught in PrepareCommit is completed at load', async () => {
    const a = harness()
    const p = await a.shard.initProducerId('x', 60000, -1n, -1)
    await a.shard.addPartitions('x', p.producerId, p.producerEpoch, [tp('t', 0)])
    await a.shard.endTxn('x', p.producerId, p.producerEpoch, true)
    const q = await a.shard.initProducerId('y', 60000, -1n, -1)
    await a.shard.addPartitions('y', q.producerId, q.producerEpoch, [tp('u', 3)])
    const b = harness()
    for (const [id, v] of a.log) b.shard.replay(id, v)
    assert.equal(b.shard.txns.get('x')!.state, 'CompleteCommit')
    assert.equal(b.shard.txns.get('y')!.state, 'Ongoing')
    assert.deepEqual([...b.shard.txns.get('y')!.partitions.values()], [tp('u', 3)])
    // Cut the log after a PrepareCommit: the loaded coordinator sends the markers and completes.
    const c = harness()
    for (const [id, v] of a.log.slice(0, 3)) c.shard.replay(id, v)
    assert.equal(c.shard.txns.get('x')!.state, 'PrepareCommit')
    c.shard.resumeCompletions()
    await c.shard.settled()
    assert.equal(c.shard.txns.get('x')!.state, 'CompleteCommit')
    assert.deepEqual(c.markers.map(m => m.commit), [true])
  })
})
