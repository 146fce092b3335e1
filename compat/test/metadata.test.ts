// Metadata through real third-party clients: kcat (librdkafka), kafkajs,
// @platformatic/kafka, confluent-kafka-python (librdkafka) and kafka-python.
// Each suite starts its own broker with its own `num.partitions`, so that a
// partition count seen by a client can only come from that setting.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka, logLevel, type Admin as KafkaJsAdmin } from 'kafkajs'
import { Admin as PlatformaticAdmin, type ClusterMetadata } from '@platformatic/kafka'
import { runOk, runPython, silentKafkaJsLogCreator, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'
import { BAD_CHAR_TOPIC, ILLEGAL_TOPICS, TOO_LONG_TOPIC, createTopicsByMetadata } from './helpers/topics.js'

const CLIENT_TIMEOUT_MS = 15_000
const PROCESS_TIMEOUT_MS = 60_000

/** What every partition of a single-node topic must look like. */
function expectedPartitions (broker: TestBroker, count: number): Array<{ partition: number, leader: number, replicas: number[], isr: number[] }> {
  return Array.from({ length: count }, (_, partition) => ({ partition, leader: broker.nodeId, replicas: [broker.nodeId], isr: [broker.nodeId] }))
}

// ---------------------------------------------------------------- kcat

interface KcatJson {
  originating_broker: { id: number, name: string }
  query: { topic: string }
  controllerid: number
  brokers: Array<{ id: number, name: string }>
  topics: Array<{
    topic: string
    error?: string
    partitions: Array<{ partition: number, leader: number, replicas: Array<{ id: number }>, isrs: Array<{ id: number }>, error?: string }>
  }>
}

interface KcatText {
  brokers: Array<{ id: number, host: string, port: number, controller: boolean }>
  topics: Map<string, { count: number, error: string, partitions: Array<{ partition: number, leader: number, replicas: number[], isr: number[] }> }>
}

const ids = (s: string): number[] => s === '' ? [] : s.split(',').map(Number)

/** Parses `kcat -L` text output. */
function parseKcatText (out: string): KcatText {
  const result: KcatText = { brokers: [], topics: new Map() }
  let current: { count: number, error: string, partitions: Array<{ partition: number, leader: number, replicas: number[], isr: number[] }> } | undefined
  for (const line of out.split('\n')) {
    let m = /^ {2}broker (\d+) at (.+):(\d+)( \(controller\))?$/.exec(line)
    if (m !== null) {
      result.brokers.push({ id: Number(m[1]), host: m[2]!, port: Number(m[3]), controller: m[4] !== undefined })
      continue
    }
    m = /^ {2}topic "(.*)" with (\d+) partitions:\s?(.*)$/.exec(line)
    if (m !== null) {
      current = { count: Number(m[2]), error: m[3]!, partitions: [] }
      result.topics.set(m[1]!, current)
      continue
    }
    m = /^ {4}partition (\d+), leader (-?\d+), replicas: ([\d,]*), isrs: ([\d,]*)/.exec(line)
    if (m !== null && current !== undefined) {
      current.partitions.push({ partition: Number(m[1]), leader: Number(m[2]), replicas: ids(m[3]!), isr: ids(m[4]!) })
    }
  }
  return result
}

async function kcat (args: readonly string[]): Promise<string> {
  // -m: librdkafka's metadata timeout in seconds, well inside the process timeout.
  const r = await runOk('kcat', ['-m', '10', ...args], { timeoutMs: PROCESS_TIMEOUT_MS })
  return r.stdout
}

async function kcatJson (broker: TestBroker, topic?: string): Promise<KcatJson> {
  return JSON.parse(await kcat(['-L', '-J', '-b', broker.bootstrap, ...(topic === undefined ? [] : ['-t', topic])])) as KcatJson
}

function kcatPartitions (t: KcatJson['topics'][number]): Array<{ partition: number, leader: number, replicas: number[], isr: number[] }> {
  return t.partitions
    .map(p => ({ partition: p.partition, leader: p.leader, replicas: p.replicas.map(r => r.id), isr: p.isrs.map(r => r.id) }))
    .sort((a, b) => a.partition - b.partition)
}

describe('kcat (librdkafka)', () => {
  const PARTITIONS = 3
  let broker: TestBroker

  before(async () => { broker = await startTestBroker({ 'num.partitions': PARTITIONS }) })
  after(async () => { await broker?.close() })

  test('kcat -L -t auto-creates the topic with num.partitions partitions (text output)', async () => {
    const md = parseKcatText(await kcat(['-L', '-b', broker.bootstrap, '-t', 'kcat-auto']))
    assert.deepEqual(md.brokers, [{ id: broker.nodeId, host: broker.host, port: broker.port, controller: true }])
    const topic = md.topics.get('kcat-auto')
    assert.ok(topic !== undefined, 'topic listed')
    assert.equal(topic.count, PARTITIONS)
    assert.equal(topic.error, '')
    assert.deepEqual(topic.partitions, expectedPartitions(broker, PARTITIONS))
  })

  test('kcat -L lists the broker and every topic (text output)', async () => {
    // Idempotent: kcat-auto may exist from the test above; this test does not rely on it.
    await createTopicsByMetadata(broker, ['kcat-auto', 'kcat-other'])
    const md = parseKcatText(await kcat(['-L', '-b', broker.bootstrap]))
    assert.deepEqual(md.brokers, [{ id: broker.nodeId, host: broker.host, port: broker.port, controller: true }])
    assert.deepEqual([...md.topics.keys()].sort(), ['kcat-auto', 'kcat-other'])
    for (const t of md.topics.values()) assert.deepEqual(t.partitions, expectedPartitions(broker, PARTITIONS))
  })

  test('kcat -L -J lists broker id, host:port, controller and partitions with leader/replicas/isrs', async () => {
    await createTopicsByMetadata(broker, ['kcat-auto', 'kcat-other'])
    const md = await kcatJson(broker)
    assert.deepEqual(md.brokers, [{ id: broker.nodeId, name: broker.bootstrap }])
    assert.equal(md.controllerid, broker.nodeId)
    assert.equal(md.originating_broker.id, broker.nodeId)
    assert.deepEqual(md.topics.map(t => t.topic).sort(), ['kcat-auto', 'kcat-other'])
    for (const t of md.topics) {
      assert.equal(t.error, undefined, `${t.topic} has no error`)
      assert.deepEqual(kcatPartitions(t), expectedPartitions(broker, PARTITIONS))
    }
  })

  test('kcat -L -J -t with an illegal topic name reports the broker\'s INVALID_TOPIC_EXCEPTION', async () => {
    await createTopicsByMetadata(broker, ['kcat-auto', 'kcat-other'])
    for (const name of ILLEGAL_TOPICS) {
      const md = await kcatJson(broker, name)
      assert.equal(md.topics.length, 1)
      const t = md.topics[0]!
      assert.equal(t.topic, name)
      // librdkafka's text for error 17.
      assert.equal(t.error, 'Broker: Invalid topic')
      assert.deepEqual(t.partitions, [])
    }
    const all = await kcatJson(broker)
    assert.deepEqual(all.topics.map(t => t.topic).sort(), ['kcat-auto', 'kcat-other'], 'nothing was created')
  })
})

describe('kcat with auto.create.topics.enable=false', () => {
  let broker: TestBroker

  before(async () => { broker = await startTestBroker({ 'num.partitions': 2, 'auto.create.topics.enable': false }) })
  after(async () => { await broker?.close() })

  test('a missing topic is reported as unknown and not created', async () => {
    const md = await kcatJson(broker, 'kcat-missing')
    assert.deepEqual(md.brokers, [{ id: broker.nodeId, name: broker.bootstrap }])
    assert.equal(md.topics.length, 1)
    assert.equal(md.topics[0]!.topic, 'kcat-missing')
    // librdkafka's text for error 3.
    assert.equal(md.topics[0]!.error, 'Broker: Unknown topic or partition')
    assert.deepEqual(md.topics[0]!.partitions, [])
    const all = await kcatJson(broker)
    assert.deepEqual(all.topics, [])
  })

  test('the text output says the same', async () => {
    const md = parseKcatText(await kcat(['-L', '-b', broker.bootstrap, '-t', 'kcat-missing']))
    assert.deepEqual(md.topics.get('kcat-missing'), { count: 0, error: 'Broker: Unknown topic or partition', partitions: [] })
  })
})

// ---------------------------------------------------------------- kafkajs

describe('kafkajs', () => {
  const PARTITIONS = 2
  const TOPICS = ['kjs-a', 'kjs-b']
  let broker: TestBroker
  let admin: KafkaJsAdmin | undefined

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': PARTITIONS })
    // kafkajs' admin client never asks for auto-creation (see FINDINGS.md), so create the topics first.
    await createTopicsByMetadata(broker, TOPICS)
    const kafka = new Kafka({
      clientId: 'tributary-compat',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      logCreator: silentKafkaJsLogCreator,
      connectionTimeout: 5000,
      requestTimeout: 10_000,
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 }
    })
    admin = kafka.admin()
    await withTimeout(admin.connect(), CLIENT_TIMEOUT_MS, 'kafkajs admin.connect')
  })

  after(async () => {
    if (admin !== undefined) await withTimeout(admin.disconnect(), CLIENT_TIMEOUT_MS, 'kafkajs admin.disconnect')
    await broker?.close()
  })

  test('describeCluster: brokers, controller and cluster id (from Metadata)', async () => {
    const cluster = await withTimeout(admin!.describeCluster(), CLIENT_TIMEOUT_MS, 'describeCluster')
    assert.deepEqual(cluster, {
      brokers: [{ nodeId: broker.nodeId, host: broker.host, port: broker.port }],
      controller: broker.nodeId,
      clusterId: broker.clusterId
    })
  })

  test('listTopics', async () => {
    const topics = await withTimeout(admin!.listTopics(), CLIENT_TIMEOUT_MS, 'listTopics')
    assert.deepEqual([...topics].sort(), TOPICS)
  })

  test('fetchTopicMetadata() describes every topic', async () => {
    const md = await withTimeout(admin!.fetchTopicMetadata(), CLIENT_TIMEOUT_MS, 'fetchTopicMetadata()')
    assert.deepEqual(md.topics.map(t => t.name).sort(), TOPICS)
    for (const t of md.topics) {
      const partitions = [...t.partitions].sort((a, b) => a.partitionId - b.partitionId)
      assert.deepEqual(partitions.map(p => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr })), expectedPartitions(broker, PARTITIONS))
      for (const p of partitions) {
        assert.equal(p.partitionErrorCode, 0)
        assert.deepEqual(p.offlineReplicas, [])
      }
    }
  })

  test('fetchTopicMetadata({ topics }) describes just those', async () => {
    const md = await withTimeout(admin!.fetchTopicMetadata({ topics: ['kjs-b'] }), CLIENT_TIMEOUT_MS, 'fetchTopicMetadata(kjs-b)')
    assert.equal(md.topics.length, 1)
    assert.equal(md.topics[0]!.name, 'kjs-b')
    assert.equal(md.topics[0]!.partitions.length, PARTITIONS)
    for (const p of md.topics[0]!.partitions) assert.equal(p.leader, broker.nodeId)
  })

  test('fetchTopicMetadata for a missing topic fails with UNKNOWN_TOPIC_OR_PARTITION and creates nothing', async () => {
    await assert.rejects(
      withTimeout(admin!.fetchTopicMetadata({ topics: ['kjs-missing'] }), CLIENT_TIMEOUT_MS, 'fetchTopicMetadata(kjs-missing)'),
      (err: { type?: string, code?: number }) => err.type === 'UNKNOWN_TOPIC_OR_PARTITION' && err.code === 3
    )
    const topics = await withTimeout(admin!.listTopics(), CLIENT_TIMEOUT_MS, 'listTopics')
    assert.deepEqual([...topics].sort(), TOPICS)
  })

  test('fetchTopicMetadata for an illegal name fails with INVALID_TOPIC_EXCEPTION (not retriable)', async () => {
    for (const name of ILLEGAL_TOPICS) {
      await assert.rejects(
        withTimeout(admin!.fetchTopicMetadata({ topics: [name] }), CLIENT_TIMEOUT_MS, `fetchTopicMetadata(${name.slice(0, 20)})`),
        (err: { type?: string, code?: number, retriable?: boolean }) => err.type === 'INVALID_TOPIC_EXCEPTION' && err.code === 17 && err.retriable === false
      )
    }
  })
})

