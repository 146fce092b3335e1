// How the transaction coordinator ends transactions over the wire, as
// Kafka's TransactionCoordinator: InitProducerId during an open transaction
// fences the producer and answers CONCURRENT_TRANSACTIONS until the abort's
// markers are written; markers carry the `__transaction_state` partition's
// coordinator epoch, which grows at every load; a broker stopped between
// PrepareCommit and CompleteCommit writes the markers when it loads the
// partition again, and read_committed sees the records only then.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DiskLog } from '@tributary/log'
import { ErrorCode, encodeRecordBatchSync } from '@tributary/protocol'
import {
  AddPartitionsToTxnApi, DescribeProducersApi, DescribeTransactionsApi, EndTxnApi, FetchApi, FindCoordinatorApi, InitProducerIdApi, ProduceApi
} from '@tributary/protocol/apis'
import { startBroker, type Broker } from '../../src/index.js'
import type { Logger } from '../../src/network/index.js'
import { COORDINATOR_EPOCHS_FILE } from '../../src/transactions/coordinator-epochs.js'
import { partitionForGroup } from '../../src/groups/partition-for.js'
import { encodeTxnKey, encodeTxnValue } from '../../src/transactions/records.js'
import { RawClient } from '../raw-client.js'
import { createTopic } from '../producers/helpers.js'

const CONFIG = { 'transaction.state.log.num.partitions': 2, 'offsets.topic.num.partitions': 2 }

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

async function findTxnCoordinator (c: RawClient, id: string): Promise<void> {
  const r = await c.request(FindCoordinatorApi, 4, { key: '', keyType: 1, coordinatorKeys: [id] })
  assert.equal(r.coordinators[0]!.errorCode, ErrorCode.NONE)
}

async function init (c: RawClient, id: string) {
  return await c.request(InitProducerIdApi, 4, { transactionalId: id, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 })
}

/** InitProducerId retried on CONCURRENT_TRANSACTIONS as clients do (bounded). */
async function initRetrying (c: RawClient, id: string): Promise<{ errorCode: number, producerId: bigint, producerEpoch: number, concurrent: number }> {
  let concurrent = 0
  for (let i = 0; i < 200; i++) {
    const r = await init(c, id)
    if (r.errorCode !== ErrorCode.CONCURRENT_TRANSACTIONS) return { ...r, concurrent }
    concurrent++
    await sleep(10)
  }
  return { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS, producerId: -1n, producerEpoch: -1, concurrent }
}

async function addPartition (c: RawClient, id: string, producerId: bigint, producerEpoch: number, topic: string): Promise<number> {
  const r = await c.request(AddPartitionsToTxnApi, 3, { v3AndBelowTransactionalId: id, v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch, v3AndBelowTopics: [{ name: topic, partitions: [0] }], transactions: [] })
  return r.resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode
}

async function produceTxn (c: RawClient, topic: string, producerId: bigint, producerEpoch: number, seq: number, values: string[]): Promise<number> {
  const records = encodeRecordBatchSync({ transactional: true, producerId, producerEpoch, baseSequence: seq, records: values.map(v => ({ key: null, value: Buffer.from(v) })) })
  const r = await c.request(ProduceApi, 9, { transactionalId: 'x', acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] })
  return r.responses[0]!.partitionResponses[0]!.errorCode
}

async function fetchCommitted (c: RawClient, topic: string) {
  const r = await c.request(FetchApi, 12, {
    replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, logStartOffset: -1n, lastFetchedEpoch: -1 }] }],
    forgottenTopicsData: [], rackId: ''
  })
  return r.responses[0]!.partitions[0]!
}

async function describe1 (c: RawClient, id: string) {
  return (await c.request(DescribeTransactionsApi, 0, { transactionalIds: [id] })).transactionStates[0]!
}

/** Waits (bounded) until the id's transaction left Prepare*: the markers are written after EndTxn is answered. */
async function completed (c: RawClient, id: string): Promise<string> {
  let state = ''
  for (let i = 0; i < 200; i++) {
    state = (await describe1(c, id)).transactionState
    if (state !== 'PrepareCommit' && state !== 'PrepareAbort') return state
    await sleep(10)
  }
  return state
}

