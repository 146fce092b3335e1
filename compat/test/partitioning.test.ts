// Key partitioning that matches the Java producer's default (murmur2 of
// the key, sign bit masked, modulo the partition count), on topics of 100
// partitions, for every client here that can be configured to use it:
// kafkajs (its DefaultPartitioner), kcat and confluent-kafka-python
// (librdkafka with partitioner=murmur2_random), kafka-python (its default)
// and @platformatic/kafka (its compatibilityPartitioner; its default
// partitioner differs, see FINDINGS.md). The partition each record landed
// in is read back with kcat and compared with a hand-written murmur2
// (helpers/murmur2.ts). The same topics check 100 partitions end to end:
// every partition holds dense offsets and each key's records in the order
// they were produced, and confluent-kafka-python reads all 100 back.
// Producers use acks=all: with the durable default a record acknowledged
// with acks=1 becomes readable only once its fsync is done (FINDINGS.md).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka, Partitioners, logLevel, type Admin as KafkaJsAdmin } from 'kafkajs'
import { Producer as PlatformaticProducer, compatibilityPartitioner, defaultPartitioner, stringSerializers } from '@platformatic/kafka'
import { runOk, runPython, silentKafkaJsLogCreator, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'
import { javaPartition, murmur2 } from './helpers/murmur2.js'

const T = 30_000
const PARTITIONS = 100
// Keys of every length from 1 to 12 bytes (so every tail length of the
// hash), ASCII and multi-byte UTF-8; each key is written 3 times.
const KEYS = Array.from({ length: 300 }, (_, i) => i % 10 === 0 ? `clé-${i}-ü` : `key-${'x'.repeat(i % 7)}${i}`)
const RECORDS = KEYS.flatMap((key, i) => [0, 1, 2].map(round => ({ key, value: `${round}:${i}` })))

interface Landed { partition: number, offset: number, key: string, value: string }

async function readBack (broker: TestBroker, topic: string): Promise<Landed[]> {
  const r = await runOk('kcat', ['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p\t%o\t%k\t%s\n'], { timeoutMs: 60_000 })
  return r.stdout.split('\n').filter(l => l !== '').map(l => {
    const [p, o, key, value] = l.split('\t')
    return { partition: Number(p), offset: Number(o), key: key!, value: value! }
  })
}

/** Every record where the Java partitioner puts it, each partition dense from offset 0, each key's rounds in order. */
function assertJavaPlacement (landed: Landed[]): void {
  assert.equal(landed.length, RECORDS.length, 'every record read back once')
  const wrong = landed.filter(r => r.partition !== javaPartition(r.key, PARTITIONS))
  assert.deepEqual(wrong.slice(0, 5).map(r => [r.key, r.partition, javaPartition(r.key, PARTITIONS)]), [], `${wrong.length} records not in the murmur2 partition`)
  const byPartition = new Map<number, Landed[]>()
  for (const r of landed) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r])
  assert.deepEqual([...byPartition.keys()].sort((a, b) => a - b), [...new Set(KEYS.map(k => javaPartition(k, PARTITIONS)))].sort((a, b) => a - b))
  for (const [p, rs] of byPartition) {
    assert.deepEqual(rs.map(r => r.offset), rs.map((_, i) => i), `dense offsets in partition ${p}`)
    const lastRound = new Map<string, number>()
    for (const r of rs) {
      const round = Number(r.value.split(':')[0])
      assert.ok((lastRound.get(r.key) ?? -1) < round, `partition ${p}: key ${r.key} out of order`)
      lastRound.set(r.key, round)
    }
  }
}

