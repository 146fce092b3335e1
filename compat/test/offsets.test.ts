// Committed offsets through real clients, without group membership (simple
// commits with generation -1, as assign()-based consumers and admin tools
// make them): OffsetCommit, OffsetFetch, OffsetDelete, ListGroups,
// DeleteGroups, lag, and the offsets surviving a broker restart.
// Clients: confluent-kafka-python (librdkafka), kafka-python, kafkajs and
// @platformatic/kafka, each read back by another.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Admin as PlatformaticAdmin } from '@platformatic/kafka'
import { Kafka, logLevel } from 'kafkajs'
import { runPython, silentKafkaJsLogCreator, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'
import {
  CONFLUENT_COMMIT_SCRIPT, CONFLUENT_RESUME_SCRIPT, KAFKA_PYTHON_COMMIT_SCRIPT, KAFKA_PYTHON_GROUP_ADMIN_SCRIPT
} from './helpers/offsets-python.js'

const T = 30_000
const TOPIC = 'offs'
const PER_PARTITION = 10

const UNKNOWN_TOPIC_OR_PARTITION = 3
const GROUP_ID_NOT_FOUND = 69

function kafkajs (broker: TestBroker): Kafka {
  return new Kafka({ clientId: 'compat-offsets', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, logCreator: silentKafkaJsLogCreator, retry: { retries: 3 } })
}

async function kafkajsOffsets (broker: TestBroker, groupId: string): Promise<Array<[number, string, string | null]>> {
  const admin = kafkajs(broker).admin()
  await withTimeout(admin.connect(), T, 'connect')
  try {
    const [t] = await withTimeout(admin.fetchOffsets({ groupId, topics: [TOPIC] }), T, 'fetchOffsets')
    return t!.partitions.map(p => [p.partition, p.offset, p.metadata] as [number, string, string | null]).sort((a, b) => a[0] - b[0])
  } finally {
    await admin.disconnect()
  }
}

describe('committed offsets with real clients', () => {
  let broker: TestBroker
  let dataDir: string
  let platformatic: PlatformaticAdmin | undefined

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tributary-offsets-'))
    broker = await startTestBroker({ dataDir, 'num.partitions': 3, 'offsets.topic.num.partitions': 3 })
    const producer = kafkajs(broker).producer({ allowAutoTopicCreation: true })
    await withTimeout(producer.connect(), T, 'connect')
    for (let p = 0; p < 3; p++) {
      const messages = Array.from({ length: PER_PARTITION }, (_, i) => ({ partition: p, value: `p${p}-${i}` }))
      await withTimeout(producer.send({ topic: TOPIC, acks: -1, messages }), T, 'send')
    }
    await producer.disconnect()
    platformatic = new PlatformaticAdmin({ clientId: 'compat-offsets', bootstrapBrokers: [broker.bootstrap], retries: 3, timeout: 10_000 })
  })
  after(async () => {
    if (platformatic !== undefined) await withTimeout(platformatic.close(), T, 'close')
    await broker?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  test('confluent-kafka-python commits; kafkajs and @platformatic/kafka read the same offsets', async () => {
    const out = JSON.parse(await runPython(CONFLUENT_COMMIT_SCRIPT, [broker.bootstrap, 'g-confluent', TOPIC, JSON.stringify([[0, 3], [1, 5], [2, 7]])], { timeoutMs: T }))
    assert.deepEqual(out.commit, [[0, 3, 0], [1, 5, 0], [2, 7, 0]])
    assert.deepEqual(out.committed, [[0, 3], [1, 5], [2, 7]])
    // librdkafka reports the broker's per-partition code.
    assert.equal(JSON.stringify(out.unknown_topic).includes(String(UNKNOWN_TOPIC_OR_PARTITION)), true, JSON.stringify(out.unknown_topic))

    assert.deepEqual(await kafkajsOffsets(broker, 'g-confluent'), [[0, '3', null], [1, '5', null], [2, '7', null]])
    const [group] = await withTimeout(platformatic!.listConsumerGroupOffsets({ groups: ['g-confluent'] }), T, 'listConsumerGroupOffsets')
    const seen = group!.topics.find(t => t.name === TOPIC)!.partitions.map(p => [p.partitionIndex, p.committedOffset, p.metadata]).sort((a, b) => Number(a[0]) - Number(b[0]))
    assert.deepEqual(seen, [[0, 3n, ''], [1, 5n, ''], [2, 7n, '']])
  })

  test('kafka-python commits and computes lag; kafkajs computes the same lag', async () => {
    const out = JSON.parse(await runPython(KAFKA_PYTHON_COMMIT_SCRIPT, [broker.bootstrap, 'g-kpy', TOPIC, JSON.stringify([[0, 2], [1, 10], [2, 0]])], { timeoutMs: T }))
    assert.deepEqual(out.offsets, [[TOPIC, 0, 2, 'kp'], [TOPIC, 1, 10, 'kp'], [TOPIC, 2, 0, 'kp']])
    assert.deepEqual(out.lag, [[0, 8], [1, 0], [2, 10]])
    // OFFSET_METADATA_TOO_LARGE (offset.metadata.max.bytes = 4096) as kafka-python raises it.
    assert.equal(out.too_large, 'OffsetMetadataTooLargeError')
    assert.ok(out.groups.includes('g-kpy') && out.groups.includes('g-confluent'), JSON.stringify(out.groups))

    const admin = kafkajs(broker).admin()
    await withTimeout(admin.connect(), T, 'connect')
    try {
      const ends = await withTimeout(admin.fetchTopicOffsets(TOPIC), T, 'fetchTopicOffsets')
      const committed = await kafkajsOffsets(broker, 'g-kpy')
      const lag = committed.map(([p, o]) => [p, Number(ends.find(e => e.partition === p)!.high) - Number(o)])
      assert.deepEqual(lag, [[0, 8], [1, 0], [2, 10]])
    } finally {
      await admin.disconnect()
    }
  })

  test('@platformatic/kafka alters and deletes offsets and lists the group; kafkajs sees the result', async () => {
    await withTimeout(platformatic!.alterConsumerGroupOffsets({ groupId: 'g-plt', topics: [{ name: TOPIC, partitionOffsets: [{ partition: 0, offset: 4n }, { partition: 1, offset: 6n }] }] }), T, 'alter')
    // kafkajs reports an empty metadata string as null.
    assert.deepEqual(await kafkajsOffsets(broker, 'g-plt'), [[0, '4', null], [1, '6', null], [2, '-1', null]])
    await withTimeout(platformatic!.deleteConsumerGroupOffsets({ groupId: 'g-plt', topics: [{ name: TOPIC, partitionIndexes: [0] }] }), T, 'deleteOffsets')
    assert.deepEqual(await kafkajsOffsets(broker, 'g-plt'), [[0, '-1', null], [1, '6', null], [2, '-1', null]])
    const groups = await withTimeout(platformatic!.listGroups(), T, 'listGroups')
    const listed = groups.get('g-plt')
    assert.ok(listed !== undefined, `g-plt not listed: ${[...groups.keys()].join(',')}`)
    assert.equal(listed.state, 'EMPTY')
    assert.equal(listed.groupType, 'classic')
    const filtered = await withTimeout(platformatic!.listGroups({ states: ['STABLE'] }), T, 'listGroups stable')
    assert.equal(filtered.has('g-plt'), false)
  })

  test('kafka-python and kafkajs delete groups; unknown groups are GROUP_ID_NOT_FOUND', async () => {
    const out = JSON.parse(await runPython(KAFKA_PYTHON_GROUP_ADMIN_SCRIPT, [broker.bootstrap, 'g-kpy'], { timeoutMs: T }))
    assert.deepEqual(out.offsets, [[TOPIC, 0, 2, 'kp'], [TOPIC, 1, 10, 'kp'], [TOPIC, 2, 0, 'kp']])
    assert.deepEqual(out.delete.sort(), [['g-kpy', 0], ['never-existed-group', GROUP_ID_NOT_FOUND]])
    assert.equal(out.after.includes('g-kpy'), false)
    const admin = kafkajs(broker).admin()
    await withTimeout(admin.connect(), T, 'connect')
    try {
      await withTimeout(admin.deleteGroups(['g-plt']), T, 'deleteGroups')
      const { groups } = await withTimeout(admin.listGroups(), T, 'listGroups')
      assert.deepEqual(groups.map(g => g.groupId).sort(), ['g-confluent'])
    } finally {
      await admin.disconnect()
    }
    assert.deepEqual(await kafkajsOffsets(broker, 'g-kpy'), [[0, '-1', null], [1, '-1', null], [2, '-1', null]])
  })

  test('after a broker restart the offsets (and deletions) are still there and a consumer resumes exactly at them', async () => {
    await platformatic!.close()
    platformatic = undefined
    await broker.close()
    broker = await startTestBroker({ dataDir, 'num.partitions': 3, 'offsets.topic.num.partitions': 3 })
    assert.deepEqual(await kafkajsOffsets(broker, 'g-confluent'), [[0, '3', null], [1, '5', null], [2, '7', null]])
    assert.deepEqual(await kafkajsOffsets(broker, 'g-kpy'), [[0, '-1', null], [1, '-1', null], [2, '-1', null]])
    const got = JSON.parse(await runPython(CONFLUENT_RESUME_SCRIPT, [broker.bootstrap, 'g-confluent', TOPIC, '1', '5'], { timeoutMs: T }))
    assert.deepEqual(got, [5, 6, 7, 8, 9].map(i => [i, `p1-${i}`]))
  })
})