async function coordinatorEpochOf (c: RawClient, topic: string, producerId: bigint): Promise<number | undefined> {
  const r = await c.request(DescribeProducersApi, 0, { topics: [{ name: topic, partitionIndexes: [0] }] })
  return r.topics[0]!.partitions[0]!.activeProducers.find(p => p.producerId === producerId)?.coordinatorEpoch
}

/** A logger that keeps the messages of warnings and errors (to wait for a background failure). */
/**
 * A producer with one transaction on `topic` committed and completed
 * ('one', offset 0; its marker at 1) and a second one open ('two', offset 2).
 */
async function commitOneOpenAnother (c: RawClient, id: string, topic: string): Promise<{ producerId: bigint, producerEpoch: number }> {
  await createTopic(c, topic)
  await findTxnCoordinator(c, id)
  const p = await init(c, id)
  assert.equal(await addPartition(c, id, p.producerId, p.producerEpoch, topic), ErrorCode.NONE)
  assert.equal(await produceTxn(c, topic, p.producerId, p.producerEpoch, 0, ['one']), ErrorCode.NONE)
  assert.equal((await c.request(EndTxnApi, 3, { transactionalId: id, producerId: p.producerId, producerEpoch: p.producerEpoch, committed: true })).errorCode, ErrorCode.NONE)
  assert.equal(await completed(c, id), 'CompleteCommit')
  assert.equal(await addPartition(c, id, p.producerId, p.producerEpoch, topic), ErrorCode.NONE)
  assert.equal(await produceTxn(c, topic, p.producerId, p.producerEpoch, 1, ['two']), ErrorCode.NONE)
  return p
}

function capturingLogger (messages: string[]): Logger {
  const keep = (obj: object, msg?: string): void => { messages.push(`${msg ?? ''} ${JSON.stringify(obj)}`) }
  const logger: Logger = { child: () => logger, debug: () => {}, info: () => {}, warn: keep, error: keep }
  return logger
}

/** Crash simulation: the coordinator made PrepareCommit durable (EndTxn was answered) and stopped before any marker. */
async function appendPrepareCommit (dir: string, id: string, producerId: bigint, producerEpoch: number, topic: string): Promise<void> {
  const txnLog = await DiskLog.open(join(dir, `__transaction_state-${partitionForGroup(id, 2)}`), {}, { logger: { warn: () => {} } })
  const now = BigInt(Date.now())
  const value = encodeTxnValue({ producerId, producerEpoch, timeoutMs: 60_000, state: 'PrepareCommit', partitions: [{ topic, partitions: [0] }], lastUpdateTimestamp: now, startTimestamp: now })
  await txnLog.append(encodeRecordBatchSync({ baseTimestamp: now, records: [{ key: encodeTxnKey(id), value, timestamp: now }] }), { durable: true, leaderEpoch: 0, timestampType: 'CreateTime', now: () => now })
  await txnLog.close()
}

