// kafka-ts (an independent TypeScript client with no dependencies) against
// the broker: the second third-party client, after @platformatic/kafka, for
// the admin requests that kafkajs, librdkafka 2.0.2 and kafka-python do not
// send (IncrementalAlterConfigs, DescribeCluster, DescribeTopicPartitions),
// and one more producer and consumer (classic and KIP-848 groups).
//
// kafka-ts picks each request's version from our ApiVersions answer and
// checks that it decoded every byte of each response, so a field too many
// or too few fails here.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { API, KafkaTSApiError, LogLevel, createKafkaClient, setLogLevel } from 'kafka-ts'
import { runOk, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'

const T = 30_000
const TOPIC = 2
const BROKER = 4
// IncrementalAlterConfigs operations (KIP-339).
const Op = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const
// DescribeConfigs config sources.
const Source = { TOPIC: 1, DYNAMIC_BROKER: 2, DEFAULT: 5 } as const

setLogLevel(LogLevel.ERROR)

// The package exports these classes' values but not their types.
type Client = ReturnType<typeof createKafkaClient>
type Cluster = ReturnType<Client['createCluster']>
type Producer = ReturnType<Client['createProducer']>
type Consumer = Awaited<ReturnType<Client['startConsumer']>>

function clientFor (broker: TestBroker, clientId: string): Client {
  return createKafkaClient({ clientId, bootstrapServers: [{ host: broker.host, port: broker.port }], requestTimeout: T })
}

/** The Kafka error code of a kafka-ts request that failed with one. */
function apiCode (code: number): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof KafkaTSApiError, `expected a KafkaTSApiError, got ${String(err)}`)
    assert.equal(err.errorCode, code, err.message)
    return true
  }
}

interface KcatMessage { partition: number, offset: number, key: string | null, payload: string | null, headers?: string[], ts?: number }

async function kcatConsume (broker: TestBroker, topic: string): Promise<KcatMessage[]> {
  const r = await runOk('kcat', ['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-J', '-q'], { timeoutMs: T })
  return r.stdout.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as KcatMessage)
}

