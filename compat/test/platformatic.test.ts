// @platformatic/kafka as a producer and a consumer, and as one of the two
// installed clients that speak DescribeCluster and DescribeTopicPartitions
// (kafka-ts, in kafka-ts.test.ts, is the other).
//
// - Producer.send with keys, headers, timestamps and each codec it can
//   write here, read back by kcat.
// - Consumer without a group: its Consumer.consume() joins a group, so the
//   suite reads through Consumer.fetch (one Fetch v17 by topic id, no group
//   membership) and Consumer.listOffsets, on records kcat wrote with every
//   codec.
// - DescribeCluster v0/v1 and DescribeTopicPartitions v0 through the
//   client's own protocol functions on its Connection: its Admin has no
//   method for them; kafkajs, kafka-python and librdkafka 2.0.2 do not send
//   them (FINDINGS.md).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import zlib from 'node:zlib'
import {
  Admin, Connection, Consumer, Producer, describeClusterV0, describeClusterV1, describeTopicPartitionsV0, stringDeserializers, stringSerializers
} from '@platformatic/kafka'
import { Kafka, logLevel } from 'kafkajs'
import { runOk, silentKafkaJsLogCreator, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'
import { kcatConsume } from './helpers/kcat.js'

const T = 30_000
// Node 20 has no zstd in zlib, where @platformatic/kafka takes it from.
const ZSTD_IN_NODE = typeof (zlib as unknown as { zstdCompressSync?: unknown }).zstdCompressSync === 'function'

/** The protocol error codes inside a @platformatic/kafka error (ResponseError / MultipleErrors nest them). */
function apiCodes (err: unknown, out: number[] = [], depth = 0): number[] {
  const e = err as { apiCode?: number, errors?: unknown[], cause?: unknown } | null
  if (e === null || typeof e !== 'object' || depth > 6) return out
  if (typeof e.apiCode === 'number') out.push(e.apiCode)
  for (const inner of e.errors ?? []) apiCodes(inner, out, depth + 1)
  if (e.cause !== undefined) apiCodes(e.cause, out, depth + 1)
  return out
}

/** Every message in a @platformatic/kafka error and the errors nested in it. */
function messages (err: unknown, out: string[] = [], depth = 0): string[] {
  const e = err as { message?: string, errors?: unknown[], cause?: unknown } | null
  if (e === null || typeof e !== 'object' || depth > 6) return out
  if (typeof e.message === 'string') out.push(e.message)
  for (const inner of e.errors ?? []) messages(inner, out, depth + 1)
  if (e.cause !== undefined) messages(e.cause, out, depth + 1)
  return out
}

describe('@platformatic/kafka producer', () => {
  let broker: TestBroker
  let producer: Producer<string, string, string, string>

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 1 })
    producer = new Producer({ clientId: 'compat-plt', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers, retries: 0, autocreateTopics: true })
  })
  after(async () => {
    await producer?.close()
    await broker?.close()
  })

  for (const codec of ['none', 'gzip', 'snappy', 'lz4'] as const) {
    test(`send with keys, headers and timestamps, ${codec}, read back by kcat`, async () => {
      const topic = `plt-${codec}`
      const res = await withTimeout(producer.send({
        acks: -1,
        compression: codec,
        messages: [
          { topic, key: 'a', value: 'one', headers: { h1: 'x', h2: 'y' }, timestamp: 1700000000000n },
          { topic, key: 'b', value: 'two', timestamp: 1700000000001n },
          { topic, value: 'keyless', timestamp: 1700000000002n }
        ]
      }), T, 'send')
      assert.deepEqual(res.offsets?.map(o => [o.topic, o.partition, o.offset]), [[topic, 0, 0n]])
      const got = await kcatConsume(broker, topic)
      assert.deepEqual(got.map(m => [m.offset, m.key, m.payload, m.ts]), [[0, 'a', 'one', 1700000000000], [1, 'b', 'two', 1700000000001], [2, null, 'keyless', 1700000000002]])
      assert.deepEqual(got[0]!.headers, ['h1', 'x', 'h2', 'y'])
    })
  }

  test(`zstd: ${ZSTD_IN_NODE ? 'written and read back' : 'refused by the client on this Node (no zlib zstd)'}`, async () => {
    const send = producer.send({ acks: -1, compression: 'zstd', messages: [{ topic: 'plt-zstd', key: 'k', value: 'v' }] })
    if (!ZSTD_IN_NODE) {
      await assert.rejects(withTimeout(send, T, 'send'), (err: unknown) => {
        assert.ok(messages(err).some(m => /zstd/i.test(m)), messages(err).join(' / '))
        return true
      })
      return
    }
    await withTimeout(send, T, 'send')
    assert.deepEqual((await kcatConsume(broker, 'plt-zstd')).map(m => [m.key, m.payload]), [['k', 'v']])
  })
})

