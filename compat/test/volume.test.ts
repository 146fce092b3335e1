// 100,000 records with exact counts and per-partition order, and 1 MiB
// records, through client pairs other than kcat's (produce-consume.test.ts
// has kcat to kcat):
// kafkajs produces and confluent-kafka-python reads back; confluent-kafka-
// python produces (librdkafka's pipelined requests, lz4) and kafka-python
// reads back. Each record's value carries its key's sequence number; every
// partition must hold dense offsets from 0, each key in one partition (the
// Java partitioner), and each key's sequence numbers in order, without gaps
// or duplicates.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { CompressionTypes, Kafka, Partitioners, logLevel } from 'kafkajs'
import { runPython, silentKafkaJsLogCreator, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'
import { javaPartition } from './helpers/murmur2.js'

const N = 100_000
const KEYS = 101
const PARTITIONS = 8
const T = 60_000

/** Reads every partition from the start with assign() and prints one "partition offset key value" line per record. */
const CONFLUENT_READER = `
import sys
from confluent_kafka import Consumer, TopicPartition
topic, parts, n = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': 'unused', 'enable.auto.commit': False, 'enable.partition.eof': True})
c.assign([TopicPartition(topic, i, 0) for i in range(parts)])
out = []
eofs = set()
while len(eofs) < parts:
    msgs = c.consume(10000, 10)
    if not msgs: break
    for m in msgs:
        if m.error():
            if m.error().code() == -191: eofs.add(m.partition())
            else: raise SystemExit(str(m.error()))
        else:
            out.append('%d %d %s %s' % (m.partition(), m.offset(), m.key().decode(), m.value().decode()))
c.close()
sys.stdout.write('\\n'.join(out) + '\\n')
`

const KAFKA_PYTHON_READER = `
import sys
from kafka import KafkaConsumer, TopicPartition
topic, parts, n = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
c = KafkaConsumer(bootstrap_servers=sys.argv[1], enable_auto_commit=False, consumer_timeout_ms=10000, api_version_auto_timeout_ms=10000, max_partition_fetch_bytes=4 * 1024 * 1024)
tps = [TopicPartition(topic, i) for i in range(parts)]
c.assign(tps)
c.seek_to_beginning(*tps)
out = []
for m in c:
    out.append('%d %d %s %s' % (m.partition, m.offset, m.key.decode(), m.value.decode()))
    if len(out) >= n: break
c.close()
sys.stdout.write('\\n'.join(out) + '\\n')
`

function checkAll (stdout: string): void {
  const rows = stdout.split('\n').filter(l => l !== '').map(l => l.split(' '))
  assert.equal(rows.length, N, 'exact count')
  const offsets = new Map<number, number[]>()
  const lastSeq = new Map<string, number>()
  const keyPartition = new Map<string, number>()
  for (const [p, o, key, value] of rows) {
    const partition = Number(p)
    offsets.set(partition, [...(offsets.get(partition) ?? []), Number(o)])
    assert.equal(partition, javaPartition(key!, PARTITIONS), `key ${key} in the murmur2 partition`)
    if (keyPartition.has(key!)) assert.equal(keyPartition.get(key!), partition)
    keyPartition.set(key!, partition)
    const seq = Number(value)
    assert.equal(seq, (lastSeq.get(key!) ?? -1) + 1, `key ${key}: ${seq} after ${lastSeq.get(key!)}`)
    lastSeq.set(key!, seq)
  }
  assert.equal(keyPartition.size, KEYS)
  for (const [p, os] of offsets) {
    for (let i = 0; i < os.length; i++) assert.equal(os[i], i, `partition ${p} offset ${i}`)
  }
}

/** Record i: key k(i mod KEYS), value its sequence number within that key. */
const record = (i: number): { key: string, value: string } => ({ key: `k${i % KEYS}`, value: String(Math.floor(i / KEYS)) })

describe('100,000 records: kafkajs produces, confluent-kafka-python reads', () => {
  let broker: TestBroker
  before(async () => { broker = await startTestBroker({ 'num.partitions': PARTITIONS }) })
  after(async () => { await broker?.close() })

  test('exact count, dense offsets, each key in order in its murmur2 partition', async () => {
    const kafka = new Kafka({ clientId: 'compat-volume', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, logCreator: silentKafkaJsLogCreator })
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true })
    await withTimeout(producer.connect(), T, 'connect')
    try {
      // One send of 5,000 records at a time: kafkajs keeps no order across
      // concurrent sends, so order across sends is only the broker's.
      for (let from = 0; from < N; from += 5000) {
        const messages = Array.from({ length: 5000 }, (_, j) => record(from + j))
        await withTimeout(producer.send({ topic: 'volume-kjs', compression: CompressionTypes.GZIP, messages }), T, 'send')
      }
    } finally {
      await producer.disconnect()
    }
    checkAll(await runPython(CONFLUENT_READER, [broker.bootstrap, 'volume-kjs', String(PARTITIONS), String(N)], { timeoutMs: 90_000 }))
  })
})

