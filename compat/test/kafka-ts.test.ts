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
import { kcatConsume } from './helpers/kcat.js'

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

// Every other request kafka-ts can send to a broker we serve, each answer
// decoded to its last byte by kafka-ts (at the newest version both sides
// know) and its values checked.
describe('kafka-ts decodes every answer: offsets, fetch, groups, producers, transactions, log dirs, deletions', () => {
  let broker: TestBroker
  let client: Client
  let cluster: Cluster
  let topicId: string

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 2 })
    client = clientFor(broker, 'compat-kts-sweep')
    cluster = client.createCluster()
    await withTimeout(cluster.connect(), T, 'connect')
    await withTimeout(cluster.sendRequest(API.CREATE_TOPICS, {
      topics: ['t', 'gone'].map(name => ({ name, numPartitions: name === 't' ? 2 : 1, replicationFactor: 1, assignments: [], configs: [] })),
      timeoutMs: 10_000,
      validateOnly: false
    }), T, 'createTopics')
    const producer = client.createProducer({ maxRetries: 3 })
    try {
      await withTimeout(producer.send(Array.from({ length: 10 }, (_, i) => ({ topic: 't', partition: 0, key: `k${i}`, value: `v${i}`, timestamp: 1700000000000n + BigInt(i) }))), T, 'send')
    } finally {
      await producer.close()
    }
    const metadata = await withTimeout(cluster.sendRequest(API.METADATA, { topics: [{ id: null, name: 't' }], allowTopicAutoCreation: false, includeTopicAuthorizedOperations: false }), T, 'metadata')
    topicId = metadata.topics[0]!.topicId
    // A classic group that consumed and committed partition 0.
    let consumed: () => void = () => {}
    const all = new Promise<void>(resolve => { consumed = resolve })
    let count = 0
    const consumer = await withTimeout(client.startConsumer({
      topics: ['t'],
      groupId: 'g',
      fromBeginning: true,
      maxWaitMs: 100,
      onBatch: (messages, { resolveOffset }) => {
        for (const m of messages) resolveOffset(m)
        count += messages.length
        if (count >= 10) consumed()
      }
    }), T, 'startConsumer')
    try {
      await withTimeout(all, T, 'consumed')
    } finally {
      await consumer.close()
    }
  })
  after(async () => {
    await cluster?.disconnect()
    await broker?.close()
  })

  test('ListOffsets latest and max timestamp; OffsetForLeaderEpoch', async () => {
    const offsets = await withTimeout(cluster.sendRequest(API.LIST_OFFSETS, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }, { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -3n }] }]
    }), T, 'listOffsets')
    assert.deepEqual(offsets.topics[0]!.partitions.map(p => [p.partitionIndex, p.errorCode, p.offset, p.timestamp]), [[0, 0, 10n, -1n], [0, 0, 9n, 1700000000009n]])
    const epochs = await withTimeout(cluster.sendRequest(API.OFFSET_FOR_LEADER_EPOCH, { replicaId: -1, topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }] }), T, 'offsetForLeaderEpoch')
    assert.deepEqual(epochs.topics[0]!.partitions.map(p => [p.errorCode, p.leaderEpoch, p.endOffset]), [[0, 0, 10n]])
  })

  test('Fetch by topic id: records, high watermark, last stable offset, log start', async () => {
    const res = await withTimeout(cluster.sendRequest(API.FETCH, {
      maxWaitMs: 10,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topicId, topicName: 't', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 3n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [],
      rackId: ''
    }), T, 'fetch')
    const p = res.responses[0]!.partitions[0]!
    assert.deepEqual([p.errorCode, p.highWatermark, p.lastStableOffset, p.logStartOffset], [0, 10n, 10n, 0n])
    // Whole batches come back: the one holding offset 3 starts at 0.
    const records = p.records.flatMap(batch => batch.records.map(r => [batch.baseOffset + BigInt(r.offsetDelta), r.key?.toString(), r.value?.toString()]))
    assert.deepEqual(records.filter(r => (r[0] as bigint) >= 3n), Array.from({ length: 7 }, (_, j) => [BigInt(j + 3), `k${j + 3}`, `v${j + 3}`]))
  })

  test('groups: DescribeGroups, ListGroups, OffsetFetch, OffsetCommit, OffsetDelete, ConsumerGroupDescribe of a classic group, DeleteGroups', async () => {
    const described = await withTimeout(cluster.sendRequest(API.DESCRIBE_GROUPS, { groups: ['g'], includeAuthorizedOperations: false }), T, 'describeGroups')
    assert.deepEqual(described.groups.map(g => [g.groupId, g.errorCode, g.groupState, g.protocolType, g.members.length]), [['g', 0, 'Empty', 'consumer', 0]])
    const listed = await withTimeout(cluster.sendRequest(API.LIST_GROUPS, { statesFilter: [], typesFilter: [] }), T, 'listGroups')
    assert.deepEqual(listed.groups.map(g => [g.groupId, g.groupState, g.groupType]), [['g', 'Empty', 'classic']])
    const committed = await withTimeout(cluster.sendRequest(API.OFFSET_COMMIT, {
      groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 't', topicId, partitions: [{ partitionIndex: 1, committedOffset: 0n, committedLeaderEpoch: -1, committedMetadata: 'm' }] }]
    }), T, 'offsetCommit')
    assert.deepEqual(committed.topics[0]!.partitions.map(p => [p.partitionIndex, p.errorCode]), [[1, 0]])
    const fetchOffsets = async (): Promise<Array<[number, bigint, string | null]>> => {
      const r = await withTimeout(cluster.sendRequest(API.OFFSET_FETCH, { groups: [{ groupId: 'g', memberId: null, memberEpoch: -1, topics: [{ name: 't', topicId, partitionIndexes: [0, 1] }] }], requireStable: true }), T, 'offsetFetch')
      return r.groups[0]!.topics.flatMap(t => t.partitions.map(p => [p.partitionIndex, p.committedOffset, p.committedMetadata] as [number, bigint, string | null])).sort((a, b) => a[0] - b[0])
    }
    assert.deepEqual((await fetchOffsets()).map(([p, o, m]) => [p, o, p === 1 ? m : null]), [[0, 10n, null], [1, 0n, 'm']])
    const deleted = await withTimeout(cluster.sendRequest(API.OFFSET_DELETE, { groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 1 }] }] }), T, 'offsetDelete')
    assert.equal(deleted.errorCode, 0)
    // A partition without a committed offset answers -1.
    assert.deepEqual((await fetchOffsets()).map(([p, o]) => [p, o]), [[0, 10n], [1, -1n]])
    // KIP-848's describe does not describe classic groups.
    await assert.rejects(withTimeout(cluster.sendRequest(API.CONSUMER_GROUP_DESCRIBE, { groupIds: ['g'], includeAuthorizedOperations: false }), T, 'consumerGroupDescribe'), apiCode(69))
    const gone = await withTimeout(cluster.sendRequest(API.DELETE_GROUPS, { groupsNames: ['g'] }), T, 'deleteGroups')
    assert.deepEqual(gone.results.map(r => [r.groupId, r.errorCode]), [['g', 0]])
    const after = await withTimeout(cluster.sendRequest(API.LIST_GROUPS, { statesFilter: [], typesFilter: [] }), T, 'listGroups after')
    assert.deepEqual(after.groups, [])
  })

  test('DescribeProducers shows the idempotent producer; ListTransactions is empty; DescribeLogDirs sizes the partitions', async () => {
    const producers = await withTimeout(cluster.sendRequest(API.DESCRIBE_PRODUCERS, { topics: [{ name: 't', partitionIndexes: [0, 1] }] }), T, 'describeProducers')
    const byPartition = new Map(producers.topics[0]!.partitions.map(p => [p.partitionIndex, p]))
    assert.deepEqual(byPartition.get(0)!.activeProducers.map(a => [a.lastSequence, a.currentTxnStartOffset]), [[9, -1n]])
    assert.deepEqual(byPartition.get(1)!.activeProducers, [])
    const txns = await withTimeout(cluster.sendRequest(API.LIST_TRANSACTIONS, { stateFilters: [], producerIdFilters: [], durationFilter: -1n, transactionalIdPattern: null }), T, 'listTransactions')
    assert.deepEqual([txns.errorCode, txns.transactionStates], [0, []])
    const dirs = await withTimeout(cluster.sendRequest(API.DESCRIBE_LOG_DIRS, { topics: null }), T, 'describeLogDirs')
    assert.equal(dirs.results.length, 1)
    const sizes = new Map(dirs.results[0]!.topics.find(t => t.name === 't')!.partitions.map(p => [p.partitionIndex, p.partitionSize]))
    assert.ok(sizes.get(0)! > 0n, `partition 0 holds the records: ${String(sizes.get(0))}`)
    assert.equal(sizes.get(1), 0n)
  })

  test('CreatePartitions validate-only, AlterConfigs, DeleteRecords, DeleteTopics', async () => {
    const grown = await withTimeout(cluster.sendRequest(API.CREATE_PARTITIONS, { topics: [{ name: 't', count: 3, assignments: null }], timeoutMs: 1000, validateOnly: true }), T, 'createPartitions')
    assert.deepEqual(grown.results.map(r => [r.name, r.errorCode]), [['t', 0]])
    const metadata = await withTimeout(cluster.sendRequest(API.METADATA, { topics: [{ id: null, name: 't' }], allowTopicAutoCreation: false, includeTopicAuthorizedOperations: false }), T, 'metadata')
    assert.equal(metadata.topics[0]!.partitions.length, 2)
    const altered = await withTimeout(cluster.sendRequest(API.ALTER_CONFIGS, { resources: [{ resourceType: TOPIC, resourceName: 't', configs: [{ name: 'retention.ms', value: '100000' }] }], validateOnly: false }), T, 'alterConfigs')
    assert.deepEqual(altered.responses.map(r => [r.resourceName, r.errorCode]), [['t', 0]])
    const trimmed = await withTimeout(cluster.sendRequest(API.DELETE_RECORDS, { topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: 2n }] }], timeoutMs: 1000 }), T, 'deleteRecords')
    assert.deepEqual(trimmed.topics[0]!.partitions.map(p => [p.partitionIndex, p.errorCode, p.lowWatermark]), [[0, 0, 2n]])
    const deleted = await withTimeout(cluster.sendRequest(API.DELETE_TOPICS, { topics: [{ name: 'gone', topicId: null }], timeoutMs: 1000 }), T, 'deleteTopics')
    assert.deepEqual(deleted.responses.map(r => [r.name, r.errorCode]), [['gone', 0]])
    const left = await withTimeout(cluster.sendRequest(API.METADATA, { topics: null, allowTopicAutoCreation: false, includeTopicAuthorizedOperations: false }), T, 'metadata after')
    // All topics include the internal ones, marked as such.
    assert.deepEqual(left.topics.map(t => [t.name, t.isInternal]).sort(), [['__consumer_offsets', true], ['t', false]])
  })
})