describe('@platformatic/kafka consumer without a group: Consumer.fetch and listOffsets', () => {
  let broker: TestBroker
  let consumer: Consumer<string, string, string, string>

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 2 })
    consumer = new Consumer({ clientId: 'compat-plt', groupId: 'never-joined', bootstrapBrokers: [broker.bootstrap], deserializers: stringDeserializers, retries: 0 })
  })
  after(async () => {
    await consumer?.close(true)
    await broker?.close()
  })

  const codecs = ['none', 'gzip', 'snappy', 'lz4', ...(ZSTD_IN_NODE ? ['zstd'] : [])]
  for (const codec of codecs) {
    test(`fetch reads what kcat wrote with ${codec}: keys, values, headers, offsets, high watermark`, async () => {
      const topic = `kcat-${codec}`
      await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', topic, '-p', '1', '-K:', '-H', 'h=v', '-z', codec], { input: 'k1:v1\nk2:v2\nk3:v3\n', timeoutMs: T })
      const md = await withTimeout(consumer.metadata({ topics: [topic], forceUpdate: true }), T, 'metadata')
      const topicId = md.topics.get(topic)!.id
      const res = await withTimeout(consumer.fetch({
        node: 1,
        maxWaitTime: 100,
        topics: [{ topicId, partitions: [0, 1].map(partition => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 })) }]
      }), T, 'fetch')
      const parts = res.responses[0]!.partitions.sort((a, b) => a.partitionIndex - b.partitionIndex)
      assert.deepEqual(parts.map(p => [p.partitionIndex, p.errorCode, p.highWatermark, p.logStartOffset]), [[0, 0, 0n, 0n], [1, 0, 3n, 0n]])
      const records = parts[1]!.records!.flatMap(b => b.records.map(r => ({
        offset: Number(b.firstOffset) + r.offsetDelta,
        key: r.key?.toString(),
        value: r.value?.toString(),
        headers: r.headers.map(([k, v]) => `${k?.toString()}=${v?.toString()}`)
      })))
      assert.deepEqual(records, [1, 2, 3].map(i => ({ offset: i - 1, key: `k${i}`, value: `v${i}`, headers: ['h=v'] })))
    })
  }

  test('listOffsets: earliest and latest of each partition, and after DeleteRecords the new start', async () => {
    await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', 'offsets', '-p', '0', '-K:'], { input: 'a:1\nb:2\nc:3\nd:4\n', timeoutMs: T })
    const latest = await withTimeout(consumer.listOffsets({ topics: ['offsets'], timestamp: -1n }), T, 'latest')
    const earliest = await withTimeout(consumer.listOffsets({ topics: ['offsets'], timestamp: -2n }), T, 'earliest')
    assert.deepEqual(latest.get('offsets'), [4n, 0n])
    assert.deepEqual(earliest.get('offsets'), [0n, 0n])
    const admin = new Admin({ clientId: 'compat-plt', bootstrapBrokers: [broker.bootstrap], retries: 0 })
    try {
      await withTimeout(admin.deleteRecords({ topics: [{ name: 'offsets', partitions: [{ partition: 0, offset: 2n }] }] }), T, 'deleteRecords')
    } finally {
      await admin.close()
    }
    const after = await withTimeout(consumer.listOffsets({ topics: ['offsets'], timestamp: -2n }), T, 'earliest after delete')
    assert.deepEqual(after.get('offsets'), [2n, 0n])
  })
})