// ---------------------------------------------------------------- @platformatic/kafka

describe('@platformatic/kafka', () => {
  const PARTITIONS = 4
  let broker: TestBroker
  let admin: PlatformaticAdmin | undefined

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': PARTITIONS })
    admin = new PlatformaticAdmin({
      clientId: 'tributary-compat',
      bootstrapBrokers: [broker.bootstrap],
      timeout: 10_000,
      connectTimeout: 5000,
      retries: 0
    })
  })

  after(async () => {
    if (admin !== undefined) await withTimeout(admin.close(), CLIENT_TIMEOUT_MS, 'platformatic admin.close')
    await broker?.close()
  })

  function checkCluster (md: ClusterMetadata): void {
    assert.equal(md.id, broker.clusterId)
    assert.equal(md.controllerId, broker.nodeId)
    assert.deepEqual([...md.brokers.entries()], [[broker.nodeId, { host: broker.host, port: broker.port, rack: null }]])
  }

  test('metadata({ topics, autocreateTopics: true }) creates the topics and describes them', async () => {
    const md = await withTimeout(admin!.metadata({ topics: ['plt-a', 'plt-b'], autocreateTopics: true }), CLIENT_TIMEOUT_MS, 'metadata(plt-a, plt-b)')
    checkCluster(md)
    assert.deepEqual([...md.topics.keys()].sort(), ['plt-a', 'plt-b'])
    const topicIds = new Set<string>()
    for (const t of md.topics.values()) {
      assert.equal(t.partitionsCount, PARTITIONS)
      assert.match(t.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      assert.notEqual(t.id, '00000000-0000-0000-0000-000000000000')
      topicIds.add(t.id)
      assert.deepEqual(t.partitions.map((p, partition) => ({ partition, leader: p.leader, replicas: p.replicas, isr: p.isr })), expectedPartitions(broker, PARTITIONS))
      for (const p of t.partitions) {
        assert.ok(p.leaderEpoch >= 0, 'leader epoch is set')
        assert.deepEqual(p.offlineReplicas, [])
      }
    }
    assert.equal(topicIds.size, 2, 'distinct topic ids')
  })

  test('metadata() again, forced, returns the same topic ids', async () => {
    const first = await withTimeout(admin!.metadata({ topics: ['plt-a'] }), CLIENT_TIMEOUT_MS, 'metadata(plt-a)')
    const forced = await withTimeout(admin!.metadata({ topics: ['plt-a'], forceUpdate: true }), CLIENT_TIMEOUT_MS, 'metadata(plt-a, forced)')
    checkCluster(forced)
    assert.equal(forced.topics.get('plt-a')?.id, first.topics.get('plt-a')?.id)
  })

  test('listTopics', async () => {
    const topics = await withTimeout(admin!.listTopics(), CLIENT_TIMEOUT_MS, 'listTopics')
    assert.deepEqual([...topics].sort(), ['plt-a', 'plt-b'])
  })

  test('a missing topic without autocreateTopics is an "Unknown topic" error and is not created', async () => {
    await assert.rejects(
      withTimeout(admin!.metadata({ topics: ['plt-missing'] }), CLIENT_TIMEOUT_MS, 'metadata(plt-missing)'),
      /Unknown topic plt-missing/
    )
    const topics = await withTimeout(admin!.listTopics(), CLIENT_TIMEOUT_MS, 'listTopics')
    assert.deepEqual([...topics].sort(), ['plt-a', 'plt-b'])
  })

  test('an illegal topic name gets INVALID_TOPIC_EXCEPTION (apiCode 17) for that topic', async () => {
    for (const name of ILLEGAL_TOPICS) {
      await assert.rejects(
        withTimeout(admin!.metadata({ topics: [name], autocreateTopics: true }), CLIENT_TIMEOUT_MS, `metadata(${name.slice(0, 20)})`),
        (err: { findBy?: (property: string, value: unknown) => { apiId?: string, path?: string } | null }) => {
          const found = err.findBy?.('apiCode', 17)
          return found != null && found.apiId === 'INVALID_TOPIC_EXCEPTION' && found.path === '/topics/0'
        }
      )
    }
  })
})