describe('kafka-ts admin requests: IncrementalAlterConfigs, DescribeConfigs, DescribeCluster, DescribeTopicPartitions', () => {
  let broker: TestBroker
  let cluster: Cluster

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 1, 'node.id': 1 })
    cluster = clientFor(broker, 'compat-kts-admin').createCluster()
    await withTimeout(cluster.connect(), T, 'connect')
    await withTimeout(cluster.sendRequest(API.CREATE_TOPICS, {
      topics: [
        { name: 'kts-a', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
        { name: 'kts-b', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
        { name: 'wide', numPartitions: 5, replicationFactor: 1, assignments: [], configs: [] }
      ],
      timeoutMs: 10_000,
      validateOnly: false
    }), T, 'createTopics')
  })
  after(async () => {
    await cluster?.disconnect()
    await broker?.close()
  })

  async function configs (resourceType: number, resourceName: string, keys: string[]): Promise<Record<string, [string | null, number]>> {
    const res = await withTimeout(cluster.sendRequest(API.DESCRIBE_CONFIGS, {
      resources: [{ resourceType, resourceName, configurationKeys: keys }],
      includeSynonyms: true,
      includeDocumentation: false
    }), T, 'describeConfigs')
    assert.equal(res.results.length, 1)
    return Object.fromEntries(res.results[0]!.configs.map(c => [c.name, [c.value, c.configSource]]))
  }

  function incremental (resourceType: number, resourceName: string, configs: Array<{ name: string, configOperation: number, value: string | null }>, validateOnly = false) {
    return withTimeout(cluster.sendRequest(API.INCREMENTAL_ALTER_CONFIGS, { resources: [{ resourceType, resourceName, configs }], validateOnly }), T, 'incrementalAlterConfigs')
  }

  test('IncrementalAlterConfigs SET, APPEND, SUBTRACT, DELETE on a topic, seen by DescribeConfigs', async () => {
    assert.deepEqual(await configs(TOPIC, 'kts-a', ['cleanup.policy', 'retention.ms']), {
      'cleanup.policy': ['delete', Source.DEFAULT], 'retention.ms': ['604800000', Source.DEFAULT]
    })
    const set = await incremental(TOPIC, 'kts-a', [
      { name: 'retention.ms', configOperation: Op.SET, value: '5000' },
      { name: 'cleanup.policy', configOperation: Op.APPEND, value: 'compact' }
    ])
    assert.deepEqual(set.responses.map(r => [r.resourceType, r.resourceName, r.errorCode]), [[TOPIC, 'kts-a', 0]])
    assert.deepEqual(await configs(TOPIC, 'kts-a', ['cleanup.policy', 'retention.ms']), {
      'cleanup.policy': ['delete,compact', Source.TOPIC], 'retention.ms': ['5000', Source.TOPIC]
    })
    await incremental(TOPIC, 'kts-a', [
      { name: 'cleanup.policy', configOperation: Op.SUBTRACT, value: 'delete' },
      { name: 'retention.ms', configOperation: Op.DELETE, value: null }
    ])
    assert.deepEqual(await configs(TOPIC, 'kts-a', ['cleanup.policy', 'retention.ms']), {
      'cleanup.policy': ['compact', Source.TOPIC], 'retention.ms': ['604800000', Source.DEFAULT]
    })
  })

  test('IncrementalAlterConfigs validateOnly changes nothing', async () => {
    const res = await incremental(TOPIC, 'kts-b', [{ name: 'segment.ms', configOperation: Op.SET, value: '60000' }], true)
    assert.equal(res.responses[0]!.errorCode, 0)
    assert.deepEqual(await configs(TOPIC, 'kts-b', ['segment.ms']), { 'segment.ms': ['604800000', Source.DEFAULT] })
  })

  test('IncrementalAlterConfigs errors: APPEND to a non-list key and a bad value are INVALID_CONFIG, an unknown topic UNKNOWN_TOPIC_OR_PARTITION', async () => {
    await assert.rejects(incremental(TOPIC, 'kts-b', [{ name: 'retention.ms', configOperation: Op.APPEND, value: '1' }]), apiCode(40))
    await assert.rejects(incremental(TOPIC, 'kts-b', [{ name: 'retention.ms', configOperation: Op.SET, value: 'soon' }]), apiCode(40))
    await assert.rejects(incremental(TOPIC, 'kts-missing', [{ name: 'retention.ms', configOperation: Op.SET, value: '1' }]), apiCode(3))
    // Nothing of a refused request is applied.
    assert.deepEqual(await configs(TOPIC, 'kts-b', ['retention.ms']), { 'retention.ms': ['604800000', Source.DEFAULT] })
  })

  test('IncrementalAlterConfigs on the broker: a dynamic default reaches topics without their own value', async () => {
    const res = await incremental(BROKER, '1', [{ name: 'log.retention.ms', configOperation: Op.SET, value: '86400000' }])
    assert.equal(res.responses[0]!.errorCode, 0)
    assert.deepEqual(await configs(BROKER, '1', ['log.retention.ms']), { 'log.retention.ms': ['86400000', Source.DYNAMIC_BROKER] })
    assert.deepEqual(await configs(TOPIC, 'kts-b', ['retention.ms']), { 'retention.ms': ['86400000', Source.DYNAMIC_BROKER] })
    await incremental(BROKER, '1', [{ name: 'log.retention.ms', configOperation: Op.DELETE, value: null }])
    assert.deepEqual(await configs(TOPIC, 'kts-b', ['retention.ms']), { 'retention.ms': ['604800000', Source.DEFAULT] })
  })

  test('DescribeCluster: this broker, controller and the cluster id Metadata gives', async () => {
    const metadata = await withTimeout(cluster.sendRequest(API.METADATA, { topics: [], allowTopicAutoCreation: false, includeTopicAuthorizedOperations: false }), T, 'metadata')
    const res = await withTimeout(cluster.sendRequest(API.DESCRIBE_CLUSTER, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false }), T, 'describeCluster')
    assert.equal(res.errorCode, 0)
    assert.equal(res.clusterId, metadata.clusterId)
    assert.equal(res.controllerId, 1)
    assert.deepEqual(res.brokers.map(b => [b.brokerId, b.host, b.port, b.rack]), [[1, broker.host, broker.port, null]])
  })

  test('DescribeTopicPartitions: partitions with leaders and replicas, paging by cursor, an unknown topic', async () => {
    const all = await withTimeout(cluster.sendRequest(API.DESCRIBE_TOPIC_PARTITIONS, { topics: [{ name: 'wide' }, { name: 'kts-a' }], responsePartitionLimit: 100, cursor: null }), T, 'all')
    const byName = new Map(all.topics.map(t => [t.name, t]))
    assert.deepEqual(byName.get('wide')!.partitions.map(p => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes]), [0, 1, 2, 3, 4].map(i => [i, 1, [1], [1]]))
    assert.equal(byName.get('kts-a')!.partitions.length, 1)
    // kafka-ts prints a topic id as 32 hex digits.
    assert.match(byName.get('wide')!.topicId, /^[0-9a-f]{32}$/)
    assert.notEqual(byName.get('wide')!.topicId, '0'.repeat(32))
    assert.equal(all.nextCursor, null)

    const first = await withTimeout(cluster.sendRequest(API.DESCRIBE_TOPIC_PARTITIONS, { topics: [{ name: 'wide' }], responsePartitionLimit: 2, cursor: null }), T, 'page 1')
    assert.deepEqual(first.topics[0]!.partitions.map(p => p.partitionIndex), [0, 1])
    assert.deepEqual([first.nextCursor?.topicName, first.nextCursor?.partitionIndex], ['wide', 2])
    const second = await withTimeout(cluster.sendRequest(API.DESCRIBE_TOPIC_PARTITIONS, { topics: [{ name: 'wide' }], responsePartitionLimit: 2, cursor: { topicName: 'wide', partitionIndex: 2 } }), T, 'page 2')
    assert.deepEqual(second.topics[0]!.partitions.map(p => p.partitionIndex), [2, 3])
    const third = await withTimeout(cluster.sendRequest(API.DESCRIBE_TOPIC_PARTITIONS, { topics: [{ name: 'wide' }], responsePartitionLimit: 2, cursor: { topicName: 'wide', partitionIndex: 4 } }), T, 'page 3')
    assert.deepEqual(third.topics[0]!.partitions.map(p => p.partitionIndex), [4])
    assert.equal(third.nextCursor, null)

    // kafka-ts turns a topic's error code into an exception; the code is kept.
    await assert.rejects(withTimeout(cluster.sendRequest(API.DESCRIBE_TOPIC_PARTITIONS, { topics: [{ name: 'kts-nope' }], responsePartitionLimit: 10, cursor: null }), T, 'unknown'), apiCode(3))
  })
})

