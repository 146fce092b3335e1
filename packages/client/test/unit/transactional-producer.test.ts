// The transactional producer's requests against a scripted broker: retries
// of coordinator errors, one AddPartitionsToTxn per drain for the new
// partitions only, transactional Produce, EndTxn, and the typed errors.
import { afterEach, beforeEach, test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, readBatchHeader } from '@tributary/protocol'
import { Producer, ProducerFencedError, TransactionStateError } from '../../src/index.js'
import { FakeBroker } from '../helpers/fake-broker.js'

let fake: FakeBroker
const producers: Producer[] = []

function producer (lingerMs = 1): Producer {
  const p = new Producer({ brokers: [`127.0.0.1:${fake.port}`], transactionalId: 'tx', transactionTimeoutMs: 5000, lingerMs, retry: { initialBackoffMs: 1, maxBackoffMs: 5, totalTimeoutMs: 5000 } })
  producers.push(p)
  return p
}

beforeEach(async () => {
  fake = new FakeBroker()
  await fake.start()
  fake.serveCluster([{ name: 't', topicId: '00000000-0000-0000-0000-000000000001', partitions: 3 }])
  fake.versions.push({ apiKey: 0, minVersion: 3, maxVersion: 11 }, { apiKey: 22, minVersion: 0, maxVersion: 5 }, { apiKey: 24, minVersion: 0, maxVersion: 5 },
    { apiKey: 25, minVersion: 0, maxVersion: 4 }, { apiKey: 26, minVersion: 0, maxVersion: 4 }, { apiKey: 28, minVersion: 0, maxVersion: 4 })
  fake.handlers[22] = () => ({ errorCode: 0, producerId: 42n, producerEpoch: 3 })
  fake.handlers[24] = r => ({ resultsByTopicV3AndBelow: (r.body.v3AndBelowTopics as Array<{ name: string, partitions: number[] }>).map(t => ({ name: t.name, resultsByPartition: t.partitions.map(p => ({ partitionIndex: p, partitionErrorCode: 0 })) })) })
  fake.handlers[0] = r => ({ responses: (r.body.topicData as Array<{ name: string, partitionData: Array<{ index: number }> }>).map(t => ({ name: t.name, partitionResponses: t.partitionData.map(p => ({ index: p.index, errorCode: 0, baseOffset: 0n, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null })) })) })
  fake.handlers[26] = () => ({ errorCode: 0 })
})

afterEach(async () => {
  for (const p of producers.splice(0)) await p.close().catch(() => {})
  await fake.close()
})

test('initTransactions retries CONCURRENT_TRANSACTIONS, COORDINATOR_LOAD_IN_PROGRESS and NOT_COORDINATOR (looking the coordinator up again)', { timeout: 10_000 }, async () => {
  const answers = [ErrorCode.CONCURRENT_TRANSACTIONS, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.NOT_COORDINATOR, 0]
  fake.handlers[22] = () => ({ errorCode: answers.shift()!, producerId: 42n, producerEpoch: 3 })
  const p = producer()
  await p.initTransactions()
  const inits = fake.requests(22)
  assert.equal(inits.length, 4)
  assert.equal(inits[0]!.body.transactionalId, 'tx')
  assert.equal(inits[0]!.body.transactionTimeoutMs, 5000)
  const lookups = fake.requests(10)
  assert.ok(lookups.length >= 2, 'NOT_COORDINATOR makes the producer find the coordinator again')
  assert.ok(lookups.every(r => r.body.keyType === 1))
})

test('one AddPartitionsToTxn per drain for new partitions only; transactional Produce; EndTxn commit', { timeout: 10_000 }, async () => {
  // A long linger: only flush and commit drain, each in one round.
  const p = producer(60_000)
  await p.initTransactions()
  p.beginTransaction()
  const first = p.send({ topic: 't', messages: [{ value: 'a', partition: 0 }, { value: 'b', partition: 1 }] })
  await p.flush()
  await first
  const second = p.send({ topic: 't', messages: [{ value: 'c', partition: 1 }, { value: 'd', partition: 2 }] })
  await p.commitTransaction()
  await second
  const adds = fake.requests(24).map(r => (r.body.v3AndBelowTopics as Array<{ partitions: number[] }>).flatMap(t => t.partitions).sort())
  assert.deepEqual(adds, [[0, 1], [2]])
  assert.ok(fake.requests(24).every(r => r.version === 3 && r.body.v3AndBelowProducerId === 42n && r.body.v3AndBelowProducerEpoch === 3))
  for (const r of fake.requests(0)) {
    assert.equal(r.body.transactionalId, 'tx')
    const header = readBatchHeader(r.body.topicData[0].partitionData[0].records)
    assert.equal(header.isTransactional, true)
    assert.equal(header.producerId, 42n)
  }
  const ends = fake.requests(26)
  assert.equal(ends.length, 1)
  assert.equal(ends[0]!.body.committed, true)
  // The next transaction adds its partitions again.
  p.beginTransaction()
  const third = p.send({ topic: 't', messages: [{ value: 'e', partition: 0 }] })
  await p.flush()
  await third
  await p.abortTransaction()
  assert.equal(fake.requests(24).length, 3)
  assert.equal(fake.requests(26)[1]!.body.committed, false)
})