// ---------------------------------------------------------------- confluent-kafka (python)

const CONFLUENT_SCRIPT = `
import json, sys
from confluent_kafka.admin import AdminClient

bootstrap, topics = sys.argv[1], sys.argv[2:]
admin = AdminClient({'bootstrap.servers': bootstrap, 'client.id': 'tributary-compat', 'socket.timeout.ms': 10000})

def err(e):
    return None if e is None else {'code': e.code(), 'name': e.name()}

def dump(md):
    return {
        'cluster_id': md.cluster_id,
        'controller_id': md.controller_id,
        'orig_broker_id': md.orig_broker_id,
        'brokers': sorted([{'id': b.id, 'host': b.host, 'port': b.port} for b in md.brokers.values()], key=lambda b: b['id']),
        'topics': {name: {
            'error': err(t.error),
            'partitions': sorted([{'partition': p.id, 'leader': p.leader, 'replicas': list(p.replicas), 'isr': list(p.isrs), 'error': err(p.error)}
                                  for p in t.partitions.values()], key=lambda p: p['partition'])
        } for name, t in md.topics.items()},
    }

by_topic = {t: dump(admin.list_topics(topic=t, timeout=10)) for t in topics}
print(json.dumps({'by_topic': by_topic, 'all': dump(admin.list_topics(timeout=10))}))
`