describe('DescribeCluster and DescribeTopicPartitions through @platformatic/kafka\'s protocol functions', () => {
  let broker: TestBroker
  let connection: Connection
  let metadataClusterId: string | null

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 1 })
    connection = new Connection('compat-plt')
    await withTimeout(connection.connect('127.0.0.1', Number(broker.bootstrap.split(':')[1])) as Promise<void>, T, 'connect')
    // The cluster as another client sees it through Metadata.
    const admin = new Kafka({ clientId: 'compat', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, logCreator: silentKafkaJsLogCreator }).admin()
    await admin.connect()
    try {
      metadataClusterId = (await admin.describeCluster()).clusterId
      await admin.createTopics({ topics: [{ topic: 'wide', numPartitions: 5 }, { topic: 'narrow', numPartitions: 1 }] })
    } finally {
      await admin.disconnect()
    }
  })
  after(async () => {
    await connection?.close()
    await broker?.close()
  })

  test('DescribeCluster v0 and v1: cluster id, this broker, controller, authorized operations', async () => {
    const port = Number(broker.bootstrap.split(':')[1])
    const v0 = await withTimeout(describeClusterV0.api.async(connection, false, 1), T, 'v0')
    assert.equal(v0.clusterId, metadataClusterId)
    assert.deepEqual(v0.brokers, [{ brokerId: 1, host: '127.0.0.1', port, rack: null }])
    assert.equal(v0.controllerId, 1)
    assert.equal(v0.clusterAuthorizedOperations, -2147483648)
    const v1 = await withTimeout(describeClusterV1.api.async(connection, true, 1), T, 'v1')
    assert.equal(v1.endpointType, 1)
    assert.equal(v1.clusterId, metadataClusterId)
    assert.deepEqual(v1.brokers, [{ brokerId: 1, host: '127.0.0.1', port, rack: null }])
    assert.notEqual(v1.clusterAuthorizedOperations, -2147483648)
  })

  test('DescribeCluster v1 for controller endpoints: MISMATCHED_ENDPOINT_TYPE', async () => {
    await assert.rejects(withTimeout(describeClusterV1.api.async(connection, false, 2), T, 'v1 controllers'), (err: unknown) => {
      assert.deepEqual(apiCodes(err), [114])
      return true
    })
  })

  test('DescribeTopicPartitions v0: partitions with leaders, paging by cursor, unknown topics', async () => {
    const all = await withTimeout(describeTopicPartitionsV0.api.async(connection, [{ name: 'narrow' }, { name: 'wide' }], 100), T, 'all')
    const byName = new Map(all.topics.map(t => [t.name, t]))
    assert.deepEqual(byName.get('wide')!.partitions.map(p => [p.partitionIndex, p.errorCode, p.leaderId, p.replicaNodes, p.isrNodes]), [0, 1, 2, 3, 4].map(i => [i, 0, 1, [1], [1]]))
    assert.equal(byName.get('narrow')!.partitions.length, 1)
    // A topic error fails the whole call in this client; the code is kept.
    await assert.rejects(withTimeout(describeTopicPartitionsV0.api.async(connection, [{ name: 'wide' }, { name: 'nope' }], 100), T, 'unknown'), (err: unknown) => {
      assert.deepEqual(apiCodes(err), [3])
      return true
    })
    assert.match(byName.get('wide')!.topicId, /^[0-9a-f-]{36}$/)
    assert.notEqual(byName.get('wide')!.topicId, '00000000-0000-0000-0000-000000000000')

    // Three partitions per page: wide 0-2, then wide 3-4 from the cursor.
    const first = await withTimeout(describeTopicPartitionsV0.api.async(connection, [{ name: 'wide' }], 3), T, 'page 1')
    assert.deepEqual(first.topics[0]!.partitions.map(p => p.partitionIndex), [0, 1, 2])
    assert.deepEqual(first.nextCursor, { topicName: 'wide', partitionIndex: 3 })
    const second = await withTimeout(describeTopicPartitionsV0.api.async(connection, [{ name: 'wide' }], 3, first.nextCursor), T, 'page 2')
    assert.deepEqual(second.topics[0]!.partitions.map(p => p.partitionIndex), [3, 4])
    assert.equal(second.nextCursor ?? null, null)
  })
})
