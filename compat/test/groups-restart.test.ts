// Issue 5: a group commits, the broker restarts, and the group resumes
// exactly from its committed offsets: no record lost, none repeated beyond
// the last commit. Phase 1 is a kafkajs group consumer committing after
// each record (and stopping mid-way, with records fetched but never
// committed); phase 2, after the restart, a confluent-kafka-python
// (librdkafka) consumer in the same group reads the rest; after a second
// restart kafka-python's admin sees the final offsets.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { runPython, silentKafkaJsLogCreator, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'

const T = 30_000
const TOPIC = 'resume'
const PARTITIONS = 3
const PER_PARTITION = 10
const FIRST_PHASE = 14
const GROUP = 'g-resume'
const OPTS = { 'num.partitions': PARTITIONS, 'offsets.topic.num.partitions': 3, 'group.initial.rebalance.delay.ms': 0 }

/** Subscribes as a group member, reads until `count` records or the deadline, committing after each. */
const CONFLUENT_GROUP_READER = `
import json, sys, time
from confluent_kafka import Consumer
bootstrap, group, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'enable.auto.commit': False,
              'auto.offset.reset': 'earliest', 'session.timeout.ms': 6000})
c.subscribe([topic])
got = []
deadline = time.time() + 25
while len(got) < count and time.time() < deadline:
    m = c.poll(0.2)
    if m is None or m.error():
        continue
    got.append([m.partition(), m.offset(), m.value().decode()])
    c.commit(message=m, asynchronous=False)
# Anything more within a second would be a record delivered twice.
extra = 0
end = time.time() + 1
while time.time() < end:
    m = c.poll(0.2)
    if m is not None and not m.error():
        extra += 1
c.close()
print(json.dumps({'got': got, 'extra': extra}))
`

const KAFKA_PYTHON_OFFSETS = `
import json, sys
from kafka import KafkaAdminClient
a = KafkaAdminClient(bootstrap_servers=sys.argv[1], request_timeout_ms=15000)
print(json.dumps(sorted([[tp.partition, om.offset] for tp, om in a.list_consumer_group_offsets(sys.argv[2]).items()])))
a.close()
`

describe('a group resumes from its committed offsets after a broker restart', () => {
  let broker: TestBroker
  let dataDir: string

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tributary-group-restart-'))
    broker = await startTestBroker({ dataDir, ...OPTS })
  })
  after(async () => {
    await broker?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  test('kafkajs commits part of the topic; after a restart librdkafka reads exactly the rest', async () => {
    const kafka = new Kafka({ clientId: 'compat-resume', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, logCreator: silentKafkaJsLogCreator, retry: { retries: 5 } })
    const producer = kafka.producer()
    await withTimeout(producer.connect(), T, 'connect')
    for (let p = 0; p < PARTITIONS; p++) {
      await withTimeout(producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: PER_PARTITION }, (_, i) => ({ partition: p, value: `${p}-${i}` })) }), T, 'send')
    }
    await producer.disconnect()

    // Phase 1: commit after each of the first FIRST_PHASE records; later ones may be fetched but are never committed.
    const committed: string[] = []
    const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 200 })
    await withTimeout(consumer.connect(), T, 'connect')
    await withTimeout(consumer.subscribe({ topic: TOPIC, fromBeginning: true }), T, 'subscribe')
    let reached: () => void = () => {}
    const enough = new Promise<void>(resolve => { reached = resolve })
    void consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (committed.length >= FIRST_PHASE) { reached(); return }
        await consumer.commitOffsets([{ topic: TOPIC, partition, offset: String(Number(message.offset) + 1) }])
        committed.push(message.value!.toString())
        if (committed.length >= FIRST_PHASE) reached()
      }
    })
    await withTimeout(enough, T, 'first phase')
    await consumer.disconnect()
    assert.equal(committed.length, FIRST_PHASE)

    await broker.close()
    broker = await startTestBroker({ dataDir, ...OPTS })

    // Phase 2: a librdkafka member of the same group starts where the commits left off.
    const rest = PARTITIONS * PER_PARTITION - FIRST_PHASE
    const out = JSON.parse(await runPython(CONFLUENT_GROUP_READER, [broker.bootstrap, GROUP, TOPIC, String(rest)], { timeoutMs: 45_000 }))
    const second = (out.got as Array<[number, number, string]>).map(([, , v]) => v)
    assert.equal(out.extra, 0, 'no record beyond the rest')
    assert.equal(second.length, rest, `read ${second.length} of the ${rest} uncommitted records`)
    assert.deepEqual([...committed, ...second].sort(), Array.from({ length: PARTITIONS }, (_, p) => Array.from({ length: PER_PARTITION }, (_, i) => `${p}-${i}`)).flat().sort(),
      'every record exactly once across the restart')
    // Within each partition the second phase starts right after the last commit and goes on in order.
    for (let p = 0; p < PARTITIONS; p++) {
      const offsets = (out.got as Array<[number, number, string]>).filter(([q]) => q === p).map(([, o]) => o)
      const done = committed.filter(v => v.startsWith(`${p}-`)).length
      assert.deepEqual(offsets, Array.from({ length: PER_PARTITION - done }, (_, i) => done + i), `partition ${p}`)
    }

    await broker.close()
    broker = await startTestBroker({ dataDir, ...OPTS })
    assert.deepEqual(JSON.parse(await runPython(KAFKA_PYTHON_OFFSETS, [broker.bootstrap, GROUP], { timeoutMs: T })), [[0, 10], [1, 10], [2, 10]])
  })
})
