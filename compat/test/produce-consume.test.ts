// Produce and consume round trips through real clients: kcat (librdkafka),
// kafkajs (producer only: its consumer needs consumer groups, a later
// issue) and confluent-kafka-python (librdkafka, Consumer.assign() without a
// group coordinator). Every compression codec is written by one client and
// read by another.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { CompressionTypes, Kafka, logLevel } from 'kafkajs'
import { runOk, runPython, silentKafkaJsLogCreator, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'
import { kcatConsume } from './helpers/kcat.js'

const T = 30_000

describe('produce and consume with real clients', () => {
  let broker: TestBroker
  before(async () => { broker = await startTestBroker({ 'num.partitions': 1 }) })
  after(async () => { await broker?.close() })

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    test(`kcat -P -K: -H with ${codec}, read back by kcat -C -J`, async () => {
      const topic = `kcat-${codec}`
      await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', topic, '-K:', '-H', 'h1=v1', '-z', codec], { input: 'k1:v1\nk2:v2\nk3:v3\n', timeoutMs: T })
      const got = await kcatConsume(broker, topic)
      assert.deepEqual(got.map(m => [m.partition, m.offset, m.key, m.payload]), [[0, 0, 'k1', 'v1'], [0, 1, 'k2', 'v2'], [0, 2, 'k3', 'v3']])
      assert.deepEqual(got[0]!.headers, ['h1', 'v1'])
    })
  }

  test('kafkajs producer (keys, headers, timestamps, gzip) read by kcat', async () => {
    const kafka = new Kafka({ clientId: 'compat', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, logCreator: silentKafkaJsLogCreator, retry: { retries: 2 } })
    const producer = kafka.producer({ allowAutoTopicCreation: true })
    await withTimeout(producer.connect(), T, 'connect')
    try {
      const res = await withTimeout(producer.send({
        topic: 'kjs',
        compression: CompressionTypes.GZIP,
        messages: [
          { key: 'a', value: 'one', headers: { h: 'x' }, timestamp: '1700000000000' },
          { key: 'b', value: 'two', timestamp: '1700000000001' }
        ]
      }), T, 'send')
      assert.equal(res[0]!.errorCode, 0)
    } finally {
      await withTimeout(producer.disconnect(), T, 'disconnect')
    }
    const got = await kcatConsume(broker, 'kjs')
    assert.deepEqual(got.map(m => [m.offset, m.key, m.payload, m.ts]), [[0, 'a', 'one', 1700000000000], [1, 'b', 'two', 1700000000001]])
    assert.deepEqual(got[0]!.headers, ['h', 'x'])
  })

  test('kcat writes lz4, confluent-kafka-python reads with assign() and no group coordinator', async () => {
    await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', 'py', '-K:', '-z', 'lz4'], { input: Array.from({ length: 50 }, (_, i) => `k${i}:v${i}`).join('\n') + '\n', timeoutMs: T })
    const script = `
import json, sys
from confluent_kafka import Consumer, TopicPartition
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': 'unused', 'enable.auto.commit': False})
c.assign([TopicPartition('py', 0, 0)])
out = []
while len(out) < 50:
    m = c.poll(10)
    if m is None: break
    if m.error(): out.append({'error': str(m.error())}); break
    out.append([m.offset(), m.key().decode(), m.value().decode()])
c.close()
print(json.dumps(out))
`
    const stdout = await runPython(script, [broker.bootstrap], { timeoutMs: 60_000 })
    const got = JSON.parse(stdout.trim().split('\n').pop()!) as unknown[]
    assert.deepEqual(got, Array.from({ length: 50 }, (_, i) => [i, `k${i}`, `v${i}`]))
  })

  test('confluent-kafka-python writes every codec, kcat and kafka-python read them', async () => {
    const script = `
import json, sys
from confluent_kafka import Producer
for codec in ['gzip', 'snappy', 'lz4', 'zstd']:
    p = Producer({'bootstrap.servers': sys.argv[1], 'compression.type': codec, 'linger.ms': 5})
    errors = []
    for i in range(20):
        p.produce('ck-' + codec, key=('k%d' % i).encode(), value=('v%d' % i).encode(), headers=[('codec', codec.encode())],
                  on_delivery=lambda err, msg: errors.append(str(err)) if err else None)
    p.flush(20)
    if errors: print(json.dumps({'errors': errors})); sys.exit(1)
print(json.dumps({'ok': True}))
`
    assert.match(await runPython(script, [broker.bootstrap], { timeoutMs: 60_000 }), /"ok": true/)
    const reader = `
import json, sys
from kafka import KafkaConsumer, TopicPartition
out = {}
for codec in ['gzip', 'snappy', 'lz4', 'zstd']:
    c = KafkaConsumer(bootstrap_servers=sys.argv[1], enable_auto_commit=False, consumer_timeout_ms=5000, api_version_auto_timeout_ms=10000)
    tp = TopicPartition('ck-' + codec, 0)
    c.assign([tp])
    c.seek_to_beginning(tp)
    out[codec] = [[m.offset, m.key.decode(), m.value.decode()] for m in c]
    c.close()
print(json.dumps(out))
`
    const fromKafkaPython = JSON.parse((await runPython(reader, [broker.bootstrap], { timeoutMs: 90_000 })).trim().split('\n').pop()!) as Record<string, unknown>
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
      const expected = Array.from({ length: 20 }, (_, i) => [i, `k${i}`, `v${i}`])
      // kafka-python decodes snappy, lz4 and zstd with python3-snappy, python3-lz4 and python3-zstandard.
      assert.deepEqual(fromKafkaPython[codec], expected, `kafka-python ${codec}`)
      const got = await kcatConsume(broker, `ck-${codec}`)
      assert.deepEqual(got.map(m => [m.offset, m.key, m.payload]), expected, `kcat ${codec}`)
      assert.deepEqual(got[0]!.headers, ['codec', codec])
    }
  })

  test('1 MiB records with a raised max.message.bytes: kcat writes, confluent-kafka-python reads', async () => {
    await runOk('kcat', ['-b', broker.bootstrap, '-X', 'message.max.bytes=4000000', '-P', '-t', 'unused-probe'], { input: 'x\n', timeoutMs: T })
    const script = `
import json, sys
from confluent_kafka import Producer, Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({'bootstrap.servers': sys.argv[1]})
a.create_topics([NewTopic('big', 1, 1, config={'max.message.bytes': '3000000'})])['big'].result(10)
p = Producer({'bootstrap.servers': sys.argv[1], 'message.max.bytes': 3000000})
for i in range(3):
    p.produce('big', key=b'k%d' % i, value=bytes([65 + i]) * (1024 * 1024))
p.flush(30)
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': 'unused', 'enable.auto.commit': False, 'fetch.message.max.bytes': 3000000})
c.assign([TopicPartition('big', 0, 0)])
out = []
while len(out) < 3:
    m = c.poll(10)
    if m is None or m.error(): break
    out.append([m.offset(), len(m.value()), m.value()[:1].decode()])
c.close()
print(json.dumps(out))
`
    const got = JSON.parse((await runPython(script, [broker.bootstrap], { timeoutMs: 90_000 })).trim().split('\n').pop()!) as unknown
    assert.deepEqual(got, [[0, 1048576, 'A'], [1, 1048576, 'B'], [2, 1048576, 'C']])
  })
})