test('an empty transaction ends without EndTxn', { timeout: 10_000 }, async () => {
  const p = producer()
  await p.initTransactions()
  p.beginTransaction()
  await p.commitTransaction()
  p.beginTransaction()
  await p.abortTransaction()
  assert.equal(fake.requests(26).length, 0)
})

test('a failed send makes the transaction abortable only', { timeout: 10_000 }, async () => {
  fake.handlers[24] = r => ({ resultsByTopicV3AndBelow: (r.body.v3AndBelowTopics as Array<{ name: string, partitions: number[] }>).map(t => ({ name: t.name, resultsByPartition: t.partitions.map(p => ({ partitionIndex: p, partitionErrorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED })) })) })
  const p = producer()
  await p.initTransactions()
  p.beginTransaction()
  await assert.rejects(p.send({ topic: 't', messages: [{ value: 'a', partition: 0 }] }), /TRANSACTIONAL_ID_AUTHORIZATION_FAILED/)
  await assert.rejects(p.send({ topic: 't', messages: [{ value: 'b', partition: 0 }] }), TransactionStateError)
  await assert.rejects(p.commitTransaction(), /cannot commit because a send failed/)
  await p.abortTransaction()
  assert.equal(fake.requests(26).length, 0)
  assert.doesNotThrow(() => p.beginTransaction(), 'after the abort a new transaction may begin')
})

test('PRODUCER_FENCED from EndTxn and INVALID_PRODUCER_EPOCH from Produce are fatal ProducerFencedErrors', { timeout: 10_000 }, async () => {
  fake.handlers[26] = () => ({ errorCode: ErrorCode.PRODUCER_FENCED })
  const p = producer()
  await p.initTransactions()
  p.beginTransaction()
  await p.send({ topic: 't', messages: [{ value: 'a', partition: 0 }] })
  await assert.rejects(p.commitTransaction(), ProducerFencedError)
  assert.throws(() => p.beginTransaction(), ProducerFencedError)

  fake.handlers[0] = r => ({ responses: (r.body.topicData as Array<{ name: string, partitionData: Array<{ index: number }> }>).map(t => ({ name: t.name, partitionResponses: t.partitionData.map(x => ({ index: x.index, errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage: null })) })) })
  const q = producer()
  await q.initTransactions()
  q.beginTransaction()
  await assert.rejects(q.send({ topic: 't', messages: [{ value: 'a', partition: 0 }] }), ProducerFencedError)
  await assert.rejects(q.commitTransaction(), ProducerFencedError)
})

test('sendOffsetsToTransaction: AddOffsetsToTxn to the transaction coordinator, then TxnOffsetCommit with the member', { timeout: 10_000 }, async () => {
  let addOffsetsAnswers = 0
  fake.handlers[25] = () => ({ errorCode: addOffsetsAnswers++ === 0 ? ErrorCode.CONCURRENT_TRANSACTIONS : 0 })
  fake.handlers[28] = r => ({ topics: (r.body.topics as Array<{ name: string, partitions: Array<{ partitionIndex: number }> }>).map(t => ({ name: t.name, partitions: t.partitions.map(x => ({ partitionIndex: x.partitionIndex, errorCode: 0 })) })) })
  const p = producer()
  await p.initTransactions()
  p.beginTransaction()
  await p.sendOffsetsToTransaction({ groupId: 'g', offsets: [{ topic: 't', partition: 1, offset: 12 }], consumerGroupMetadata: { generationId: 4, memberId: 'm-1', groupInstanceId: 'i-1' } })
  await p.commitTransaction()
  const order = fake.received.map(r => r.apiKey).filter(k => k === 25 || k === 28 || k === 26)
  assert.deepEqual(order, [25, 25, 28, 26], 'AddOffsetsToTxn (retried once), TxnOffsetCommit, EndTxn')
  const add = fake.requests(25)[1]!.body
  assert.deepEqual([add.transactionalId, add.producerId, add.producerEpoch, add.groupId], ['tx', 42n, 3, 'g'])
  const commit = fake.requests(28)[0]!
  assert.ok(commit.version >= 3)
  assert.deepEqual([commit.body.groupId, commit.body.generationId, commit.body.memberId, commit.body.groupInstanceId], ['g', 4, 'm-1', 'i-1'])
  assert.deepEqual(commit.body.topics[0].partitions[0].committedOffset, 12n)
})