interface PyPartition { partition: number, leader: number, replicas: number[], isr: number[], error: { code: number, name: string } | null }
interface ConfluentMetadata {
  cluster_id: string
  controller_id: number
  orig_broker_id: number
  brokers: Array<{ id: number, host: string, port: number }>
  topics: Record<string, { error: { code: number, name: string } | null, partitions: PyPartition[] }>
}

describe('python confluent-kafka (librdkafka)', () => {
  const PARTITIONS = 5
  let broker: TestBroker

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': PARTITIONS })
    await createTopicsByMetadata(broker, ['ck-existing'])
  })
  after(async () => { await broker?.close() })

  test('AdminClient.list_topics: brokers, cluster id, controller, partitions; illegal names get error 17', async () => {
    const out = await runPython(CONFLUENT_SCRIPT, [broker.bootstrap, 'ck-auto', ...ILLEGAL_TOPICS], { timeoutMs: PROCESS_TIMEOUT_MS })
    const { by_topic: byTopic, all } = JSON.parse(out) as { by_topic: Record<string, ConfluentMetadata>, all: ConfluentMetadata }

    for (const md of [all, ...Object.values(byTopic)]) {
      assert.equal(md.cluster_id, broker.clusterId)
      assert.equal(md.controller_id, broker.nodeId)
      assert.equal(md.orig_broker_id, broker.nodeId)
      assert.deepEqual(md.brokers, [{ id: broker.nodeId, host: broker.host, port: broker.port }])
    }

    // list_topics(topic=...) asks for auto-creation (the AdminClient is a producer-type handle).
    assert.deepEqual(Object.keys(all.topics).sort(), ['ck-auto', 'ck-existing'])
    for (const t of Object.values(all.topics)) {
      assert.equal(t.error, null)
      assert.deepEqual(t.partitions.map(p => ({ partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr })), expectedPartitions(broker, PARTITIONS))
      for (const p of t.partitions) assert.equal(p.error, null)
    }
    assert.equal(byTopic['ck-auto']!.topics['ck-auto']!.partitions.length, PARTITIONS)

    for (const name of ILLEGAL_TOPICS) {
      const t = byTopic[name]!.topics[name]
      assert.ok(t !== undefined, `${name.slice(0, 20)} is in the answer`)
      // librdkafka calls code 17 TOPIC_EXCEPTION (Kafka: INVALID_TOPIC_EXCEPTION).
      assert.deepEqual(t.error, { code: 17, name: 'TOPIC_EXCEPTION' })
      assert.deepEqual(t.partitions, [])
    }
  })
})