describe('100,000 records: confluent-kafka-python produces, kafka-python reads', () => {
  let broker: TestBroker
  before(async () => { broker = await startTestBroker({ 'num.partitions': PARTITIONS }) })
  after(async () => { await broker?.close() })

  test('exact count, dense offsets, each key in order in its murmur2 partition', async () => {
    const producer = `
import sys
from confluent_kafka import Producer
n, keys = int(sys.argv[2]), int(sys.argv[3])
# Idempotence off and retries 0: librdkafka keeps up to 5 requests in
# flight per partition and the broker must append them in order.
p = Producer({'bootstrap.servers': sys.argv[1], 'partitioner': 'murmur2_random', 'compression.type': 'lz4', 'linger.ms': 5,
              'retries': 0, 'queue.buffering.max.messages': 200000})
errors = []
for i in range(n):
    p.produce('volume-ck', key=('k%d' % (i % keys)).encode(), value=str(i // keys).encode(), on_delivery=lambda err, msg: errors.append(str(err)) if err else None)
    if i % 10000 == 0: p.poll(0)
left = p.flush(60)
print('left', left, 'errors', len(errors), errors[:3])
`
    const out = await runPython(producer, [broker.bootstrap, String(N), String(KEYS)], { timeoutMs: 90_000 })
    assert.match(out, /left 0 errors 0 /)
    checkAll(await runPython(KAFKA_PYTHON_READER, [broker.bootstrap, 'volume-ck', String(PARTITIONS), String(N)], { timeoutMs: 90_000 }))
  })
})

// 1 MiB records (produce-consume.test.ts has kcat to confluent-kafka-python):
// kafkajs writes them to a topic whose max.message.bytes admits them, and
// kafka-python reads them back with its default 1 MiB
// max_partition_fetch_bytes, which a record of 1 MiB plus its batch header
// exceeds: the broker still returns the first batch whole (KIP-74).
describe('1 MiB records: kafkajs produces, kafka-python reads', () => {
  let broker: TestBroker
  before(async () => { broker = await startTestBroker({ 'num.partitions': 1 }) })
  after(async () => { await broker?.close() })

  test('five records of 1 MiB, each byte checked', async () => {
    const MiB = 1024 * 1024
    const kafka = new Kafka({ clientId: 'compat-big', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, logCreator: silentKafkaJsLogCreator })
    const admin = kafka.admin()
    const producer = kafka.producer()
    await withTimeout(admin.connect(), T, 'admin connect')
    await withTimeout(producer.connect(), T, 'connect')
    try {
      await withTimeout(admin.createTopics({ topics: [{ topic: 'big-kjs', numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: String(2 * MiB) }] }] }), T, 'createTopics')
      for (let i = 0; i < 5; i++) {
        await withTimeout(producer.send({ topic: 'big-kjs', messages: [{ key: `k${i}`, value: Buffer.alloc(MiB, 65 + i) }] }), T, 'send')
      }
    } finally {
      await producer.disconnect()
      await admin.disconnect()
    }
    const reader = `
import json, sys
from kafka import KafkaConsumer, TopicPartition
c = KafkaConsumer(bootstrap_servers=sys.argv[1], enable_auto_commit=False, consumer_timeout_ms=10000, api_version_auto_timeout_ms=10000)
tp = TopicPartition('big-kjs', 0)
c.assign([tp])
c.seek_to_beginning(tp)
out = []
for m in c:
    out.append([m.offset, m.key.decode(), len(m.value), len(set(m.value)), chr(m.value[0])])
    if len(out) == 5: break
c.close()
print(json.dumps(out))
`
    const got = JSON.parse((await runPython(reader, [broker.bootstrap], { timeoutMs: 90_000 })).trim().split('\n').pop()!) as unknown
    assert.deepEqual(got, [0, 1, 2, 3, 4].map(i => [i, `k${i}`, MiB, 1, String.fromCharCode(65 + i)]))
  })
})
