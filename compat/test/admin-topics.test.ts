// Topic administration through real third-party clients: kafkajs,
// @platformatic/kafka, confluent-kafka-python (librdkafka) and kafka-python.
// Every operation is checked through at least two clients, and every
// result is checked by reading it back (partition counts from Metadata,
// configs and their sources from DescribeConfigs). IncrementalAlterConfigs
// has one third-party client here (@platformatic/kafka); see FINDINGS.md.
// Each suite starts its own broker with its own settings.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka, logLevel, type Admin as KafkaJsAdmin } from 'kafkajs'
import { Admin as PlatformaticAdmin } from '@platformatic/kafka'
import { runPython, silentKafkaJsLogCreator, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'
import { CONFLUENT_ADMIN_SCRIPT, KAFKA_PYTHON_ADMIN_SCRIPT } from './helpers/admin-python.js'

const CLIENT_TIMEOUT_MS = 15_000
const PROCESS_TIMEOUT_MS = 90_000
const TOPIC = 2 as const
const BROKER = 4 as const
/** DescribeConfigs' ConfigSource ids. */
const Source = { TOPIC: 1, DYNAMIC_BROKER: 2, DYNAMIC_DEFAULT: 3, STATIC: 4, DEFAULT: 5 }
const Op = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const

// ---------------------------------------------------------------- kafkajs

describe('kafkajs admin', () => {
  let broker: TestBroker
  let admin: KafkaJsAdmin | undefined
  const call = <T>(p: Promise<T>, what: string): Promise<T> => withTimeout(p, CLIENT_TIMEOUT_MS, what)

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 2, 'log.retention.hours': 48 })
    admin = new Kafka({
      clientId: 'tributary-compat',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      logCreator: silentKafkaJsLogCreator,
      retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 200 }
    }).admin()
    await call(admin.connect(), 'connect')
  })
  after(async () => {
    if (admin !== undefined) await call(admin.disconnect(), 'disconnect')
    await broker?.close()
  })

  async function partitions (topic: string): Promise<number[]> {
    const md = await call(admin!.fetchTopicMetadata({ topics: [topic] }), 'fetchTopicMetadata')
    return md.topics[0]!.partitions.map(p => p.partitionId).sort((a, b) => a - b)
  }

  async function topicConfigs (topic: string, names: string[]): Promise<Record<string, [string, number]>> {
    const res = await call(admin!.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC, name: topic, configNames: names }] }), 'describeConfigs')
    return Object.fromEntries(res.resources[0]!.configEntries.map(e => [e.configName, [e.configValue, (e as unknown as { configSource: number }).configSource]]))
  }

  test('createTopics with partitions and configs; again returns false; validateOnly creates nothing', async () => {
    assert.equal(await call(admin!.createTopics({
      topics: [{ topic: 'kjs-a', numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'retention.ms', value: '3600000' }] }, { topic: 'kjs-b' }]
    }), 'createTopics'), true)
    assert.deepEqual(await partitions('kjs-a'), [0, 1, 2])
    assert.deepEqual(await partitions('kjs-b'), [0, 1], 'num.partitions when not given')
    assert.deepEqual(await topicConfigs('kjs-a', ['cleanup.policy', 'retention.ms', 'segment.ms']), {
      'cleanup.policy': ['compact', Source.TOPIC],
      'retention.ms': ['3600000', Source.TOPIC],
      'segment.ms': ['604800000', Source.DEFAULT]
    })
    // kafkajs maps an all-TOPIC_ALREADY_EXISTS answer to false.
    assert.equal(await call(admin!.createTopics({ topics: [{ topic: 'kjs-a' }] }), 'createTopics again'), false)
    // validateOnly needs waitForLeaders: false: kafkajs otherwise waits for the (absent) topic's leaders.
    assert.equal(await call(admin!.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'kjs-dry', numPartitions: 4 }] }), 'validateOnly'), true)
    assert.deepEqual((await call(admin!.listTopics(), 'listTopics')).sort(), ['kjs-a', 'kjs-b'])
  })

  test('createTopics errors come back as KafkaJSAggregateError with the broker\'s error types', async () => {
    const cases: Array<[Parameters<KafkaJsAdmin['createTopics']>[0]['topics'][number], string, number]> = [
      [{ topic: 'kjs-rf', replicationFactor: 3 }, 'INVALID_REPLICATION_FACTOR', 38],
      [{ topic: 'kjs-zero', numPartitions: 0 }, 'INVALID_PARTITIONS', 37],
      [{ topic: 'kjs-cfg', configEntries: [{ name: 'cleanup.policy', value: 'shred' }] }, 'INVALID_CONFIG', 40],
      [{ topic: 'bad/name' }, 'INVALID_TOPIC_EXCEPTION', 17],
      [{ topic: 'kjs-manual', replicaAssignment: [{ partition: 0, replicas: [1, 7] }] }, 'INVALID_REPLICA_ASSIGNMENT', 39]
    ]
    for (const [topic, type, code] of cases) {
      await assert.rejects(call(admin!.createTopics({ topics: [topic] }), topic.topic),
        (e: { name: string, errors?: Array<{ type: string, code: number }> }) =>
          e.name === 'KafkaJSAggregateError' && e.errors?.length === 1 && e.errors[0]!.type === type && e.errors[0]!.code === code)
    }
    assert.deepEqual((await call(admin!.listTopics(), 'listTopics')).sort(), ['kjs-a', 'kjs-b'])
  })

  test('createPartitions grows a topic; shrinking is INVALID_PARTITIONS; validateOnly changes nothing', async () => {
    await call(admin!.createPartitions({ topicPartitions: [{ topic: 'kjs-a', count: 5 }] }), 'createPartitions')
    assert.deepEqual(await partitions('kjs-a'), [0, 1, 2, 3, 4])
    await assert.rejects(call(admin!.createPartitions({ topicPartitions: [{ topic: 'kjs-a', count: 4 }] }), 'shrink'),
      (e: { type?: string, code?: number }) => e.type === 'INVALID_PARTITIONS' && e.code === 37)
    await call(admin!.createPartitions({ validateOnly: true, topicPartitions: [{ topic: 'kjs-b', count: 9 }] }), 'validateOnly')
    assert.deepEqual(await partitions('kjs-b'), [0, 1])
  })

  test('describeConfigs for a topic and the broker, with synonyms and sources', async () => {
    const res = await call(admin!.describeConfigs({
      includeSynonyms: true,
      resources: [{ type: TOPIC, name: 'kjs-a', configNames: ['cleanup.policy', 'retention.ms', 'max.message.bytes'] }, { type: BROKER, name: '1', configNames: ['log.retention.hours', 'num.partitions'] }]
    }), 'describeConfigs')
    const [topic, self] = res.resources
    assert.equal(topic!.errorCode, 0)
    const t = new Map(topic!.configEntries.map(e => [e.configName, e]))
    assert.deepEqual(t.get('cleanup.policy')?.configSynonyms, [
      { configName: 'cleanup.policy', configValue: 'compact', configSource: Source.TOPIC },
      { configName: 'log.cleanup.policy', configValue: 'delete', configSource: Source.DEFAULT }
    ])
    assert.deepEqual([t.get('max.message.bytes')?.configValue, t.get('max.message.bytes')?.isDefault], ['1048588', true])
    const b = new Map(self!.configEntries.map(e => [e.configName, e]))
    assert.deepEqual([b.get('log.retention.hours')?.configValue, b.get('log.retention.hours')?.isDefault, b.get('log.retention.hours')?.readOnly], ['48', false, false])
    assert.deepEqual(b.get('log.retention.hours')?.configSynonyms.map(s => [s.configValue, s.configSource]), [['48', Source.STATIC], ['168', Source.DEFAULT]])
    assert.equal(b.get('num.partitions')?.readOnly, true)
  })

  test('alterConfigs replaces a topic\'s overrides; broker values become topic defaults; bad values are INVALID_CONFIG', async () => {
    await call(admin!.alterConfigs({ validateOnly: false, resources: [{ type: TOPIC, name: 'kjs-a', configEntries: [{ name: 'retention.ms', value: '1000' }] }] }), 'alterConfigs topic')
    assert.deepEqual(await topicConfigs('kjs-a', ['cleanup.policy', 'retention.ms']), {
      'cleanup.policy': ['delete', Source.DEFAULT],
      'retention.ms': ['1000', Source.TOPIC]
    }, 'AlterConfigs is not incremental: cleanup.policy went back to the default')
    await call(admin!.alterConfigs({ validateOnly: false, resources: [{ type: BROKER, name: '1', configEntries: [{ name: 'log.cleanup.policy', value: 'compact' }] }] }), 'alterConfigs broker')
    assert.deepEqual(await topicConfigs('kjs-b', ['cleanup.policy']), { 'cleanup.policy': ['compact', Source.DYNAMIC_BROKER] })
    await assert.rejects(call(admin!.alterConfigs({ validateOnly: false, resources: [{ type: TOPIC, name: 'kjs-a', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] }), 'bad value'),
      (e: { type?: string }) => e.type === 'INVALID_CONFIG')
    await assert.rejects(call(admin!.alterConfigs({ validateOnly: false, resources: [{ type: BROKER, name: '1', configEntries: [{ name: 'num.partitions', value: '4' }] }] }), 'read-only'),
      (e: { type?: string }) => e.type === 'INVALID_REQUEST')
    await call(admin!.alterConfigs({ validateOnly: true, resources: [{ type: TOPIC, name: 'kjs-a', configEntries: [] }] }), 'validateOnly')
    assert.deepEqual((await topicConfigs('kjs-a', ['retention.ms']))['retention.ms'], ['1000', Source.TOPIC])
  })

  test('deleteTopics removes topics; an unknown one is UNKNOWN_TOPIC_OR_PARTITION', async () => {
    await call(admin!.deleteTopics({ topics: ['kjs-a'] }), 'deleteTopics')
    assert.deepEqual(await call(admin!.listTopics(), 'listTopics'), ['kjs-b'])
    // kafkajs retries the retriable error, then wraps it (the broker's error is the cause).
    await assert.rejects(call(admin!.deleteTopics({ topics: ['kjs-missing'] }), 'delete missing'),
      (e: { name: string, cause?: { type?: string } }) => e.name === 'KafkaJSNumberOfRetriesExceeded' && e.cause?.type === 'UNKNOWN_TOPIC_OR_PARTITION')
  })
})

