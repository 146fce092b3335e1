// The transaction coordinator over the wire (issue 6, points 2-4):
// FindCoordinator key type 1, InitProducerId with a transactional id,
// AddPartitionsToTxn (v3 and the batched v4 form with verify_only),
// AddOffsetsToTxn, TxnOffsetCommit with OffsetFetch require_stable, EndTxn,
// the KIP-890 produce check, the last stable offset (Fetch and ListOffsets
// read_committed, aborted transactions), DescribeTransactions,
// ListTransactions, DescribeProducers, and the state replayed at restart.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ErrorCode, encodeRecordBatchSync } from '@tributary/protocol'
import {
  AddOffsetsToTxnApi, AddPartitionsToTxnApi, DescribeProducersApi, DescribeTransactionsApi, EndTxnApi, FetchApi, FindCoordinatorApi,
  InitProducerIdApi, ListOffsetsApi, ListTransactionsApi, OffsetFetchApi, ProduceApi, TxnOffsetCommitApi
} from '@tributary/protocol/apis'
import { startBroker, type Broker } from '../../src/index.js'
import { RawClient } from '../raw-client.js'
import { createTopic } from '../producers/helpers.js'

const CONFIG = { 'transaction.state.log.num.partitions': 2, 'offsets.topic.num.partitions': 2, 'transaction.max.timeout.ms': 120_000 }

function txnBatch (producerId: bigint, producerEpoch: number, seq: number, values: string[]): Buffer {
  return encodeRecordBatchSync({ transactional: true, producerId, producerEpoch, baseSequence: seq, records: values.map(v => ({ key: null, value: Buffer.from(v) })) })
}

async function findTxnCoordinator (c: RawClient, id: string): Promise<number> {
  const r = await c.request(FindCoordinatorApi, 4, { key: '', keyType: 1, coordinatorKeys: [id] })
  return r.coordinators[0]!.errorCode
}

async function init (c: RawClient, id: string, version = 4, timeoutMs = 60_000, producerId = -1n, producerEpoch = -1) {
  return await c.request(InitProducerIdApi, version, { transactionalId: id, transactionTimeoutMs: timeoutMs, producerId, producerEpoch })
}

async function addPartitions (c: RawClient, id: string, producerId: bigint, producerEpoch: number, topic: string, partitions: number[], version = 3): Promise<number[]> {
  const r = await c.request(AddPartitionsToTxnApi, version, { v3AndBelowTransactionalId: id, v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch, v3AndBelowTopics: [{ name: topic, partitions }], transactions: [] })
  return r.resultsByTopicV3AndBelow.flatMap(t => t.resultsByPartition.map(p => p.partitionErrorCode))
}

async function endTxn (c: RawClient, id: string, producerId: bigint, producerEpoch: number, committed: boolean, version = 3): Promise<number> {
  return (await c.request(EndTxnApi, version, { transactionalId: id, producerId, producerEpoch, committed })).errorCode
}

/**
 * Kafka answers EndTxn once Prepare* is durable and writes the markers
 * after: waits (bounded) until the id's transaction left Prepare*.
 */
async function completed (c: RawClient, id: string): Promise<string> {
  let state = ''
  for (let i = 0; i < 200; i++) {
    state = (await c.request(DescribeTransactionsApi, 0, { transactionalIds: [id] })).transactionStates[0]!.transactionState
    if (state !== 'PrepareCommit' && state !== 'PrepareAbort') return state
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  return state
}

async function produceTxn (c: RawClient, topic: string, partition: number, records: Buffer, version = 9) {
  const r = await c.request(ProduceApi, version, { transactionalId: 'x', acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] })
  return r.responses[0]!.partitionResponses[0]!
}

async function fetchCommitted (c: RawClient, topic: string, isolationLevel = 1) {
  const r = await c.request(FetchApi, 12, {
    replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, logStartOffset: -1n, lastFetchedEpoch: -1 }] }],
    forgottenTopicsData: [], rackId: ''
  })
  return r.responses[0]!.partitions[0]!
}

async function latest (c: RawClient, topic: string, isolationLevel: number): Promise<bigint> {
  const r = await c.request(ListOffsetsApi, 7, { replicaId: -1, isolationLevel, topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }], timeoutMs: 1000 })
  return r.topics[0]!.partitions[0]!.offset
}