describe('key partitioning matches the Java default (murmur2) on 100 partitions', () => {
  let broker: TestBroker
  let admin: KafkaJsAdmin
  let kafka: Kafka

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 1 })
    kafka = new Kafka({ clientId: 'compat-partitioning', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, logCreator: silentKafkaJsLogCreator, retry: { retries: 2 } })
    admin = kafka.admin()
    await withTimeout(admin.connect(), T, 'admin connect')
    const topics = ['murmur-kafkajs', 'murmur-kcat', 'murmur-confluent', 'murmur-kafka-python', 'murmur-platformatic', 'murmur-platformatic-default']
    await withTimeout(admin.createTopics({ topics: topics.map(topic => ({ topic, numPartitions: PARTITIONS })) }), T, 'createTopics')
  })
  after(async () => {
    await admin?.disconnect()
    await broker?.close()
  })

  test('the reference murmur2 gives the published values of the Java implementation', () => {
    // Values of Kafka's murmur2 for these strings as published in its own tests.
    const known: Array<[string, number]> = [['21', -973932308], ['foobar', -790332482], ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829], ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971], ['abc', 479470107]]
    for (const [s, h] of known) assert.equal(murmur2(Buffer.from(s)), h, s)
    assert.equal(javaPartition('foobar', 100), (-790332482 & 0x7fffffff) % 100)
  })

  test('kafkajs with its DefaultPartitioner', async () => {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
    await withTimeout(producer.connect(), T, 'connect')
    try {
      // One send per round, so that a key's rounds are in separate requests in order.
      for (const round of [0, 1, 2]) {
        await withTimeout(producer.send({ topic: 'murmur-kafkajs', messages: RECORDS.filter(r => r.value.startsWith(`${round}:`)) }), T, 'send')
      }
    } finally {
      await producer.disconnect()
    }
    assertJavaPlacement(await readBack(broker, 'murmur-kafkajs'))
  })

  test('kcat with -X partitioner=murmur2_random', async () => {
    const input = RECORDS.map(r => `${r.key}\t${r.value}`).join('\n') + '\n'
    await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', 'murmur-kcat', '-K', '\t', '-X', 'partitioner=murmur2_random'], { input, timeoutMs: T })
    assertJavaPlacement(await readBack(broker, 'murmur-kcat'))
  })

  test('confluent-kafka-python with partitioner murmur2_random; it reads all 100 partitions back with assign()', async () => {
    const script = `
import json, sys
from confluent_kafka import Producer, Consumer, TopicPartition
records = json.loads(sys.stdin.read())
p = Producer({'bootstrap.servers': sys.argv[1], 'partitioner': 'murmur2_random', 'linger.ms': 5})
errors = []
for r in records:
    p.produce('murmur-confluent', key=r['key'].encode(), value=r['value'].encode(), on_delivery=lambda err, msg: errors.append(str(err)) if err else None)
p.flush(30)
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': 'unused', 'enable.auto.commit': False, 'enable.partition.eof': True})
c.assign([TopicPartition('murmur-confluent', i, 0) for i in range(${PARTITIONS})])
counts = {}
eofs = set()
while len(eofs) < ${PARTITIONS}:
    m = c.poll(10)
    if m is None: break
    if m.error():
        if m.error().code() == -191: eofs.add(m.partition()); continue
        errors.append(str(m.error())); break
    counts[m.partition()] = counts.get(m.partition(), 0) + 1
c.close()
print(json.dumps({'errors': errors, 'counts': counts, 'eofs': len(eofs)}))
`
    const out = JSON.parse((await runPython(script, [broker.bootstrap], { input: JSON.stringify(RECORDS), timeoutMs: 60_000 })).trim().split('\n').pop()!) as { errors: string[], counts: Record<string, number>, eofs: number }
    assert.deepEqual(out.errors, [])
    assert.equal(out.eofs, PARTITIONS, 'end of every partition reached')
    const expected: Record<string, number> = {}
    for (const r of RECORDS) { const p = String(javaPartition(r.key, PARTITIONS)); expected[p] = (expected[p] ?? 0) + 1 }
    assert.deepEqual(out.counts, expected)
    assertJavaPlacement(await readBack(broker, 'murmur-confluent'))
  })

  test('kafka-python with its default partitioner', async () => {
    const script = `
import json, sys
from kafka import KafkaProducer
records = json.loads(sys.stdin.read())
p = KafkaProducer(bootstrap_servers=sys.argv[1], api_version_auto_timeout_ms=10000, linger_ms=5, acks='all')
futures = [p.send('murmur-kafka-python', key=r['key'].encode(), value=r['value'].encode()) for r in records]
p.flush(30)
parts = [f.get(10).partition for f in futures]
p.close(10)
print(json.dumps(parts))
`
    const parts = JSON.parse((await runPython(script, [broker.bootstrap], { input: JSON.stringify(RECORDS), timeoutMs: 60_000 })).trim().split('\n').pop()!) as number[]
    assert.deepEqual(parts, RECORDS.map(r => javaPartition(r.key, PARTITIONS)))
    assertJavaPlacement(await readBack(broker, 'murmur-kafka-python'))
  })

  test('@platformatic/kafka with compatibilityPartitioner (its defaultPartitioner is not the Java one)', async () => {
    const send = async (topic: string, partitioner: typeof compatibilityPartitioner): Promise<void> => {
      const producer = new PlatformaticProducer({ clientId: 'compat-plt', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers, retries: 0, partitioner })
      try {
        for (const round of [0, 1, 2]) {
          const messages = RECORDS.filter(r => r.value.startsWith(`${round}:`)).map(r => ({ topic, key: r.key, value: r.value }))
          // acks per send: send() ignores the producer's own acks option (FINDINGS.md).
          await withTimeout(producer.send({ messages, acks: -1 }), T, 'send')
        }
      } finally {
        await producer.close()
      }
    }
    await send('murmur-platformatic', compatibilityPartitioner as never)
    assertJavaPlacement(await readBack(broker, 'murmur-platformatic'))

    // The default: murmur2 read as unsigned (>>> 0) instead of sign-masked,
    // so keys whose hash is negative land elsewhere than with Java.
    await send('murmur-platformatic-default', defaultPartitioner as never)
    const landed = await readBack(broker, 'murmur-platformatic-default')
    assert.equal(landed.length, RECORDS.length)
    for (const r of landed) assert.equal(r.partition, (murmur2(Buffer.from(r.key)) >>> 0) % PARTITIONS, r.key)
    assert.ok(landed.some(r => r.partition !== javaPartition(r.key, PARTITIONS)), 'some keys differ from Java')
  })
})