describe('ending transactions as Kafka\'s coordinator', () => {
  let dir: string
  let broker: Broker
  let c: RawClient
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trib-txn-end-'))
    broker = await startBroker({ port: 0, logLevel: 'error', dataDir: dir, ...CONFIG })
    c = await RawClient.connect(broker.port)
  })
  after(async () => { c?.close(); await broker?.close(); await rm(dir, { recursive: true, force: true }) })

  test('InitProducerId during an open transaction: CONCURRENT_TRANSACTIONS, the transaction aborted with a fencing epoch, the retry gets epoch + 2', async () => {
    await createTopic(c, 'tf')
    await findTxnCoordinator(c, 'tx-f')
    const first = await init(c, 'tx-f')
    assert.equal(await addPartition(c, 'tx-f', first.producerId, first.producerEpoch, 'tf'), ErrorCode.NONE)
    assert.equal(await produceTxn(c, 'tf', first.producerId, first.producerEpoch, 0, ['zombie-1', 'zombie-2']), ErrorCode.NONE)
    assert.equal((await init(c, 'tx-f')).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS)
    const second = await initRetrying(c, 'tx-f')
    assert.deepEqual([second.errorCode, second.producerId, second.producerEpoch], [ErrorCode.NONE, first.producerId, first.producerEpoch + 2])
    // The ABORT marker carried the fencing epoch: read_committed skips the records, the old producer is refused everywhere.
    const p = await fetchCommitted(c, 'tf')
    assert.deepEqual([p.lastStableOffset, p.abortedTransactions], [3n, [{ producerId: first.producerId, firstOffset: 0n }]])
    assert.equal(await produceTxn(c, 'tf', first.producerId, first.producerEpoch, 2, ['late']), ErrorCode.INVALID_PRODUCER_EPOCH)
    const end = await c.request(EndTxnApi, 3, { transactionalId: 'tx-f', producerId: first.producerId, producerEpoch: first.producerEpoch, committed: true })
    assert.equal(end.errorCode, ErrorCode.PRODUCER_FENCED)
    // The new producer proceeds.
    assert.equal(await addPartition(c, 'tx-f', second.producerId, second.producerEpoch, 'tf'), ErrorCode.NONE)
    assert.equal(await produceTxn(c, 'tf', second.producerId, second.producerEpoch, 0, ['fresh']), ErrorCode.NONE)
    assert.equal((await c.request(EndTxnApi, 3, { transactionalId: 'tx-f', producerId: second.producerId, producerEpoch: second.producerEpoch, committed: true })).errorCode, ErrorCode.NONE)
    assert.equal(await completed(c, 'tx-f'), 'CompleteCommit')
    assert.equal((await fetchCommitted(c, 'tf')).lastStableOffset, 5n)
  })

  test('a broker stopped between PrepareCommit and CompleteCommit writes the markers when it loads the partition; the coordinator epoch grew', async () => {
    // A first transaction, completed (its marker carries this load's coordinator epoch), and a second one, open at shutdown.
    const p = await commitOneOpenAnother(c, 'tx-k', 'tk')
    const epochBefore = await coordinatorEpochOf(c, 'tk', p.producerId)
    assert.ok(epochBefore !== undefined && epochBefore >= 0)
    c.close()
    await broker.close()
    await appendPrepareCommit(dir, 'tx-k', p.producerId, p.producerEpoch, 'tk')
    broker = await startBroker({ port: 0, logLevel: 'error', dataDir: dir, ...CONFIG })
    c = await RawClient.connect(broker.port)
    await findTxnCoordinator(c, 'tx-k')
    assert.equal(await completed(c, 'tx-k'), 'CompleteCommit')
    const fetched = await fetchCommitted(c, 'tk')
    assert.deepEqual([fetched.highWatermark, fetched.lastStableOffset, fetched.abortedTransactions], [4n, 4n, []])
    const epochAfter = await coordinatorEpochOf(c, 'tk', p.producerId)
    assert.ok(epochAfter !== undefined && epochAfter > epochBefore, `coordinator epoch ${epochAfter} after the restart, ${epochBefore} before`)
    // The producer goes on with its epoch: the next transaction starts.
    assert.equal(await addPartition(c, 'tx-k', p.producerId, p.producerEpoch, 'tk'), ErrorCode.NONE)
  })

  test('a coordinator whose epoch is older than the markers a partition saw is fenced: the transaction stays PrepareCommit and read_committed never sees it', async () => {
    const p = await commitOneOpenAnother(c, 'tx-z', 'tz')
    c.close()
    await broker.close()
    await appendPrepareCommit(dir, 'tx-z', p.producerId, p.producerEpoch, 'tz')
    // The next load of the partition gets an epoch below the one of the marker already in `tz` (as a stale coordinator would).
    await writeFile(join(dir, COORDINATOR_EPOCHS_FILE), JSON.stringify({ version: 0, epochs: { 0: -100, 1: -100 } }))
    const messages: string[] = []
    broker = await startBroker({ port: 0, dataDir: dir, ...CONFIG, logger: capturingLogger(messages) })
    c = await RawClient.connect(broker.port)
    await findTxnCoordinator(c, 'tx-z')
    for (let i = 0; i < 200 && !messages.some(m => m.includes('completing a transaction failed')); i++) await sleep(10)
    assert.ok(messages.some(m => m.includes('completing a transaction failed') && m.includes('coordinator epoch')), messages.join('\n'))
    assert.equal((await describe1(c, 'tx-z')).transactionState, 'PrepareCommit')
    const fetched = await fetchCommitted(c, 'tz')
    // 'one' (offset 0) and its marker (1) are committed; 'two' (offset 2) stays behind the last stable offset.
    assert.deepEqual([fetched.highWatermark, fetched.lastStableOffset], [3n, 2n])
    assert.equal(await addPartition(c, 'tx-z', p.producerId, p.producerEpoch, 'tz'), ErrorCode.CONCURRENT_TRANSACTIONS)
  })
})
