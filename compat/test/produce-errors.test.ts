// Produce and fetch errors as real clients report them: MESSAGE_TOO_LARGE
// above a topic's max.message.bytes, INVALID_RECORD for a record without a
// key on a compacted topic, INVALID_TIMESTAMP for timestamps outside
// message.timestamp.before.max.ms / after.max.ms, UNKNOWN_TOPIC_OR_PARTITION
// with auto-creation off, and OFFSET_OUT_OF_RANGE on fetch. Producers:
// kafkajs, confluent-kafka-python and kafka-python; fetch: confluent-kafka-
// python, kafka-python and @platformatic/kafka's group-less fetch (kafkajs
// has no consumer without a group). INVALID_REPLICATION_FACTOR and the other
// CreateTopics errors are in admin-topics.test.ts. After each rejected
// produce the topic must still hold only the records that were accepted.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka, logLevel, type Admin as KafkaJsAdmin, type Producer as KafkaJsProducer } from 'kafkajs'
import { Consumer as PlatformaticConsumer, stringDeserializers } from '@platformatic/kafka'
import { runOk, runPython, silentKafkaJsLogCreator, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'

const T = 30_000
const DAY_MS = 24 * 3600 * 1000

/** The topics every suite uses, created through kafkajs' admin. */
const TOPICS = [
  { topic: 'small', configEntries: [{ name: 'max.message.bytes', value: '2000' }] },
  { topic: 'compacted', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
  { topic: 'timely', configEntries: [{ name: 'message.timestamp.before.max.ms', value: String(DAY_MS) }, { name: 'message.timestamp.after.max.ms', value: '3600000' }] },
  { topic: 'three', configEntries: [] }
]

async function offsetsOf (broker: TestBroker, topic: string): Promise<string[]> {
  const r = await runOk('kcat', ['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o:%k:%s\n'], { timeoutMs: T })
  return r.stdout.split('\n').filter(l => l !== '')
}

/** The Kafka error type somewhere in a kafkajs error chain (it wraps protocol errors in retry errors). */
function kafkaJsType (err: unknown): string | undefined {
  for (let e = err as { type?: string, cause?: unknown, originalError?: unknown, errors?: unknown[] } | undefined, depth = 0; e !== undefined && e !== null && depth < 6; depth++) {
    if (typeof e.type === 'string' && e.type !== 'UNKNOWN') return e.type
    if (Array.isArray(e.errors) && e.errors.length > 0) return kafkaJsType(e.errors[0])
    e = (e.cause ?? e.originalError) as typeof e
  }
  return undefined
}

async function startWithTopics (): Promise<{ broker: TestBroker, kafka: Kafka, admin: KafkaJsAdmin }> {
  const broker = await startTestBroker({ 'auto.create.topics.enable': false })
  const kafka = new Kafka({ clientId: 'compat-errors', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, logCreator: silentKafkaJsLogCreator, retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 } })
  const admin = kafka.admin()
  await withTimeout(admin.connect(), T, 'admin connect')
  await withTimeout(admin.createTopics({ topics: TOPICS.map(t => ({ ...t, numPartitions: 1 })) }), T, 'createTopics')
  return { broker, kafka, admin }
}

describe('produce errors through kafkajs', () => {
  let broker: TestBroker
  let admin: KafkaJsAdmin
  let producer: KafkaJsProducer

  before(async () => {
    let kafka: Kafka
    ({ broker, kafka, admin } = await startWithTopics())
    producer = kafka.producer({ allowAutoTopicCreation: false })
    await withTimeout(producer.connect(), T, 'connect')
  })
  after(async () => {
    await producer?.disconnect()
    await admin?.disconnect()
    await broker?.close()
  })

  const rejection = async (p: Promise<unknown>): Promise<string | undefined> => {
    try {
      await withTimeout(p, T, 'send')
    } catch (err) {
      return kafkaJsType(err)
    }
    return 'resolved'
  }

  test('MESSAGE_TOO_LARGE for a batch above max.message.bytes; a small one still goes in', async () => {
    assert.equal(await rejection(producer.send({ topic: 'small', messages: [{ key: 'k', value: 'x'.repeat(5000) }] })), 'MESSAGE_TOO_LARGE')
    const ok = await producer.send({ topic: 'small', messages: [{ key: 'k', value: 'fits' }] })
    assert.equal(ok[0]!.errorCode, 0)
    assert.deepEqual(await offsetsOf(broker, 'small'), ['0:k:fits'])
  })

  test('INVALID_RECORD for a keyless record to a compacted topic', async () => {
    assert.equal(await rejection(producer.send({ topic: 'compacted', messages: [{ value: 'no key' }] })), 'INVALID_RECORD')
    await producer.send({ topic: 'compacted', messages: [{ key: 'k', value: 'keyed' }] })
    assert.deepEqual(await offsetsOf(broker, 'compacted'), ['0:k:keyed'])
  })

  test('INVALID_TIMESTAMP before message.timestamp.before.max.ms and after message.timestamp.after.max.ms', async () => {
    const now = Date.now()
    assert.equal(await rejection(producer.send({ topic: 'timely', messages: [{ key: 'old', value: 'v', timestamp: String(now - 2 * DAY_MS) }] })), 'INVALID_TIMESTAMP')
    assert.equal(await rejection(producer.send({ topic: 'timely', messages: [{ key: 'future', value: 'v', timestamp: String(now + 2 * 3600 * 1000) }] })), 'INVALID_TIMESTAMP')
    await producer.send({ topic: 'timely', messages: [{ key: 'now', value: 'v', timestamp: String(now - 3600 * 1000) }] })
    assert.deepEqual(await offsetsOf(broker, 'timely'), ['0:now:v'])
  })

  test('UNKNOWN_TOPIC_OR_PARTITION with auto.create.topics.enable=false', async () => {
    assert.equal(await rejection(producer.send({ topic: 'missing', messages: [{ value: 'v' }] })), 'UNKNOWN_TOPIC_OR_PARTITION')
    assert.deepEqual(await admin.listTopics().then(ts => ts.includes('missing')), false)
  })
})

describe('produce and fetch errors through confluent-kafka-python (librdkafka)', () => {
  let broker: TestBroker
  let admin: KafkaJsAdmin

  before(async () => { ({ broker, admin } = await startWithTopics()) })
  after(async () => {
    await admin?.disconnect()
    await broker?.close()
  })

  test('each produce error in the delivery report, with librdkafka\'s names', async () => {
    const script = `
import json, sys, time
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1], 'message.timeout.ms': 10000, 'topic.metadata.propagation.max.ms': 1000,
              'retries': 0, 'linger.ms': 0})
out = {}
def report(name):
    def cb(err, msg):
        out[name] = None if err is None else {'code': err.code(), 'name': err.name()}
    return cb
now = int(time.time() * 1000)
day = 24 * 3600 * 1000
p.produce('small', key=b'k', value=b'x' * 5000, on_delivery=report('too_large'))
# Flushed on its own: in one batch with the record above it would share its
# fate (the broker checks the size of the whole batch).
p.flush(30)
p.produce('small', key=b'k', value=b'fits', on_delivery=report('small_ok'))
p.produce('compacted', value=b'no key', on_delivery=report('keyless'))
p.produce('timely', key=b'old', value=b'v', timestamp=now - 2 * day, on_delivery=report('too_old'))
p.produce('timely', key=b'future', value=b'v', timestamp=now + 2 * 3600 * 1000, on_delivery=report('too_new'))
p.produce('missing', value=b'v', on_delivery=report('missing'))
p.flush(30)
print(json.dumps(out))
`
    const out = JSON.parse((await runPython(script, [broker.bootstrap], { timeoutMs: 60_000 })).trim().split('\n').pop()!) as Record<string, unknown>
    assert.deepEqual(out, {
      too_large: { code: 10, name: 'MSG_SIZE_TOO_LARGE' },
      small_ok: null,
      keyless: { code: 87, name: 'INVALID_RECORD' },
      too_old: { code: 32, name: 'INVALID_TIMESTAMP' },
      too_new: { code: 32, name: 'INVALID_TIMESTAMP' },
      // The broker's code from Metadata, once topic.metadata.propagation.max.ms has passed.
      missing: { code: 3, name: 'UNKNOWN_TOPIC_OR_PART' }
    })
    assert.deepEqual(await offsetsOf(broker, 'small'), ['0:k:fits'])
    assert.deepEqual(await offsetsOf(broker, 'compacted'), [])
  })

  test('OFFSET_OUT_OF_RANGE on fetch: an error with auto.offset.reset=error, a reset to the start with earliest', async () => {
    await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', 'three', '-K:'], { input: 'a:1\nb:2\nc:3\n', timeoutMs: T })
    const script = `
import json, sys
from confluent_kafka import Consumer, TopicPartition
out = {}
for reset in ['error', 'earliest']:
    c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': 'unused', 'enable.auto.commit': False, 'auto.offset.reset': reset})
    c.assign([TopicPartition('three', 0, 50)])
    got = []
    while len(got) < 3:
        m = c.poll(10)
        if m is None: got.append('timeout'); break
        if m.error():
            got.append({'code': m.error().code(), 'name': m.error().name(), 'text': m.error().str()}); break
        got.append([m.offset(), m.value().decode()])
    c.close()
    out[reset] = got
print(json.dumps(out))
`
    const out = JSON.parse((await runPython(script, [broker.bootstrap], { timeoutMs: 60_000 })).trim().split('\n').pop()!) as { error: Array<{ code: number, name: string, text: string }>, earliest: unknown }
    assert.equal(out.error.length, 1)
    // librdkafka reports the broker's OFFSET_OUT_OF_RANGE as its local
    // _AUTO_OFFSET_RESET when the reset policy is "error".
    assert.equal(out.error[0]!.code, -140)
    assert.equal(out.error[0]!.name, '_AUTO_OFFSET_RESET')
    assert.match(out.error[0]!.text, /Offset out of range/i)
    assert.deepEqual(out.earliest, [[0, '1'], [1, '2'], [2, '3']])
  })
})

describe('produce and fetch errors through kafka-python', () => {
  let broker: TestBroker
  let admin: KafkaJsAdmin

  before(async () => { ({ broker, admin } = await startWithTopics()) })
  after(async () => {
    await admin?.disconnect()
    await broker?.close()
  })

  test('produce errors raised from the send futures; OFFSET_OUT_OF_RANGE with auto_offset_reset none', async () => {
    await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', 'three', '-K:'], { input: 'a:1\nb:2\nc:3\n', timeoutMs: T })
    const script = `
import json, sys, time
from kafka import KafkaProducer, KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
p = KafkaProducer(bootstrap_servers=sys.argv[1], api_version_auto_timeout_ms=10000, retries=0, max_block_ms=3000)
out = {}
now = int(time.time() * 1000)
day = 24 * 3600 * 1000
cases = {
    'too_large': dict(topic='small', key=b'k', value=b'x' * 5000),
    'keyless': dict(topic='compacted', value=b'no key'),
    'too_old': dict(topic='timely', key=b'old', value=b'v', timestamp_ms=now - 2 * day),
    'too_new': dict(topic='timely', key=b'new', value=b'v', timestamp_ms=now + 2 * 3600 * 1000),
    'missing': dict(topic='missing', value=b'v'),
}
for name, kw in cases.items():
    try:
        p.send(**kw).get(10)
        out[name] = None
    except KafkaError as e:
        out[name] = {'error': type(e).__name__, 'errno': getattr(e, 'errno', None)}
p.close(5)
c = KafkaConsumer(bootstrap_servers=sys.argv[1], api_version_auto_timeout_ms=10000, enable_auto_commit=False, auto_offset_reset='none')
tp = TopicPartition('three', 0)
c.assign([tp])
c.seek(tp, 50)
try:
    c.poll(timeout_ms=5000)
    c.poll(timeout_ms=5000)
    out['out_of_range'] = 'no error'
except KafkaError as e:
    out['out_of_range'] = {'error': type(e).__name__, 'errno': getattr(e, 'errno', None)}
c.close()
print(json.dumps(out))
`
    const out = JSON.parse((await runPython(script, [broker.bootstrap], { timeoutMs: 90_000 })).trim().split('\n').pop()!) as Record<string, unknown>
    assert.deepEqual(out, {
      too_large: { error: 'MessageSizeTooLargeError', errno: 10 },
      // kafka-python 2.0.2 has no class for code 87: it raises the generic
      // error for an unknown code.
      keyless: { error: 'UnknownError', errno: -1 },
      too_old: { error: 'InvalidTimestampError', errno: 32 },
      too_new: { error: 'InvalidTimestampError', errno: 32 },
      // The topic never shows up in Metadata, so the send times out waiting
      // for it (max_block_ms) instead of reporting the broker's code.
      missing: { error: 'KafkaTimeoutError', errno: null },
      out_of_range: { error: 'OffsetOutOfRangeError', errno: 1 }
    })
  })
})

describe('OFFSET_OUT_OF_RANGE through @platformatic/kafka\'s group-less fetch', () => {
  let broker: TestBroker
  let admin: KafkaJsAdmin
  let consumer: PlatformaticConsumer<string, string, string, string> | undefined

  before(async () => { ({ broker, admin } = await startWithTopics()) })
  after(async () => {
    await consumer?.close(true)
    await admin?.disconnect()
    await broker?.close()
  })

  test('Consumer.fetch past the end is rejected with OFFSET_OUT_OF_RANGE (1); from 0 it reads the records', async () => {
    await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', 'three', '-K:'], { input: 'a:1\nb:2\nc:3\n', timeoutMs: T })
    consumer = new PlatformaticConsumer({ clientId: 'compat-plt', groupId: 'never-joined', bootstrapBrokers: [broker.bootstrap], deserializers: stringDeserializers, retries: 0 })
    const md = await withTimeout(consumer.metadata({ topics: ['three'] }), T, 'metadata')
    const topicId = md.topics.get('three')!.id
    const fetch = (fetchOffset: bigint) => withTimeout(consumer!.fetch({
      node: 1,
      maxWaitTime: 100,
      topics: [{ topicId, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 }] }]
    }), T, 'fetch')
    // A partition error rejects the whole fetch: a ResponseError whose
    // nested error carries the code.
    await assert.rejects(fetch(50n), (err: unknown) => {
      const nested = (err as { errors?: Array<{ apiCode?: number }> }).errors ?? []
      assert.deepEqual(nested.map(e => e.apiCode), [1])
      return true
    })
    const ok = await fetch(0n)
    const p = ok.responses[0]!.partitions[0]!
    assert.equal(p.errorCode, 0)
    assert.equal(p.highWatermark, 3n)
    assert.deepEqual(p.records!.flatMap(b => b.records.map(r => [Number(b.firstOffset) + r.offsetDelta, r.value!.toString()])), [[0, '1'], [1, '2'], [2, '3']])
  })
})
