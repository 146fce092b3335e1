// Admin operations, each read back by kafkajs' admin (an independent client).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka, logLevel, type Admin as KafkaJsAdmin } from 'kafkajs'

// kafkajs' ConfigResourceTypes.TOPIC (not a named ESM export of the CommonJS package).
const TOPIC_RESOURCE = 2
import { Admin, KafkaError, Producer } from '../../src/index.js'
import { kcatConsume, startTestBroker, type TestBroker } from '../helpers/env.js'

describe('admin', () => {
  let broker: TestBroker
  let admin: Admin
  let kjs: KafkaJsAdmin
  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 1, 'auto.create.topics.enable': false })
    admin = new Admin({ brokers: [broker.bootstrap], retry: { totalTimeoutMs: 5000 } })
    kjs = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin()
    await kjs.connect()
  })
  after(async () => {
    await kjs?.disconnect()
    await admin?.close()
    await broker?.close()
  })

  test('createTopics with partitions and configs; listTopics and describeTopics; kafkajs sees the same', async () => {
    const created = await admin.createTopics([{ name: 'a1', numPartitions: 3, configs: { 'cleanup.policy': 'compact' } }, { name: 'a2' }])
    assert.deepEqual(created.map(t => [t.name, t.numPartitions]), [['a1', 3], ['a2', 1]])
    assert.deepEqual((await admin.listTopics()).filter(n => n.startsWith('a')), ['a1', 'a2'])
    const [d] = await admin.describeTopics(['a1'])
    assert.equal(d!.partitions.length, 3)
    assert.ok(d!.partitions.every(p => p.leader === broker.nodeId))
    assert.equal(d!.topicId, created[0]!.topicId)
    const meta = await kjs.fetchTopicMetadata({ topics: ['a1'] })
    assert.equal(meta.topics[0]!.partitions.length, 3)
    assert.ok((await kjs.listTopics()).includes('a2'))
  })

  test('createTopics of an existing topic is TOPIC_ALREADY_EXISTS; describing a missing one is UNKNOWN_TOPIC_OR_PARTITION', async () => {
    await assert.rejects(admin.createTopics([{ name: 'a1' }]), (e: unknown) => e instanceof KafkaError && e.name === 'TOPIC_ALREADY_EXISTS' && e.code === 36)
    await assert.rejects(admin.describeTopics(['missing']), (e: unknown) => e instanceof KafkaError && e.name === 'UNKNOWN_TOPIC_OR_PARTITION' && e.retriable)
  })

  test('createPartitions raises the count; kafkajs sees it', async () => {
    await admin.createPartitions([{ topic: 'a2', count: 4 }])
    const meta = await kjs.fetchTopicMetadata({ topics: ['a2'] })
    assert.equal(meta.topics[0]!.partitions.length, 4)
    assert.equal((await admin.describeTopics(['a2']))[0]!.partitions.length, 4)
  })

  test('describeConfigs, alterConfigs and incrementalAlterConfigs; kafkajs describeConfigs agrees', async () => {
    const [before] = await admin.describeConfigs([{ type: 'topic', name: 'a1', keys: ['cleanup.policy', 'retention.ms'] }])
    const byName = new Map(before!.configs.map(c => [c.name, c]))
    assert.equal(byName.get('cleanup.policy')!.value, 'compact')
    assert.equal(byName.get('cleanup.policy')!.source, 'DYNAMIC_TOPIC_CONFIG')
    assert.equal(byName.get('retention.ms')!.isDefault, true)

    await admin.incrementalAlterConfigs([{ type: 'topic', name: 'a1', changes: [{ name: 'retention.ms', op: 'set', value: '3600000' }] }])
    const kd = await kjs.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC_RESOURCE, name: 'a1', configNames: ['retention.ms', 'cleanup.policy'] }] })
    const kv = new Map(kd.resources[0]!.configEntries.map(e => [e.configName, e.configValue]))
    assert.equal(kv.get('retention.ms'), '3600000')
    assert.equal(kv.get('cleanup.policy'), 'compact')

    // AlterConfigs replaces the whole set: cleanup.policy falls back to its default.
    await admin.alterConfigs([{ type: 'topic', name: 'a1', configs: { 'retention.ms': '7200000' } }])
    const kd2 = await kjs.describeConfigs({ includeSynonyms: false, resources: [{ type: TOPIC_RESOURCE, name: 'a1', configNames: ['retention.ms', 'cleanup.policy'] }] })
    const kv2 = new Map(kd2.resources[0]!.configEntries.map(e => [e.configName, e.configValue]))
    assert.deepEqual([kv2.get('retention.ms'), kv2.get('cleanup.policy')], ['7200000', 'delete'])

    await admin.incrementalAlterConfigs([{ type: 'topic', name: 'a1', changes: [{ name: 'retention.ms', op: 'delete' }] }])
    const [after] = await admin.describeConfigs([{ type: 'topic', name: 'a1', keys: ['retention.ms'] }])
    assert.equal(after!.configs[0]!.isDefault, true)

    await assert.rejects(admin.incrementalAlterConfigs([{ type: 'topic', name: 'a1', changes: [{ name: 'no.such.config', op: 'set', value: '1' }] }]), KafkaError)
    const [brokerConfigs] = await admin.describeConfigs([{ type: 'broker', name: String(broker.nodeId), keys: ['num.partitions'] }])
    assert.equal(brokerConfigs!.configs[0]!.value, '1')
  })

  test('listOffsets (earliest, latest, by time) and deleteRecords; kafkajs and kcat agree', async () => {
    const producer = new Producer({ brokers: [broker.bootstrap] })
    try {
      await producer.send({ topic: 'a2', messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}`, partition: 0, timestamp: 1_700_000_000_000 + i * 1000 })) })
    } finally {
      await producer.close()
    }
    const offs = await admin.listOffsets('a2', [{ partition: 0, spec: 'earliest' }, { partition: 0, spec: 'latest' }])
    assert.deepEqual(offs.map(o => o.offset), [0n, 10n])
    const [byTime] = await admin.listOffsets('a2', [{ partition: 0, spec: { timestamp: 1_700_000_004_500 } }])
    assert.equal(byTime!.offset, 5n)

    const [low] = await admin.deleteRecords('a2', [{ partition: 0, offset: 4 }])
    assert.deepEqual(low, { partition: 0, lowWatermark: 4n })
    const kOffsets = await kjs.fetchTopicOffsets('a2')
    const p0 = kOffsets.find(o => o.partition === 0)!
    assert.deepEqual([p0.low, p0.high], ['4', '10'])
    const kc = await kcatConsume(broker.bootstrap, 'a2', ['-p', '0'])
    assert.deepEqual(kc.map(m => m.offset), [4, 5, 6, 7, 8, 9])
  })

  test('describeCluster and describeLogDirs', async () => {
    const c = await admin.describeCluster()
    assert.equal(c.clusterId, broker.clusterId)
    assert.deepEqual(c.brokers.map(b => [b.nodeId, b.port]), [[broker.nodeId, broker.port]])
    const k = await kjs.describeCluster()
    assert.equal(k.clusterId, c.clusterId)
    assert.equal(k.controller, c.controllerId)
    const dirs = await admin.describeLogDirs()
    assert.equal(dirs.length, 1)
    assert.ok(dirs[0]!.partitions.some(p => p.topic === 'a2' && p.partition === 0 && p.size > 0n))
  })

  test('group offsets: alterOffsets, fetchOffsets, listGroups and deleteGroups; kafkajs fetchOffsets and listGroups agree', async () => {
    await admin.alterOffsets('g-admin', [{ topic: 'a1', partition: 0, offset: 7n }, { topic: 'a1', partition: 2, offset: 3n, metadata: 'm' }])
    const offsets = await admin.fetchOffsets('g-admin')
    assert.deepEqual(offsets.map(o => [o.topic, o.partition, o.offset]).sort(), [['a1', 0, 7n], ['a1', 2, 3n]])
    const [t] = await kjs.fetchOffsets({ groupId: 'g-admin', topics: ['a1'] })
    assert.deepEqual(t!.partitions.map(p => [p.partition, p.offset]).sort(), [[0, '7'], [1, '-1'], [2, '3']])
    assert.ok((await admin.listGroups()).some(g => g.groupId === 'g-admin'))
    assert.ok((await kjs.listGroups()).groups.some(g => g.groupId === 'g-admin'))

    await admin.deleteGroups(['g-admin'])
    assert.ok(!(await admin.listGroups()).some(g => g.groupId === 'g-admin'))
    const [t2] = await kjs.fetchOffsets({ groupId: 'g-admin', topics: ['a1'] })
    assert.ok(t2!.partitions.every(p => p.offset === '-1'))
  })

  test('deleteTopics; kafkajs no longer lists the topic', async () => {
    await admin.deleteTopics(['a1'])
    assert.ok(!(await kjs.listTopics()).includes('a1'))
    assert.ok(!(await admin.listTopics()).includes('a1'))
    await assert.rejects(admin.deleteTopics(['a1']), (e: unknown) => e instanceof KafkaError && e.name === 'UNKNOWN_TOPIC_OR_PARTITION')
  })
})