describe('kafka-ts producer and consumers', () => {
  let broker: TestBroker
  let producer: Producer
  let producerCluster: Cluster

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 1 })
    const client = clientFor(broker, 'compat-kts')
    producer = client.createProducer({ allowTopicAutoCreation: true, maxRetries: 3 })
    producerCluster = client.createCluster()
    await withTimeout(producerCluster.connect(), T, 'connect')
  })
  after(async () => {
    await producer?.close()
    await producerCluster?.disconnect()
    await broker?.close()
  })

  test('send with keys, headers and timestamps, read back by kcat', async () => {
    await withTimeout(producer.send([
      { topic: 'kts-out', key: 'a', value: 'one', headers: { h1: 'x', h2: 'y' }, timestamp: 1700000000000n },
      { topic: 'kts-out', key: 'b', value: 'two', timestamp: 1700000000001n },
      { topic: 'kts-out', key: null, value: 'keyless', timestamp: 1700000000002n }
    ]), T, 'send')
    const got = await kcatConsume(broker, 'kts-out')
    assert.deepEqual(got.map(m => [m.offset, m.key, m.payload, m.ts]), [[0, 'a', 'one', 1700000000000], [1, 'b', 'two', 1700000000001], [2, null, 'keyless', 1700000000002]])
    assert.deepEqual(got[0]!.headers, ['h1', 'x', 'h2', 'y'])
  })

  for (const groupProtocol of ['classic', 'consumer'] as const) {
    test(`a ${groupProtocol} group consumer reads what kcat wrote, in order, and commits its offsets`, async () => {
      const topic = `kts-in-${groupProtocol}`
      const groupId = `kts-group-${groupProtocol}`
      const lines = Array.from({ length: 50 }, (_, i) => `k${i}:v${i}`)
      await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', topic, '-K:', '-H', 'h=1'], { input: lines.join('\n') + '\n', timeoutMs: T })
      const seen: Array<[string | null, string | null, bigint, string | undefined]> = []
      let done: () => void = () => {}
      const all = new Promise<void>(resolve => { done = resolve })
      const consumer: Consumer = await withTimeout(clientFor(broker, `compat-kts-${groupProtocol}`).startConsumer({
        topics: [topic],
        groupId,
        groupProtocol,
        fromBeginning: true,
        maxWaitMs: 200,
        onBatch: (messages, { resolveOffset }) => {
          for (const m of messages) {
            seen.push([m.key, m.value, m.offset, m.headers.h])
            resolveOffset(m)
          }
          if (seen.length >= lines.length) done()
        }
      }), T, 'startConsumer')
      try {
        await withTimeout(all, T, 'all records')
      } finally {
        await consumer.close()
      }
      assert.deepEqual(seen, lines.map((_, i) => [`k${i}`, `v${i}`, BigInt(i), '1']))
      // The group's committed offset is the next one to read (OffsetFetch through kafka-ts).
      const coordinator = await withTimeout(producerCluster.sendRequest(API.FIND_COORDINATOR, { keyType: 0, keys: [groupId] }), T, 'findCoordinator')
      assert.equal(coordinator.coordinators[0]!.errorCode, 0)
      const metadata = await withTimeout(producerCluster.sendRequest(API.METADATA, { topics: [{ id: null, name: topic }], allowTopicAutoCreation: false, includeTopicAuthorizedOperations: false }), T, 'metadata')
      const topicId = metadata.topics[0]!.topicId
      const fetched = await withTimeout(producerCluster.sendRequest(API.OFFSET_FETCH, {
        groups: [{ groupId, memberId: null, memberEpoch: -1, topics: [{ name: topic, topicId, partitionIndexes: [0] }] }],
        requireStable: false
      }), T, 'offsetFetch')
      assert.deepEqual(fetched.groups[0]!.topics[0]!.partitions.map(p => [p.partitionIndex, p.committedOffset]), [[0, BigInt(lines.length)]])
    })
  }
})