// ---------------------------------------------------------------- @platformatic/kafka

describe('@platformatic/kafka admin', () => {
  let broker: TestBroker
  let admin: PlatformaticAdmin | undefined
  const call = <T>(p: Promise<T>, what: string): Promise<T> => withTimeout(p, CLIENT_TIMEOUT_MS, what)
  /** @platformatic/kafka's errors carry the broker's codes as `apiCode` (ResponseError) or in `response` (MultipleErrors). */
  const apiCode = (code: number) => (e: { findBy?: (k: string, v: unknown) => unknown, errors?: Array<{ response?: unknown }> }): boolean =>
    e.findBy?.('apiCode', code) != null || JSON.stringify(e.errors?.map(x => x.response) ?? []).includes(`"errorCode":${code}`)

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 4 })
    admin = new PlatformaticAdmin({ clientId: 'tributary-compat', bootstrapBrokers: [broker.bootstrap], retries: 0, timeout: 10_000 })
  })
  after(async () => {
    if (admin !== undefined) await call(admin.close(), 'close')
    await broker?.close()
  })

  async function partitionCount (topic: string): Promise<number> {
    const md = await call(admin!.metadata({ topics: [topic], forceUpdate: true }), 'metadata')
    return md.topics.get(topic)!.partitionsCount
  }

  async function configs (resourceType: typeof TOPIC | typeof BROKER, resourceName: string, keys: string[]): Promise<Record<string, [string | null, number]>> {
    const [r] = await call(admin!.describeConfigs({ resources: [{ resourceType, resourceName, configurationKeys: keys }] }), 'describeConfigs')
    return Object.fromEntries(r!.configs.map(e => [e.name, [e.value ?? null, e.configSource]]))
  }

  test('createTopics returns ids, partitions, replicas and every config in effect', async () => {
    const created = await call(admin!.createTopics({ topics: ['plt-a', 'plt-b'], partitions: 3, replicas: 1, configs: [{ name: 'cleanup.policy', value: 'compact' }] }), 'createTopics')
    assert.deepEqual(created.map(t => [t.name, t.partitions, t.replicas]), [['plt-a', 3, 1], ['plt-b', 3, 1]])
    assert.equal(created[0]!.configuration['cleanup.policy'], 'compact')
    assert.equal(created[0]!.configuration['retention.ms'], '604800000')
    assert.equal(created[0]!.configuration['min.insync.replicas'], '1')
    const md = await call(admin!.metadata({ topics: ['plt-a', 'plt-b'], forceUpdate: true }), 'metadata')
    assert.deepEqual(created.map(t => t.id), [md.topics.get('plt-a')!.id, md.topics.get('plt-b')!.id])
    assert.equal(await partitionCount('plt-a'), 3)
  })

  test('createTopics errors carry the broker\'s codes', async () => {
    await assert.rejects(call(admin!.createTopics({ topics: ['plt-a'], partitions: 1, replicas: 1 }), 'exists'), apiCode(36))
    await assert.rejects(call(admin!.createTopics({ topics: ['plt-rf'], partitions: 1, replicas: 2 }), 'rf'), apiCode(38))
    await assert.rejects(call(admin!.createTopics({ topics: ['plt-cfg'], partitions: 1, replicas: 1, configs: [{ name: 'segment.bytes', value: '10' }] }), 'config'), apiCode(40))
    assert.deepEqual((await call(admin!.listTopics(), 'listTopics')).sort(), ['plt-a', 'plt-b'])
  })

  test('createPartitions grows; shrinking fails with INVALID_PARTITIONS; validateOnly changes nothing', async () => {
    await call(admin!.createPartitions({ topics: [{ name: 'plt-a', count: 6 }] }), 'createPartitions')
    assert.equal(await partitionCount('plt-a'), 6)
    await assert.rejects(call(admin!.createPartitions({ topics: [{ name: 'plt-a', count: 5 }] }), 'shrink'), apiCode(37))
    await call(admin!.createPartitions({ topics: [{ name: 'plt-b', count: 10 }], validateOnly: true }), 'validateOnly')
    assert.equal(await partitionCount('plt-b'), 3)
  })

  test('describeConfigs v4: types and documentation on request', async () => {
    const [topic, self] = await call(admin!.describeConfigs({
      resources: [{ resourceType: TOPIC, resourceName: 'plt-a', configurationKeys: ['cleanup.policy', 'min.cleanable.dirty.ratio'] }, { resourceType: BROKER, resourceName: '1', configurationKeys: ['num.partitions'] }],
      includeSynonyms: true,
      includeDocumentation: true
    }), 'describeConfigs')
    const t = new Map(topic!.configs.map(e => [e.name, e]))
    assert.deepEqual([t.get('cleanup.policy')?.value, t.get('cleanup.policy')?.configSource, t.get('cleanup.policy')?.configType], ['compact', Source.TOPIC, 7])
    assert.deepEqual([t.get('min.cleanable.dirty.ratio')?.value, t.get('min.cleanable.dirty.ratio')?.configType], ['0.5', 6])
    assert.match(t.get('cleanup.policy')!.documentation!, /compact/)
    assert.deepEqual(self!.configs.map(e => [e.name, e.value, e.configSource, e.readOnly]), [['num.partitions', '4', Source.STATIC, true]])
  })

  test('alterConfigs (legacy) replaces overrides; incrementalAlterConfigs SET, DELETE, APPEND, SUBTRACT', async () => {
    await call(admin!.alterConfigs({ resources: [{ resourceType: TOPIC, resourceName: 'plt-a', configs: [{ name: 'retention.ms', value: '5000' }] }] }), 'alterConfigs')
    assert.deepEqual(await configs(TOPIC, 'plt-a', ['cleanup.policy', 'retention.ms']), { 'cleanup.policy': ['delete', Source.DEFAULT], 'retention.ms': ['5000', Source.TOPIC] })
    const incremental = (configs: Array<{ name: string, configOperation: number, value?: string }>, validateOnly = false): Promise<void> =>
      call(admin!.incrementalAlterConfigs({ resources: [{ resourceType: TOPIC, resourceName: 'plt-a', configs: configs as never }], validateOnly }), 'incrementalAlterConfigs')
    await incremental([{ name: 'cleanup.policy', configOperation: Op.APPEND, value: 'compact' }, { name: 'segment.ms', configOperation: Op.SET, value: '60000' }])
    assert.deepEqual(await configs(TOPIC, 'plt-a', ['cleanup.policy', 'retention.ms', 'segment.ms']), {
      'cleanup.policy': ['delete,compact', Source.TOPIC], 'retention.ms': ['5000', Source.TOPIC], 'segment.ms': ['60000', Source.TOPIC]
    })
    await incremental([{ name: 'cleanup.policy', configOperation: Op.SUBTRACT, value: 'delete' }, { name: 'retention.ms', configOperation: Op.DELETE }])
    await incremental([{ name: 'segment.ms', configOperation: Op.DELETE }], true)
    assert.deepEqual(await configs(TOPIC, 'plt-a', ['cleanup.policy', 'retention.ms', 'segment.ms']), {
      'cleanup.policy': ['compact', Source.TOPIC], 'retention.ms': ['604800000', Source.DEFAULT], 'segment.ms': ['60000', Source.TOPIC]
    })
    await assert.rejects(incremental([{ name: 'retention.ms', configOperation: Op.APPEND, value: '1' }]), apiCode(40))
    // A dynamic broker value reaches every topic without its own. (@platformatic/kafka
    // cannot address the cluster default, resource '': it routes it to broker 0; FINDINGS.md.)
    await call(admin!.incrementalAlterConfigs({ resources: [{ resourceType: BROKER, resourceName: '1', configs: [{ name: 'log.retention.ms', configOperation: Op.SET, value: '86400000' }] }] }), 'broker config')
    assert.deepEqual(await configs(TOPIC, 'plt-b', ['retention.ms']), { 'retention.ms': ['86400000', Source.DYNAMIC_BROKER] })
    assert.deepEqual(await configs(BROKER, '1', ['log.retention.ms']), { 'log.retention.ms': ['86400000', Source.DYNAMIC_BROKER] })
  })

  test('deleteTopics removes topics; an unknown one is UNKNOWN_TOPIC_OR_PARTITION', async () => {
    await call(admin!.deleteTopics({ topics: ['plt-a'] }), 'deleteTopics')
    assert.deepEqual(await call(admin!.listTopics(), 'listTopics'), ['plt-b'])
    await assert.rejects(call(admin!.deleteTopics({ topics: ['plt-missing'] }), 'delete missing'), apiCode(3))
  })
})