// ---------------------------------------------------------------- kafka-python

const KAFKA_PYTHON_SCRIPT = `
import json, sys
from kafka import KafkaAdminClient, KafkaConsumer

bootstrap, existing, others = sys.argv[1], sys.argv[2], sys.argv[3:]
common = {'bootstrap_servers': bootstrap, 'client_id': 'tributary-compat', 'api_version_auto_timeout_ms': 10000}

admin = KafkaAdminClient(request_timeout_ms=10000, **common)
try:
    out = {
        'admin_api_version': list(admin.config['api_version']),
        'cluster': admin.describe_cluster(),
        'topics': sorted(admin.list_topics()),
        'described': admin.describe_topics([existing] + others),
    }
finally:
    admin.close()

consumer = KafkaConsumer(**common)
try:
    out['consumer_api_version'] = list(consumer.config['api_version'])
    out['consumer_topics'] = sorted(consumer.topics())
    out['partitions'] = sorted(consumer.partitions_for_topic(existing) or [])
finally:
    consumer.close()

print(json.dumps(out))
`

interface KafkaPythonOut {
  admin_api_version: number[]
  consumer_api_version: number[]
  cluster: { throttle_time_ms: number, brokers: Array<{ node_id: number, host: string, port: number, rack: string | null }>, cluster_id: string, controller_id: number }
  topics: string[]
  described: Array<{ error_code: number, topic: string, is_internal: boolean, partitions: Array<{ error_code: number, partition: number, leader: number, replicas: number[], isr: number[], offline_replicas: number[] }> }>
  consumer_topics: string[]
  partitions: number[]
}