// 100,000 records over 8 partitions from librdkafka with its default of many
// requests in flight per connection: every record arrives exactly once, the
// offsets of each partition are dense, and each key's values keep the order
// in which they were produced (librdkafka partitions by key, so a key stays
// in one partition).
describe('100,000 records: exact counts and per-partition order', () => {
  let broker: TestBroker
  before(async () => { broker = await startTestBroker({ 'num.partitions': 8 }) })
  after(async () => { await broker?.close() })

  test('kcat produces with pipelined requests; kcat reads everything back in order', async () => {
    const N = 100_000
    const input = Array.from({ length: N }, (_, i) => `k${i % 97}:${i}`).join('\n') + '\n'
    await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', 'many', '-K:', '-X', 'linger.ms=5'], { input, timeoutMs: 60_000 })
    const r = await runOk('kcat', ['-b', broker.bootstrap, '-C', '-t', 'many', '-o', 'beginning', '-e', '-q', '-f', '%p %o %k %s\\n'], { timeoutMs: 60_000 })
    const rows = r.stdout.trim().split('\n').map(l => l.split(' '))
    assert.equal(rows.length, N)
    assert.equal(new Set(rows.map(x => x[3])).size, N, 'every record exactly once')
    const partitions = new Map<string, { offsets: number[], lastByKey: Map<string, number> }>()
    for (const [p, o, k, v] of rows) {
      let s = partitions.get(p!)
      if (s === undefined) partitions.set(p!, s = { offsets: [], lastByKey: new Map() })
      s.offsets.push(Number(o))
      const last = s.lastByKey.get(k!)
      assert.ok(last === undefined || Number(v) > last, `partition ${p}: key ${k} went from ${last} back to ${v}`)
      s.lastByKey.set(k!, Number(v))
    }
    assert.equal(partitions.size, 8, 'keys spread over all partitions')
    for (const [p, s] of partitions) assert.deepEqual(s.offsets, s.offsets.map((_, i) => i), `dense offsets in partition ${p}`)
  })
})