// ---------------------------------------------------------------- confluent-kafka (python)

type Outcome = { ok: true } | { code: number, name: string, message: string }
interface ConfluentEntry { value: string | null, source: number, is_default: boolean, is_read_only: boolean, synonyms: Array<[string, string | null, number]> }

describe('python confluent-kafka AdminClient (librdkafka)', () => {
  let broker: TestBroker
  let out: Record<string, any>
  const p = (...ids: number[]): Array<[number, number, number[], number[]]> => ids.map(i => [i, 1, [1], [1]])

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 2, 'log.retention.hours': 48 })
    out = JSON.parse(await runPython(CONFLUENT_ADMIN_SCRIPT, [broker.bootstrap], { timeoutMs: PROCESS_TIMEOUT_MS }))
  })
  after(async () => { await broker?.close() })

  test('create_topics: created topics, manual assignment, and each error as librdkafka reports it', () => {
    const create = out.create as Record<string, Outcome>
    for (const t of ['ck-a', 'ck-b', 'ck-manual']) assert.deepEqual(create[t], { ok: true }, t)
    assert.deepEqual(create['ck-zero'], { code: 37, name: 'INVALID_PARTITIONS', message: 'Number of partitions was set to an invalid non-positive value.' })
    assert.deepEqual(create['ck-rf'], { code: 38, name: 'INVALID_REPLICATION_FACTOR', message: 'Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.' })
    assert.deepEqual(create['ck-badcfg'], { code: 40, name: 'INVALID_CONFIG', message: 'Invalid value \'brotli\' for configuration compression.type: must be one of: uncompressed, zstd, lz4, snappy, gzip, producer' })
    assert.deepEqual(create['ck-unknowncfg'], { code: 40, name: 'INVALID_CONFIG', message: 'Unknown topic config name: retention.weeks' })
    // librdkafka calls code 17 TOPIC_EXCEPTION.
    assert.deepEqual([(create['bad/name'] as { code: number }).code, (create['bad/name'] as { name: string }).name], [17, 'TOPIC_EXCEPTION'])
    assert.deepEqual(out.create_again, { 'ck-a': { code: 36, name: 'TOPIC_ALREADY_EXISTS', message: 'Topic \'ck-a\' already exists.' } })
    assert.deepEqual(out.create_validate_only, { 'ck-dry': { ok: true } })
    assert.deepEqual(out.partitions_after_create, { 'ck-a': p(0, 1, 2), 'ck-b': p(0, 1), 'ck-manual': p(0, 1), 'ck-dry': null, 'ck-rf': null })
  })

  test('create_partitions: grow, shrink refused with Kafka\'s message, unknown topic, validate_only', () => {
    assert.deepEqual(out.grow['ck-a'], { ok: true })
    assert.equal(out.grow['ck-missing'].code, 3)
    assert.deepEqual(out.shrink, { 'ck-a': { code: 37, name: 'INVALID_PARTITIONS', message: 'The topic ck-a currently has 5 partition(s); 2 would not be an increase.' } })
    assert.deepEqual(out.grow_validate_only, { 'ck-b': { ok: true } })
    assert.deepEqual(out.partitions_after_grow, { 'ck-a': p(0, 1, 2, 3, 4), 'ck-b': p(0, 1) })
  })

  test('describe_configs (v1): values, sources, is_default, read-only, synonyms', () => {
    const topic = out.topic_configs as Record<string, ConfluentEntry>
    assert.deepEqual(topic['cleanup.policy'], { value: 'compact', source: Source.TOPIC, is_default: false, is_read_only: false, synonyms: [['cleanup.policy', 'compact', 1], ['log.cleanup.policy', 'delete', 5]] })
    assert.deepEqual(topic['retention.ms'], { value: '3600000', source: Source.TOPIC, is_default: false, is_read_only: false, synonyms: [['retention.ms', '3600000', 1]] })
    assert.deepEqual(topic['segment.bytes'], { value: '1073741824', source: Source.DEFAULT, is_default: true, is_read_only: false, synonyms: [['log.segment.bytes', '1073741824', 5]] })
    const self = out.broker_configs as Record<string, ConfluentEntry>
    // confluent-kafka-python keys synonyms by name, so the static and default log.retention.hours collapse into one (FINDINGS.md).
    assert.deepEqual([self['log.retention.hours']!.value, self['log.retention.hours']!.source, self['log.retention.hours']!.is_read_only], ['48', Source.STATIC, false])
    assert.deepEqual([self['log.retention.ms']!.value, self['log.retention.ms']!.source], [null, Source.DEFAULT])
    assert.deepEqual([self['num.partitions']!.value, self['num.partitions']!.is_read_only], ['2', true])
    assert.deepEqual(out.describe_missing, { code: 3, name: 'UNKNOWN_TOPIC_OR_PART', message: 'The topic \'ck-missing\' does not exist.' })
  })

  test('alter_configs (v0): topic overrides replaced, broker value applied to topic defaults, errors', () => {
    assert.deepEqual(Object.values(out.alter_topic), [{ ok: true }])
    assert.deepEqual(Object.values(out.alter_topic_bad), [{ code: 40, name: 'INVALID_CONFIG', message: 'Invalid value \'soon\' for configuration retention.ms: must be an integer >= -1' }])
    assert.deepEqual(Object.values(out.alter_broker), [{ ok: true }])
    assert.deepEqual(Object.values(out.alter_broker_read_only), [{ code: 42, name: 'INVALID_REQUEST', message: 'Cannot update these configs dynamically: num.partitions' }])
    const after = out.topic_configs_after_alter as Record<string, ConfluentEntry>
    assert.deepEqual([after['cleanup.policy']!.value, after['cleanup.policy']!.source], ['delete', Source.DEFAULT])
    assert.deepEqual([after['retention.ms']!.value, after['retention.ms']!.source], ['1000', Source.TOPIC])
    assert.deepEqual(out.defaults_after_alter['retention.ms'].value, '7200000')
    assert.equal(out.defaults_after_alter['retention.ms'].source, Source.DYNAMIC_BROKER)
  })

  test('delete_topics (v1): deleted, and UNKNOWN_TOPIC_OR_PART for a missing one', () => {
    assert.deepEqual(out.delete['ck-a'], { ok: true })
    assert.equal(out.delete['ck-missing'].code, 3)
    assert.deepEqual(out.topics_after_delete, ['ck-b', 'ck-manual'])
  })
})