/** Compares version tuples as lists: [1, 0, 0] >= [0, 11, 0]. */
function versionAtLeast (v: readonly number[], min: readonly number[]): boolean {
  for (let i = 0; i < min.length; i++) {
    const a = v[i] ?? 0
    const b = min[i]!
    if (a !== b) return a > b
  }
  return true
}

describe('python kafka-python', () => {
  const PARTITIONS = 6
  let broker: TestBroker

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': PARTITIONS })
    await createTopicsByMetadata(broker, ['kp-existing'])
  })
  after(async () => { await broker?.close() })

  test('describe_cluster, list_topics, describe_topics, consumer topics() and partitions_for_topic', async () => {
    const out = JSON.parse(await runPython(KAFKA_PYTHON_SCRIPT, [broker.bootstrap, 'kp-existing', 'kp-missing', ...ILLEGAL_TOPICS], { timeoutMs: PROCESS_TIMEOUT_MS })) as KafkaPythonOut

    // Version probing sends ApiVersions v0 and guesses a Kafka release from the
    // ranges; Metadata v5 makes it >= 1.0, which the admin client needs for
    // allow_auto_topic_creation (see FINDINGS.md).
    assert.ok(versionAtLeast(out.admin_api_version, [1, 0, 0]), `admin api_version ${out.admin_api_version.join('.')}`)
    assert.ok(versionAtLeast(out.consumer_api_version, [1, 0, 0]), `consumer api_version ${out.consumer_api_version.join('.')}`)

    assert.deepEqual(out.cluster, {
      throttle_time_ms: 0,
      brokers: [{ node_id: broker.nodeId, host: broker.host, port: broker.port, rack: null }],
      cluster_id: broker.clusterId,
      controller_id: broker.nodeId
    })

    assert.deepEqual(out.topics, ['kp-existing'])
    assert.equal(out.described.length, 4)
    const [existing, missing, badChar, tooLong] = out.described
    assert.equal(existing!.topic, 'kp-existing')
    assert.equal(existing!.error_code, 0)
    assert.equal(existing!.is_internal, false)
    const partitions = [...existing!.partitions].sort((a, b) => a.partition - b.partition)
    assert.deepEqual(partitions.map(p => ({ partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr })), expectedPartitions(broker, PARTITIONS))
    for (const p of partitions) {
      assert.equal(p.error_code, 0)
      assert.deepEqual(p.offline_replicas, [])
    }
    // describe_topics sends Metadata v5 with allow_auto_topic_creation=false.
    assert.deepEqual({ topic: missing!.topic, error: missing!.error_code, partitions: missing!.partitions }, { topic: 'kp-missing', error: 3, partitions: [] })
    assert.deepEqual({ topic: badChar!.topic, error: badChar!.error_code }, { topic: BAD_CHAR_TOPIC, error: 17 })
    assert.deepEqual({ topic: tooLong!.topic, error: tooLong!.error_code }, { topic: TOO_LONG_TOPIC, error: 17 })

    assert.deepEqual(out.consumer_topics, ['kp-existing'], 'nothing was auto-created')
    assert.deepEqual(out.partitions, Array.from({ length: PARTITIONS }, (_, i) => i))
  })
})

