// Transactions of our producer (KIP-98) against a real in-process broker:
// read back by our read_committed consumer and by kcat (librdkafka) with
// isolation.level=read_committed; offsets sent to a transaction read back
// with kafkajs' admin. Two independent clients check what became visible.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka, logLevel, type Admin as KafkaJsAdmin } from 'kafkajs'
import { Admin, ClientStateError, Consumer, Producer, ProducerFencedError, TransactionStateError, type ConsumerMessage } from '../../src/index.js'
import { kcatConsume, startTestBroker, take, withTimeout, type TestBroker } from '../helpers/env.js'

const CONFIG = { 'transaction.state.log.num.partitions': 2, 'offsets.topic.num.partitions': 2, 'num.partitions': 1, 'group.initial.rebalance.delay.ms': 0 }

describe('transactions', () => {
  let broker: TestBroker
  let admin: Admin
  let kafkajs: KafkaJsAdmin
  const producers: Producer[] = []
  const consumers: Consumer[] = []

  function producer (transactionalId: string, extra: Partial<ConstructorParameters<typeof Producer>[0]> = {}): Producer {
    const p = new Producer({ brokers: [broker.bootstrap], transactionalId, lingerMs: 1, retry: { totalTimeoutMs: 10_000 }, ...extra })
    producers.push(p)
    return p
  }

  /** Everything our consumer reads from partitions 0..n-1 up to `count` messages. */
  async function readAll (topic: string, partitions: number, count: number, isolationLevel: 'read_committed' | 'read_uncommitted'): Promise<ConsumerMessage[]> {
    const c = new Consumer({ brokers: [broker.bootstrap], isolationLevel, maxWaitMs: 50 })
    consumers.push(c)
    c.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 'earliest' as const })))
    const got = await take(c, count, 10_000)
    // Nothing beyond: a short bounded read must come back empty.
    await assert.rejects(take(c, 1, 400), /timed out/)
    await c.close()
    return got
  }

  const values = (ms: ReadonlyArray<{ value: Buffer | null }>): string[] => ms.map(m => m.value?.toString() ?? '').sort()

  before(async () => {
    broker = await startTestBroker(CONFIG)
    admin = new Admin({ brokers: [broker.bootstrap] })
    kafkajs = new Kafka({ clientId: 'txn-check', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin()
    await kafkajs.connect()
  })
  after(async () => {
    for (const c of consumers) await c.close().catch(() => {})
    for (const p of producers) await p.close().catch(() => {})
    await kafkajs?.disconnect()
    await admin?.close()
    await broker?.close()
  })

  test('commit: every record visible exactly once to read_committed readers (ours and kcat)', async () => {
    const topic = 'txn-commit'
    await admin.createTopics([{ name: topic, numPartitions: 2 }])
    const p = producer('tx-commit')
    await p.initTransactions()
    const expected: string[] = []
    for (let t = 0; t < 2; t++) {
      p.beginTransaction()
      const msgs = Array.from({ length: 5 }, (_, i) => ({ value: `t${t}-${i}`, partition: i % 2 }))
      expected.push(...msgs.map(m => m.value))
      // Not awaited: commit waits for sends begun before it.
      const sent = p.send({ topic, messages: msgs })
      await p.commitTransaction()
      const meta = await sent
      assert.equal(meta.length, 5)
    }
    expected.sort()
    assert.deepEqual(values(await readAll(topic, 2, 10, 'read_committed')), expected)
    const kc = await kcatConsume(broker.bootstrap, topic, ['-X', 'isolation.level=read_committed'])
    assert.deepEqual(kc.map(m => m.payload ?? '').sort(), expected)
  })

  test('abort: nothing visible to read_committed, read_uncommitted sees the records; unsent records are dropped', async () => {
    const topic = 'txn-abort'
    await admin.createTopics([{ name: topic, numPartitions: 1 }])
    const p = producer('tx-abort')
    await p.initTransactions()
    p.beginTransaction()
    await p.send({ topic, messages: [{ value: 'a1' }, { value: 'a2' }, { value: 'a3' }] })
    await p.abortTransaction()
    // A second transaction commits after the aborted one, so that the last stable offset moves past it.
    p.beginTransaction()
    await p.send({ topic, messages: [{ value: 'c1' }] })
    await p.commitTransaction()

    assert.deepEqual(values(await readAll(topic, 1, 1, 'read_committed')), ['c1'])
    const kc = await kcatConsume(broker.bootstrap, topic, ['-X', 'isolation.level=read_committed'])
    assert.deepEqual(kc.map(m => m.payload), ['c1'])
    assert.deepEqual(values(await readAll(topic, 1, 4, 'read_uncommitted')), ['a1', 'a2', 'a3', 'c1'])
    const kcAll = await kcatConsume(broker.bootstrap, topic, ['-X', 'isolation.level=read_uncommitted'])
    assert.deepEqual(kcAll.map(m => m.payload), ['a1', 'a2', 'a3', 'c1'])

    // Records still lingering when the abort comes are never sent: their send() rejects.
    const slow = producer('tx-abort-linger', { lingerMs: 60_000 })
    await slow.initTransactions()
    slow.beginTransaction()
    const pending = slow.send({ topic, messages: [{ value: 'never' }] })
    const rejected = assert.rejects(pending, TransactionStateError)
    await withTimeout(slow.abortTransaction(), 10_000, 'abort')
    await rejected
    // librdkafka reads read_committed by default: ask for everything.
    assert.deepEqual((await kcatConsume(broker.bootstrap, topic, ['-X', 'isolation.level=read_uncommitted'])).map(m => m.payload), ['a1', 'a2', 'a3', 'c1'])
  })

  test('read_committed stops at an open transaction (the last stable offset) until it commits', async () => {
    const topic = 'txn-lso'
    await admin.createTopics([{ name: topic, numPartitions: 1 }])
    const p = producer('tx-lso')
    await p.initTransactions()
    p.beginTransaction()
    await p.send({ topic, messages: [{ value: 'open-1' }] })
    const plain = new Producer({ brokers: [broker.bootstrap] })
    producers.push(plain)
    await plain.send({ topic, messages: [{ value: 'plain-1' }] })
    const c = new Consumer({ brokers: [broker.bootstrap], isolationLevel: 'read_committed', maxWaitMs: 50 })
    consumers.push(c)
    c.assign([{ topic, partition: 0, offset: 'earliest' }])
    // One iterator throughout: its first next() stays pending while the transaction is open.
    const it = c[Symbol.asyncIterator]()
    const first = it.next()
    const early = await Promise.race([first.then(() => 'record'), new Promise(resolve => setTimeout(() => resolve('nothing'), 500))])
    assert.equal(early, 'nothing')
    await p.commitTransaction()
    const a = await withTimeout(first, 10_000, 'the first committed record')
    const b = await withTimeout(it.next(), 10_000, 'the second record')
    assert.deepEqual([a.value?.value?.toString(), b.value?.value?.toString()], ['open-1', 'plain-1'])
    await c.close()
  })

  test('our read_committed consumer drops a transaction kafkajs aborted', async () => {
    const topic = 'txn-kafkajs'
    await admin.createTopics([{ name: topic, numPartitions: 1 }])
    const kp = new Kafka({ clientId: 'txn-kafkajs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
      .producer({ transactionalId: 'kafkajs-tx', maxInFlightRequests: 1, idempotent: true })
    await kp.connect()
    try {
      const aborted = await kp.transaction()
      await aborted.send({ topic, messages: [{ value: 'k-abort-1' }, { value: 'k-abort-2' }] })
      await aborted.abort()
      const committed = await kp.transaction()
      await committed.send({ topic, messages: [{ value: 'k-commit' }] })
      await committed.commit()
    } finally {
      await kp.disconnect()
    }
    assert.deepEqual(values(await readAll(topic, 1, 1, 'read_committed')), ['k-commit'])
    assert.deepEqual(values(await readAll(topic, 1, 3, 'read_uncommitted')), ['k-abort-1', 'k-abort-2', 'k-commit'])
  })

  test('two producers with one transactional id: the older is fenced', async () => {
    const topic = 'txn-fence'
    await admin.createTopics([{ name: topic, numPartitions: 1 }])
    const older = producer('tx-fence')
    await older.initTransactions()
    older.beginTransaction()
    await older.send({ topic, messages: [{ value: 'zombie' }] })

    const newer = producer('tx-fence')
    await newer.initTransactions() // aborts the older one's open transaction with a bumped epoch
    await assert.rejects(older.commitTransaction(), ProducerFencedError)
    // Fatal: every later call says so.
    assert.throws(() => older.beginTransaction(), ProducerFencedError)
    await assert.rejects(older.send({ topic, messages: [{ value: 'x' }] }), ProducerFencedError)

    newer.beginTransaction()
    await newer.send({ topic, messages: [{ value: 'winner' }] })
    await newer.commitTransaction()
    assert.deepEqual(values(await readAll(topic, 1, 1, 'read_committed')), ['winner'])
    assert.deepEqual((await kcatConsume(broker.bootstrap, topic, ['-X', 'isolation.level=read_committed'])).map(m => m.payload), ['winner'])
  })

  test('sendOffsetsToTransaction: offsets committed with the transaction only (read back by kafkajs)', async () => {
    const topic = 'txn-offsets'
    await admin.createTopics([{ name: topic, numPartitions: 1 }])
    const groupId = 'txn-offsets-group'
    const committed = async (): Promise<string | undefined> =>
      (await kafkajs.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions.find(p => p.partition === 0)?.offset
    // As Kafka, EndTxn is answered before the COMMIT marker reaches __consumer_offsets; kafkajs' OffsetFetch
    // (no require_stable) sees the previous offset until then, so a commit's offset is polled for (bounded).
    const committedEventually = async (expected: string): Promise<string | undefined> => {
      let offset = await committed()
      for (let i = 0; i < 100 && offset !== expected; i++) {
        await new Promise(resolve => setTimeout(resolve, 20))
        offset = await committed()
      }
      return offset
    }

    const p = producer('tx-offsets')
    await p.initTransactions()
    p.beginTransaction()
    await p.send({ topic, messages: [{ value: 'out-1' }] })
    await p.sendOffsetsToTransaction({ groupId, offsets: [{ topic, partition: 0, offset: 5 }] })
    await p.abortTransaction()
    assert.equal(await committed(), '-1')

    p.beginTransaction()
    await p.sendOffsetsToTransaction({ groupId, offsets: [{ topic, partition: 0, offset: 7n }], consumerGroupMetadata: { generationId: -1, memberId: '' } })
    await p.send({ topic, messages: [{ value: 'out-2' }] })
    await p.commitTransaction()
    assert.equal(await committedEventually('7'), '7')
    // Our own consumer's committed() sees the same.
    const c = new Consumer({ brokers: [broker.bootstrap], groupId })
    consumers.push(c)
    assert.deepEqual((await c.committed([{ topic, partition: 0 }])).map(o => o.offset), [7n])
    // A transaction of offsets alone commits too.
    p.beginTransaction()
    await p.sendOffsetsToTransaction({ groupId, offsets: [{ topic, partition: 0, offset: 9 }] })
    await p.commitTransaction()
    assert.equal(await committedEventually('9'), '9')
  })

  test('consume-transform-produce: a group member\'s offsets commit with the output, carrying its generation', async () => {
    const input = 'ctp-in'
    const output = 'ctp-out'
    const groupId = 'ctp-group'
    await admin.createTopics([{ name: input, numPartitions: 1 }, { name: output, numPartitions: 1 }])
    const plain = new Producer({ brokers: [broker.bootstrap] })
    producers.push(plain)
    await plain.send({ topic: input, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] })

    const c = new Consumer({ brokers: [broker.bootstrap], groupId, autoCommit: false, isolationLevel: 'read_committed', maxWaitMs: 50, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 })
    consumers.push(c)
    await withTimeout(c.subscribe([input]), 10_000, 'joining the group')
    const got = await take(c, 3, 10_000)
    const member = c.groupMetadata()
    assert.ok((member.generationId ?? -1) >= 1 && member.memberId !== '', 'a joined member has a generation and a member id')

    const p = producer('tx-ctp')
    await p.initTransactions()
    p.beginTransaction()
    await p.send({ topic: output, messages: got.map(m => ({ value: m.value!.toString().toUpperCase() })) })
    const next = got[got.length - 1]!.offset + 1n
    // An old generation is refused by the group coordinator (KIP-447 fencing of zombie members),
    // and the transaction can then only abort.
    await assert.rejects(p.sendOffsetsToTransaction({ groupId, offsets: [{ topic: input, partition: 0, offset: next }], consumerGroupMetadata: { ...member, generationId: member.generationId! - 1 } }), /ILLEGAL_GENERATION/)
    await assert.rejects(p.commitTransaction(), /cannot commit/)
    await p.abortTransaction()
    p.beginTransaction()
    await p.send({ topic: output, messages: got.map(m => ({ value: m.value!.toString().toUpperCase() })) })
    await p.sendOffsetsToTransaction({ groupId, offsets: [{ topic: input, partition: 0, offset: next }], consumerGroupMetadata: member })
    await p.commitTransaction()
    await c.close()

    // Polled (bounded): the COMMIT marker reaches __consumer_offsets after EndTxn is answered, as with Kafka.
    let offset: string | undefined
    for (let i = 0; i < 100 && offset !== '3'; i++) {
      if (i > 0) await new Promise(resolve => setTimeout(resolve, 20))
      offset = (await kafkajs.fetchOffsets({ groupId, topics: [input] }))[0]?.partitions.find(x => x.partition === 0)?.offset
    }
    assert.equal(offset, '3')
    assert.deepEqual((await kcatConsume(broker.bootstrap, output, ['-X', 'isolation.level=read_committed'])).map(m => m.payload), ['A', 'B', 'C'])
  })

  test('state errors are typed and clear', async () => {
    assert.throws(() => new Producer({ brokers: [broker.bootstrap], transactionalId: 'x', idempotent: false }), ClientStateError)
    assert.throws(() => new Producer({ brokers: [broker.bootstrap], transactionalId: 'x', acks: 1 }), ClientStateError)
    const plain = producer('unused')
    await assert.rejects(plain.send({ topic: 'txn-state', messages: [{ value: 'x' }] }), /before initTransactions/)
    assert.throws(() => plain.beginTransaction(), TransactionStateError)
    await assert.rejects(plain.commitTransaction(), TransactionStateError)
    await plain.initTransactions()
    await assert.rejects(plain.initTransactions(), TransactionStateError)
    await assert.rejects(plain.send({ topic: 'txn-state', messages: [{ value: 'x' }] }), /outside a transaction/)
    await assert.rejects(plain.abortTransaction(), TransactionStateError)
    plain.beginTransaction()
    assert.throws(() => plain.beginTransaction(), /inside a transaction/)
    // An empty transaction commits without troubling the coordinator.
    await plain.commitTransaction()
    const nonTxn = new Producer({ brokers: [broker.bootstrap] })
    producers.push(nonTxn)
    await assert.rejects(nonTxn.initTransactions(), TransactionStateError)
  })
})
