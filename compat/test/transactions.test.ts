// Transactions with real clients (issue 6, points 2, 3 and 5): a
// transaction's records become visible to read_committed consumers all
// together on commit and never on abort; two producers with the same
// transactional id fence each other; offsets sent in a transaction
// (sendOffsetsToTransaction / TxnOffsetCommit) are committed with it.
// librdkafka runs through confluent-kafka-python, kafkajs through node.
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka, logLevel } from 'kafkajs'
import { Producer as PlatformaticProducer, stringSerializers } from '@platformatic/kafka'
import { runPython, silentKafkaJsLogCreator, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'

const T = 60_000

const BROKER_CONFIG = {
  'num.partitions': 3,
  'transaction.state.log.num.partitions': 3,
  'offsets.topic.num.partitions': 3,
  'group.initial.rebalance.delay.ms': 0
}

/** librdkafka transactional producer: one transaction per argv "commit:N" / "abort:N" step, values t<step>-<i>. */
const CONFLUENT_TXN_PRODUCER = `
import json, sys
from confluent_kafka import Producer
bootstrap, topic, txid, steps = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(',')
p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': txid, 'linger.ms': 5, 'transaction.timeout.ms': 30000})
p.init_transactions(30)
for s, step in enumerate(steps):
    action, n = step.split(':')
    p.begin_transaction()
    for i in range(int(n)):
        p.produce(topic, value=('t%d-%d' % (s, i)).encode(), partition=i % 3)
    if action == 'commit':
        p.commit_transaction(30)
    else:
        p.flush(30)
        p.abort_transaction(30)
print(json.dumps({'ok': True}))
`

/**
 * Two librdkafka producers with one transactional id: the second's
 * init_transactions fences the first, whose open transaction is aborted
 * and whose commit fails fatally; the second's commit is visible.
 */
const CONFLUENT_FENCING = `
import json, sys
from confluent_kafka import Producer, KafkaException
bootstrap, topic = sys.argv[1], sys.argv[2]
conf = {'bootstrap.servers': bootstrap, 'transactional.id': 'fenced-id', 'linger.ms': 0}
a = Producer(conf)
a.init_transactions(30)
a.begin_transaction()
a.produce(topic, value=b'from-a', partition=0)
a.flush(30)
b = Producer(conf)
b.init_transactions(30)
b.begin_transaction()
b.produce(topic, value=b'from-b', partition=1)
b.commit_transaction(30)
result = {'a_fatal': False, 'a_error': None}
try:
    a.commit_transaction(10)
except KafkaException as e:
    err = e.args[0]
    result['a_fatal'] = err.fatal()
    result['a_error'] = err.name()
print(json.dumps(result))
`

/** librdkafka consumer reading every partition from the start until `n` records (or the end) with the given isolation level. */
const CONFLUENT_READER = `
import json, sys, time
from confluent_kafka import Consumer, TopicPartition
bootstrap, topic, isolation = sys.argv[1], sys.argv[2], sys.argv[3]
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'reader-' + isolation + topic, 'isolation.level': isolation,
              'enable.auto.commit': False, 'enable.partition.eof': True, 'auto.offset.reset': 'earliest'})
c.assign([TopicPartition(topic, p, 0) for p in range(3)])
values, eof, deadline = [], set(), time.time() + 30
while len(eof) < 3 and time.time() < deadline:
    m = c.poll(0.5)
    if m is None: continue
    if m.error():
        if m.error().code() == -191: eof.add(m.partition())
        continue
    values.append(m.value().decode())
c.close()
print(json.dumps({'values': values, 'complete': len(eof) == 3}))
`

async function readWith (bootstrap: string, topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  const out = JSON.parse((await runPython(CONFLUENT_READER, [bootstrap, topic, isolation], { timeoutMs: T })).trim().split('\n').pop()!) as { values: string[], complete: boolean }
  assert.ok(out.complete, 'the reader did not reach the end of every partition')
  return out.values.sort()
}

/** Retries a kafkajs call refused with CONCURRENT_TRANSACTIONS (bounded), as applications must for sendOffsets. */
async function retryConcurrent (fn: () => Promise<void>): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await fn()
      return
    } catch (err) {
      if ((err as { type?: string }).type !== 'CONCURRENT_TRANSACTIONS' || i >= 50) throw err
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  }
}

function expected (step: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `t${step}-${i}`)
}