// ------------------------------------------------- collisions and internal topics

describe('topic name collisions and internal topics', () => {
  const OFFSETS_PARTITIONS = 7
  let broker: TestBroker

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 2, 'offsets.topic.num.partitions': OFFSETS_PARTITIONS, 'offsets.topic.replication.factor': 1 })
  })
  after(async () => { await broker?.close() })

  test('auto-creating a name that collides with an existing one modulo . and _ is refused (Kafka: InvalidTopicException)', async () => {
    await kcat(['-L', '-b', broker.bootstrap, '-t', 'gap.collide_x'])
    const md = await kcatJson(broker, 'gap_collide.x')
    assert.notEqual(md.topics[0]?.error, undefined, 'an error for the colliding name')
    const all = await kcatJson(broker)
    assert.deepEqual(all.topics.map(t => t.topic).filter(n => n.startsWith('gap')), ['gap.collide_x'])
  })

  test('__consumer_offsets asked for through Metadata is internal, with offsets.topic.num.partitions partitions', async () => {
    // Kafka may first answer LEADER_NOT_AVAILABLE while it creates the topic; ask twice.
    await kcat(['-L', '-b', broker.bootstrap, '-t', '__consumer_offsets'])
    const md = parseKcatText(await kcat(['-L', '-b', broker.bootstrap, '-t', '__consumer_offsets']))
    assert.equal(md.topics.get('__consumer_offsets')?.count, OFFSETS_PARTITIONS)
    const admin = new PlatformaticAdmin({ clientId: 'tributary-compat', bootstrapBrokers: [broker.bootstrap], retries: 0, timeout: 10_000 })
    try {
      // @platformatic/kafka leaves internal topics out unless asked.
      const listed = await withTimeout(admin.listTopics(), CLIENT_TIMEOUT_MS, 'listTopics')
      assert.ok(!listed.includes('__consumer_offsets'), 'not listed as a user topic')
      const withInternals = await withTimeout(admin.listTopics({ includeInternals: true }), CLIENT_TIMEOUT_MS, 'listTopics(includeInternals)')
      assert.ok(withInternals.includes('__consumer_offsets'))
    } finally {
      await withTimeout(admin.close(), CLIENT_TIMEOUT_MS, 'platformatic admin.close')
    }
  })
})