describe('transaction coordinator over the wire', () => {
  let dir: string
  let broker: Broker
  let c: RawClient
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trib-txn-'))
    broker = await startBroker({ port: 0, logLevel: 'error', dataDir: dir, ...CONFIG })
    c = await RawClient.connect(broker.port)
  })
  after(async () => { c?.close(); await broker?.close(); await rm(dir, { recursive: true, force: true }) })

  test('FindCoordinator key type 1 creates __transaction_state and names this broker (v1 and v4)', async () => {
    assert.equal(await findTxnCoordinator(c, 'tx-a'), ErrorCode.NONE)
    const v1 = await c.request(FindCoordinatorApi, 1, { key: 'tx-b', keyType: 1, coordinatorKeys: [] })
    assert.deepEqual([v1.errorCode, v1.nodeId, v1.port], [ErrorCode.NONE, 1, broker.port])
  })

  test('InitProducerId: the timeout must be in (0, transaction.max.timeout.ms]; epochs bump; a stale KIP-360 pair is fenced (INVALID_PRODUCER_EPOCH before v4)', async () => {
    assert.equal((await init(c, 'tx-a', 4, 120_001)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT)
    assert.equal((await init(c, 'tx-a', 4, 0)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT)
    const first = await init(c, 'tx-a')
    assert.deepEqual([first.errorCode, first.producerEpoch], [ErrorCode.NONE, 0])
    const second = await init(c, 'tx-a', 4, 60_000, first.producerId, first.producerEpoch)
    assert.deepEqual([second.errorCode, second.producerId, second.producerEpoch], [ErrorCode.NONE, first.producerId, 1])
    assert.equal((await init(c, 'tx-a', 4, 60_000, first.producerId, 0)).errorCode, ErrorCode.PRODUCER_FENCED)
    assert.equal((await init(c, 'tx-a', 3, 60_000, first.producerId, 0)).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH)
  })

  test('commit: read_committed sees nothing of an open transaction (LSO), everything after the COMMIT marker', async () => {
    await createTopic(c, 'tc')
    assert.equal(await findTxnCoordinator(c, 'tx-c'), ErrorCode.NONE)
    const { producerId, producerEpoch } = await init(c, 'tx-c')
    // KIP-890 part 1: a transactional batch to a partition outside the transaction is refused.
    const refused = await produceTxn(c, 'tc', 0, txnBatch(producerId, producerEpoch, 0, ['early']))
    assert.equal(refused.errorCode, ErrorCode.INVALID_TXN_STATE)
    assert.equal((await produceTxn(c, 'tc', 0, txnBatch(producerId, producerEpoch, 0, ['early']), 11)).errorCode, ErrorCode.TRANSACTION_ABORTABLE)
    assert.deepEqual(await addPartitions(c, 'tx-c', producerId, producerEpoch, 'tc', [0]), [ErrorCode.NONE])
    assert.equal((await produceTxn(c, 'tc', 0, txnBatch(producerId, producerEpoch, 0, ['a', 'b']))).errorCode, ErrorCode.NONE)
    const open = await fetchCommitted(c, 'tc')
    assert.deepEqual([open.highWatermark, open.lastStableOffset, open.records?.length ?? 0], [2n, 0n, 0])
    assert.equal(await latest(c, 'tc', 1), 0n)
    assert.equal(await latest(c, 'tc', 0), 2n)
    const producers = (await c.request(DescribeProducersApi, 0, { topics: [{ name: 'tc', partitionIndexes: [0] }] })).topics[0]!.partitions[0]!.activeProducers
    assert.deepEqual(producers.map(p => [p.producerId, p.currentTxnStartOffset]), [[producerId, 0n]])
    assert.equal(await endTxn(c, 'tx-c', producerId, producerEpoch, true), ErrorCode.NONE)
    assert.equal(await completed(c, 'tx-c'), 'CompleteCommit')
    const done = await fetchCommitted(c, 'tc')
    assert.deepEqual([done.highWatermark, done.lastStableOffset, done.abortedTransactions], [3n, 3n, []])
    assert.ok((done.records?.length ?? 0) > 0)
    assert.equal(await latest(c, 'tc', 1), 3n)
  })

  test('abort: the aborted transaction is listed for read_committed fetches; read_uncommitted lists none', async () => {
    await createTopic(c, 'ta')
    assert.equal(await findTxnCoordinator(c, 'tx-d'), ErrorCode.NONE)
    const { producerId, producerEpoch } = await init(c, 'tx-d')
    assert.deepEqual(await addPartitions(c, 'tx-d', producerId, producerEpoch, 'ta', [0]), [ErrorCode.NONE])
    assert.equal((await produceTxn(c, 'ta', 0, txnBatch(producerId, producerEpoch, 0, ['x', 'y']))).errorCode, ErrorCode.NONE)
    assert.equal(await endTxn(c, 'tx-d', producerId, producerEpoch, false), ErrorCode.NONE)
    assert.equal(await completed(c, 'tx-d'), 'CompleteAbort')
    const committed = await fetchCommitted(c, 'ta')
    assert.equal(committed.lastStableOffset, 3n)
    assert.deepEqual(committed.abortedTransactions, [{ producerId, firstOffset: 0n }])
    assert.equal((await fetchCommitted(c, 'ta', 0)).abortedTransactions, null)
    // The decision cannot change: commit after abort is INVALID_TXN_STATE, a retried abort is NONE.
    assert.equal(await endTxn(c, 'tx-d', producerId, producerEpoch, true), ErrorCode.INVALID_TXN_STATE)
    assert.equal(await endTxn(c, 'tx-d', producerId, producerEpoch, false), ErrorCode.NONE)
  })

  test('AddPartitionsToTxn: unknown partitions, wrong producer ids, stale epochs; v4 batches with verify_only', async () => {
    await createTopic(c, 'tp', 2)
    assert.equal(await findTxnCoordinator(c, 'tx-e'), ErrorCode.NONE)
    const { producerId, producerEpoch } = await init(c, 'tx-e')
    assert.deepEqual(await addPartitions(c, 'tx-e', producerId, producerEpoch, 'tp', [0, 7]), [ErrorCode.OPERATION_NOT_ATTEMPTED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
    assert.deepEqual(await addPartitions(c, 'tx-e', producerId + 1n, producerEpoch, 'tp', [0]), [ErrorCode.INVALID_PRODUCER_ID_MAPPING])
    assert.deepEqual(await addPartitions(c, 'tx-e', producerId, producerEpoch + 1, 'tp', [0]), [ErrorCode.PRODUCER_FENCED])
    assert.deepEqual(await addPartitions(c, 'tx-e', producerId, producerEpoch + 1, 'tp', [0], 1), [ErrorCode.INVALID_PRODUCER_EPOCH])
    const r = await c.request(AddPartitionsToTxnApi, 4, {
      transactions: [
        { transactionalId: 'tx-e', producerId, producerEpoch, verifyOnly: false, topics: [{ name: 'tp', partitions: [1] }] },
        { transactionalId: 'tx-e', producerId, producerEpoch, verifyOnly: true, topics: [{ name: 'tp', partitions: [0] }] }
      ],
      v3AndBelowTransactionalId: '', v3AndBelowProducerId: 0n, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: []
    })
    assert.equal(r.errorCode, ErrorCode.NONE)
    assert.deepEqual(r.resultsByTransaction.map(t => t.topicResults[0]!.resultsByPartition[0]!.partitionErrorCode), [ErrorCode.NONE, ErrorCode.INVALID_TXN_STATE])
    const described = await c.request(DescribeTransactionsApi, 0, { transactionalIds: ['tx-e', 'nobody'] })
    const [e, nobody] = described.transactionStates
    assert.deepEqual([e!.errorCode, e!.transactionState, e!.producerId, e!.topics], [ErrorCode.NONE, 'Ongoing', producerId, [{ topic: 'tp', partitions: [1] }]])
    assert.ok(e!.transactionStartTimeMs > 0n)
    assert.equal(nobody!.errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND)
    assert.equal(await endTxn(c, 'tx-e', producerId, producerEpoch, false), ErrorCode.NONE)
    assert.equal(await completed(c, 'tx-e'), 'CompleteAbort')
  })

  test('ListTransactions filters by state, producer id and duration; unknown states are echoed', async () => {
    const all = await c.request(ListTransactionsApi, 1, { stateFilters: [], producerIdFilters: [], durationFilter: -1n })
    assert.equal(all.errorCode, ErrorCode.NONE)
    assert.ok(all.transactionStates.some(t => t.transactionalId === 'tx-c' && t.transactionState === 'CompleteCommit'))
    const aborted = await c.request(ListTransactionsApi, 0, { stateFilters: ['CompleteAbort', 'Bogus'], producerIdFilters: [], durationFilter: -1n })
    assert.deepEqual(aborted.unknownStateFilters, ['Bogus'])
    assert.deepEqual(aborted.transactionStates.map(t => t.transactionalId).sort(), ['tx-d', 'tx-e'])
    const d = all.transactionStates.find(t => t.transactionalId === 'tx-d')!
    const byId = await c.request(ListTransactionsApi, 0, { stateFilters: [], producerIdFilters: [d.producerId], durationFilter: -1n })
    assert.deepEqual(byId.transactionStates.map(t => t.transactionalId), ['tx-d'])
    // No transaction is ongoing, so none has run longer than an hour... except those with no start time, which Kafka counts as old.
    const long = await c.request(ListTransactionsApi, 1, { stateFilters: ['Ongoing'], producerIdFilters: [], durationFilter: 3_600_000n })
    assert.deepEqual(long.transactionStates, [])
  })

  test('TxnOffsetCommit: offsets are pending (require_stable: UNSTABLE_OFFSET_COMMIT) until the COMMIT marker; an abort drops them', async () => {
    await createTopic(c, 'src')
    assert.equal(await findTxnCoordinator(c, 'tx-o'), ErrorCode.NONE)
    const { producerId, producerEpoch } = await init(c, 'tx-o')
    const commitOffsets = async (offset: bigint) => (await c.request(TxnOffsetCommitApi, 3, {
      transactionalId: 'tx-o', groupId: 'og', producerId, producerEpoch, generationId: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 'src', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }]
    })).topics[0]!.partitions[0]!.errorCode
    const fetchOffset = async (requireStable: boolean) => {
      const r = await c.request(OffsetFetchApi, 7, { groupId: 'og', topics: [{ name: 'src', partitionIndexes: [0] }], requireStable, groups: [] })
      const p = r.topics[0]!.partitions[0]!
      return [p.errorCode, p.committedOffset]
    }
    const group = await c.request(FindCoordinatorApi, 4, { key: '', keyType: 0, coordinatorKeys: ['og'] })
    assert.equal(group.coordinators[0]!.errorCode, ErrorCode.NONE)
    // The group's partition must be in the transaction first (AddOffsetsToTxn).
    assert.equal(await commitOffsets(5n), ErrorCode.INVALID_TXN_STATE)
    const added = await c.request(AddOffsetsToTxnApi, 3, { transactionalId: 'tx-o', producerId, producerEpoch, groupId: 'og' })
    assert.equal(added.errorCode, ErrorCode.NONE)
    assert.equal(await commitOffsets(5n), ErrorCode.NONE)
    assert.deepEqual(await fetchOffset(true), [ErrorCode.UNSTABLE_OFFSET_COMMIT, -1n])
    assert.deepEqual(await fetchOffset(false), [ErrorCode.NONE, -1n])
    assert.equal(await endTxn(c, 'tx-o', producerId, producerEpoch, true), ErrorCode.NONE)
    assert.equal(await completed(c, 'tx-o'), 'CompleteCommit')
    assert.deepEqual(await fetchOffset(true), [ErrorCode.NONE, 5n])
    assert.equal((await c.request(AddOffsetsToTxnApi, 3, { transactionalId: 'tx-o', producerId, producerEpoch, groupId: 'og' })).errorCode, ErrorCode.NONE)
    assert.equal(await commitOffsets(9n), ErrorCode.NONE)
    assert.equal(await endTxn(c, 'tx-o', producerId, producerEpoch, false), ErrorCode.NONE)
    assert.equal(await completed(c, 'tx-o'), 'CompleteAbort')
    assert.deepEqual(await fetchOffset(true), [ErrorCode.NONE, 5n])
  })

  test('after a restart the coordinator state, the open transaction\'s LSO and the committed transactional offsets are rebuilt', async () => {
    assert.equal(await findTxnCoordinator(c, 'tx-r'), ErrorCode.NONE)
    await createTopic(c, 'tr')
    const { producerId, producerEpoch } = await init(c, 'tx-r')
    assert.deepEqual(await addPartitions(c, 'tx-r', producerId, producerEpoch, 'tr', [0]), [ErrorCode.NONE])
    assert.equal((await produceTxn(c, 'tr', 0, txnBatch(producerId, producerEpoch, 0, ['p']))).errorCode, ErrorCode.NONE)
    c.close()
    await broker.close()
    broker = await startBroker({ port: 0, logLevel: 'error', dataDir: dir, ...CONFIG })
    c = await RawClient.connect(broker.port)
    let state = ''
    for (let i = 0; i < 50 && state !== 'Ongoing'; i++) {
      const d = await c.request(DescribeTransactionsApi, 0, { transactionalIds: ['tx-r'] })
      state = d.transactionStates[0]!.transactionState
      if (state !== 'Ongoing') await new Promise(resolve => setTimeout(resolve, 50))
    }
    assert.equal(state, 'Ongoing')
    assert.equal((await fetchCommitted(c, 'tr')).lastStableOffset, 0n)
    assert.equal(await endTxn(c, 'tx-r', producerId, producerEpoch, true), ErrorCode.NONE)
    assert.equal(await completed(c, 'tx-r'), 'CompleteCommit')
    assert.equal((await fetchCommitted(c, 'tr')).lastStableOffset, 2n)
    const r = await c.request(OffsetFetchApi, 7, { groupId: 'og', topics: [{ name: 'src', partitionIndexes: [0] }], requireStable: true, groups: [] })
    assert.equal(r.topics[0]!.partitions[0]!.committedOffset, 5n)
  })

  test('transaction.timeout.ms: the coordinator aborts an old transaction and fences its producer', async () => {
    const dir2 = await mkdtemp(join(tmpdir(), 'trib-txn-timeout-'))
    const b2 = await startBroker({ port: 0, logLevel: 'error', dataDir: dir2, ...CONFIG, 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 50 })
    const c2 = await RawClient.connect(b2.port)
    try {
      await createTopic(c2, 'tt')
      assert.equal(await findTxnCoordinator(c2, 'tx-t'), ErrorCode.NONE)
      const { producerId, producerEpoch } = await init(c2, 'tx-t', 4, 200)
      assert.deepEqual(await addPartitions(c2, 'tx-t', producerId, producerEpoch, 'tt', [0]), [ErrorCode.NONE])
      assert.equal((await produceTxn(c2, 'tt', 0, txnBatch(producerId, producerEpoch, 0, ['slow']))).errorCode, ErrorCode.NONE)
      let p = await fetchCommitted(c2, 'tt')
      for (let i = 0; i < 100 && p.lastStableOffset === 0n; i++) {
        await new Promise(resolve => setTimeout(resolve, 50))
        p = await fetchCommitted(c2, 'tt')
      }
      assert.equal(p.lastStableOffset, 2n)
      assert.deepEqual(p.abortedTransactions, [{ producerId, firstOffset: 0n }])
      assert.equal(await endTxn(c2, 'tx-t', producerId, producerEpoch, true), ErrorCode.PRODUCER_FENCED)
      // The fenced epoch cannot write to the partition either (the ABORT marker carried the bumped epoch).
      assert.equal((await produceTxn(c2, 'tt', 0, txnBatch(producerId, producerEpoch, 1, ['late']))).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH)
      const d = await c2.request(DescribeTransactionsApi, 0, { transactionalIds: ['tx-t'] })
      assert.deepEqual([d.transactionStates[0]!.transactionState, d.transactionStates[0]!.producerEpoch], ['CompleteAbort', producerEpoch + 1])
    } finally {
      c2.close()
      await b2.close()
      await rm(dir2, { recursive: true, force: true })
    }
  })
})