describe('transactions with real clients', () => {
  const brokers: TestBroker[] = []
  after(async () => { for (const b of brokers) await b.close() })

  async function broker (): Promise<TestBroker> {
    const b = await startTestBroker(BROKER_CONFIG)
    brokers.push(b)
    return b
  }

  test('confluent-kafka-python: commit is visible exactly once to read_committed, abort never', async () => {
    const b = await broker()
    await runPython(CONFLUENT_TXN_PRODUCER, [b.bootstrap, 'ck-txn', 'ck-tx-1', 'commit:30,abort:20,commit:10'], { timeoutMs: T })
    const committed = await readWith(b.bootstrap, 'ck-txn', 'read_committed')
    assert.deepEqual(committed, [...expected(0, 30), ...expected(2, 10)].sort())
    // read_uncommitted sees the aborted records too: they are in the log, only filtered by the consumer.
    const all = await readWith(b.bootstrap, 'ck-txn', 'read_uncommitted')
    assert.equal(all.length, 60)
  })

  test('confluent-kafka-python: a second producer with the same transactional id fences the first', async () => {
    const b = await broker()
    const out = JSON.parse((await runPython(CONFLUENT_FENCING, [b.bootstrap, 'ck-fence'], { timeoutMs: T })).trim().split('\n').pop()!) as { a_fatal: boolean, a_error: string | null }
    assert.equal(out.a_fatal, true, `the fenced producer's commit should fail fatally, got ${String(out.a_error)}`)
    assert.match(String(out.a_error), /FENCED|INVALID_PRODUCER_EPOCH/)
    assert.deepEqual(await readWith(b.bootstrap, 'ck-fence', 'read_committed'), ['from-b'])
  })

  test('kafkajs: commit, abort, and sendOffsets commit the consumed offsets with the transaction', async () => {
    const b = await broker()
    const kafka = new Kafka({ clientId: 'txn', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, logCreator: silentKafkaJsLogCreator })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'kjs-txn', numPartitions: 3 }, { topic: 'kjs-in', numPartitions: 1 }] })
    const producer = kafka.producer({ transactionalId: 'kjs-tx', maxInFlightRequests: 1, idempotent: true })
    await withTimeout(producer.connect(), T, 'connect')
    try {
      const t1 = await producer.transaction()
      await t1.send({ topic: 'kjs-txn', messages: Array.from({ length: 9 }, (_, i) => ({ value: `t0-${i}`, partition: i % 3 })) })
      await t1.commit()
      const t2 = await producer.transaction()
      await t2.send({ topic: 'kjs-txn', messages: Array.from({ length: 6 }, (_, i) => ({ value: `t1-${i}`, partition: i % 3 })) })
      await t2.abort()
      // Consume-transform-produce: the input offset is committed only with the transaction.
      const t3 = await producer.transaction()
      await t3.send({ topic: 'kjs-txn', messages: [{ value: 't2-0', partition: 0 }] })
      await t3.sendOffsets({ consumerGroupId: 'kjs-group', topics: [{ topic: 'kjs-in', partitions: [{ partition: 0, offset: '42' }] }] })
      await t3.commit()
      const t4 = await producer.transaction()
      // Kafka answers EndTxn before the markers are written and AddOffsetsToTxn CONCURRENT_TRANSACTIONS until they are;
      // kafkajs retries it for AddPartitionsToTxn (send) but not for sendOffsets (tulios/kafkajs#430), so the application does.
      await retryConcurrent(async () => await t4.sendOffsets({ consumerGroupId: 'kjs-group', topics: [{ topic: 'kjs-in', partitions: [{ partition: 0, offset: '99' }] }] }))
      await t4.abort()
    } finally {
      await producer.disconnect()
    }
    const offsets = await admin.fetchOffsets({ groupId: 'kjs-group', topics: ['kjs-in'] })
    await admin.disconnect()
    assert.deepEqual(offsets, [{ topic: 'kjs-in', partitions: [{ partition: 0, offset: '42', metadata: null }] }])
    assert.deepEqual(await readWith(b.bootstrap, 'kjs-txn', 'read_committed'), [...expected(0, 9), 't2-0'].sort())
    // kafkajs' own read_committed consumer (the default isolation) drops the aborted records too.
    const consumer = kafka.consumer({ groupId: 'kjs-reader', readUncommitted: false, sessionTimeout: 6000, heartbeatInterval: 500 })
    const seen: string[] = []
    await consumer.connect()
    try {
      await consumer.subscribe({ topic: 'kjs-txn', fromBeginning: true })
      await withTimeout(new Promise<void>(resolve => {
        void consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); if (seen.length >= 10) resolve() } })
      }), T, 'kafkajs read_committed consumer')
    } finally {
      await consumer.disconnect()
    }
    assert.deepEqual(seen.sort(), [...expected(0, 9), 't2-0'].sort())
  })

  test('kafkajs: a second producer with the same transactional id during an open transaction fences the first (InitProducerId: CONCURRENT_TRANSACTIONS, retried)', async () => {
    const b = await broker()
    const kafka = new Kafka({ clientId: 'txn-fence', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, logCreator: silentKafkaJsLogCreator })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'kjs-fence', numPartitions: 3 }] })
    await admin.disconnect()
    const first = kafka.producer({ transactionalId: 'kjs-fence-tx', maxInFlightRequests: 1, idempotent: true })
    const second = kafka.producer({ transactionalId: 'kjs-fence-tx', maxInFlightRequests: 1, idempotent: true })
    try {
      await withTimeout(first.connect(), T, 'first connect')
      const open = await first.transaction()
      await open.send({ topic: 'kjs-fence', messages: [{ value: 'zombie-0', partition: 0 }, { value: 'zombie-1', partition: 1 }] })
      await withTimeout(second.connect(), T, 'second connect')
      // kafkajs sends InitProducerId at its first transaction(): the open transaction is aborted with a bumped epoch,
      // the answer is CONCURRENT_TRANSACTIONS, which kafkajs retries until the abort's markers are written.
      const t = await withTimeout(second.transaction(), T, 'second transaction')
      await assert.rejects(open.commit(), (err: Error & { type?: string }) => /PRODUCER_FENCED|INVALID_PRODUCER_EPOCH/.test(String(err.type)))
      await t.send({ topic: 'kjs-fence', messages: [{ value: 'fresh', partition: 0 }] })
      await withTimeout(t.commit(), T, 'second commit')
    } finally {
      await first.disconnect()
      await second.disconnect()
    }
    assert.deepEqual(await readWith(b.bootstrap, 'kjs-fence', 'read_committed'), ['fresh'])
    assert.deepEqual(await readWith(b.bootstrap, 'kjs-fence', 'read_uncommitted'), ['fresh', 'zombie-0', 'zombie-1'])
  })

  test('kafkajs: sendOffsets for a group with an active member (generation -1, no member id) is accepted', async () => {
    const b = await broker()
    const kafka = new Kafka({ clientId: 'txn-live', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, logCreator: silentKafkaJsLogCreator })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'live-in', numPartitions: 1 }] })
    const consumer = kafka.consumer({ groupId: 'live-group', sessionTimeout: 6000, heartbeatInterval: 500 })
    const producer = kafka.producer({ transactionalId: 'live-tx', maxInFlightRequests: 1, idempotent: true })
    try {
      await consumer.connect()
      const joined = new Promise<void>(resolve => { consumer.on(consumer.events.GROUP_JOIN, () => resolve()) })
      await consumer.subscribe({ topic: 'live-in', fromBeginning: true })
      await consumer.run({ eachMessage: async () => {} })
      await withTimeout(joined, T, 'the consumer joining its group')
      await producer.connect()
      const t = await producer.transaction()
      await t.sendOffsets({ consumerGroupId: 'live-group', topics: [{ topic: 'live-in', partitions: [{ partition: 0, offset: '3' }] }] })
      await t.commit()
      // Kafka answers EndTxn before the COMMIT marker reaches __consumer_offsets; until it does, an OffsetFetch
      // without require_stable (kafkajs' admin) still sees the previous offset, so the check polls (bounded).
      let offset = ''
      for (let i = 0; i < 100 && offset !== '3'; i++) {
        if (i > 0) await new Promise(resolve => setTimeout(resolve, 20))
        offset = (await admin.fetchOffsets({ groupId: 'live-group', topics: ['live-in'] }))[0]!.partitions[0]!.offset
      }
      assert.equal(offset, '3')
    } finally {
      await producer.disconnect()
      await consumer.disconnect()
      await admin.disconnect()
    }
  })

  test('@platformatic/kafka: a committed transaction is visible, an aborted one is not', async () => {
    const b = await broker()
    const producer = new PlatformaticProducer({ clientId: 'plt-txn', bootstrapBrokers: [b.bootstrap], idempotent: true, autocreateTopics: true, serializers: stringSerializers })
    try {
      const t1 = await withTimeout(producer.beginTransaction(), T, 'begin')
      await withTimeout(t1.send({ messages: Array.from({ length: 6 }, (_, i) => ({ topic: 'plt-txn', value: `t0-${i}`, partition: i % 3 })) }), T, 'send')
      await withTimeout(t1.commit(), T, 'commit')
      const t2 = await withTimeout(producer.beginTransaction(), T, 'begin')
      await withTimeout(t2.send({ messages: Array.from({ length: 4 }, (_, i) => ({ topic: 'plt-txn', value: `t1-${i}`, partition: i % 3 })) }), T, 'send')
      await withTimeout(t2.abort(), T, 'abort')
    } finally {
      await withTimeout(producer.close(), T, 'close')
    }
    assert.deepEqual(await readWith(b.bootstrap, 'plt-txn', 'read_committed'), expected(0, 6))
  })
})