// ---------------------------------------------------------------- kafka-python

describe('python kafka-python KafkaAdminClient', () => {
  let broker: TestBroker
  let out: Record<string, any>
  const p = (...ids: number[]): [number, Array<[number, number, number[]]>] => [0, ids.map(i => [i, 1, [1]])]

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 3 })
    out = JSON.parse(await runPython(KAFKA_PYTHON_ADMIN_SCRIPT, [broker.bootstrap], { timeoutMs: PROCESS_TIMEOUT_MS }))
  })
  after(async () => { await broker?.close() })

  test('create_topics (v3): created, manual assignment, errors as exceptions', () => {
    assert.deepEqual(out.create, { ok: true })
    assert.deepEqual(out.create_manual, { ok: true })
    assert.deepEqual(out.create_again, { error: 'TopicAlreadyExistsError', errno: 36 })
    assert.deepEqual(out.create_rf, { error: 'InvalidReplicationFactorError', errno: 38 })
    assert.deepEqual(out.create_zero, { error: 'InvalidPartitionsError', errno: 37 })
    assert.deepEqual(out.create_badcfg, { error: 'InvalidConfigurationError', errno: 40 })
    assert.deepEqual(out.create_badname, { error: 'InvalidTopicError', errno: 17 })
    assert.deepEqual(out.create_validate_only, { ok: true })
    assert.deepEqual(out.partitions_after_create, { 'kp-a': p(0, 1, 2), 'kp-b': p(0, 1), 'kp-manual': p(0, 1, 2), 'kp-dry': [3, []] })
  })

  test('create_partitions (v1): grow, shrink, unknown topic, validate_only', () => {
    assert.deepEqual(out.grow, { ok: true })
    assert.deepEqual(out.shrink, { error: 'InvalidPartitionsError', errno: 37 })
    assert.deepEqual(out.grow_missing, { error: 'UnknownTopicOrPartitionError', errno: 3 })
    assert.deepEqual(out.grow_validate_only, { ok: true })
    assert.deepEqual(out.partitions_after_grow, { 'kp-a': p(0, 1, 2, 3, 4, 5), 'kp-b': p(0, 1) })
  })

  test('describe_configs (v2) with synonyms: topic and broker', () => {
    assert.deepEqual(out.topic_configs, {
      error_code: 0,
      error_message: null,
      entries: {
        'cleanup.policy': { value: 'compact', read_only: false, source: 1, sensitive: false, synonyms: [['cleanup.policy', 'compact', 1], ['log.cleanup.policy', 'delete', 5]] },
        'retention.ms': { value: '604800000', read_only: false, source: 5, sensitive: false, synonyms: [] },
        'flush.ms': { value: '9223372036854775807', read_only: false, source: 5, sensitive: false, synonyms: [] }
      }
    })
    assert.deepEqual(out.broker_configs.entries['num.partitions'], { value: '3', read_only: true, source: 4, sensitive: false, synonyms: [['num.partitions', '3', 4], ['num.partitions', '1', 5]] })
    assert.deepEqual(out.broker_configs.entries['log.retention.hours'], { value: '168', read_only: false, source: 5, sensitive: false, synonyms: [['log.retention.hours', '168', 5]] })
    assert.deepEqual(out.describe_missing, { error_code: 3, error_message: 'The topic \'kp-missing\' does not exist.', entries: {} })
  })

  test('alter_configs (v1): per-resource error codes in the response, values read back', () => {
    assert.deepEqual(out.alter_topic, [[0, null]])
    assert.deepEqual(out.alter_topic_bad, [[40, 'Invalid value \'-5\' for configuration max.message.bytes: must be an integer >= 0']])
    assert.deepEqual(out.alter_broker, [[0, null]])
    const after = out.topic_configs_after_alter.entries
    assert.deepEqual([after['retention.ms'].value, after['retention.ms'].source], ['1000', Source.TOPIC])
    assert.deepEqual([after['segment.ms'].value, after['segment.ms'].source], ['3600000', Source.TOPIC])
    assert.deepEqual(after['cleanup.policy'], { value: 'compact', read_only: false, source: 2, sensitive: false, synonyms: [['log.cleanup.policy', 'compact', 2], ['log.cleanup.policy', 'delete', 5]] },
      'the override is gone; the dynamic broker default applies')
    assert.equal(out.defaults_after_alter.entries['cleanup.policy'].source, Source.DYNAMIC_BROKER)
  })

  test('delete_topics (v3)', () => {
    assert.deepEqual(out.delete, { ok: true })
    assert.deepEqual(out.delete_missing, { error: 'UnknownTopicOrPartitionError', errno: 3 })
    assert.deepEqual(out.topics_after_delete, ['kp-b', 'kp-manual'])
  })
})
