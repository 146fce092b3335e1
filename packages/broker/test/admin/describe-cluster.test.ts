import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, ZERO_UUID } from '@tributary/protocol'
import { DescribeClusterApi, DescribeTopicPartitionsApi } from '@tributary/protocol/apis'
import type { DescribeTopicPartitionsResponse } from '@tributary/protocol/apis/describe-topic-partitions'
import { CLUSTER_OPERATIONS, TOPIC_OPERATIONS, UNSET_OPERATIONS } from '../../src/auth/acl-operations.js'
import { createTopics, withBroker } from './helpers.js'

test('DescribeCluster v0-1: brokers, controller, cluster id, authorized operations', () =>
  withBroker({}, async (c, broker) => {
    for (let v = 0; v <= 1; v++) {
      for (const ops of [false, true]) {
        const res = await c.request(DescribeClusterApi, v, { includeClusterAuthorizedOperations: ops })
        assert.deepEqual(res, {
          throttleTimeMs: 0,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          endpointType: 1,
          clusterId: broker.clusterId,
          controllerId: 1,
          brokers: [{ brokerId: 1, host: '127.0.0.1', port: broker.port, rack: null }],
          clusterAuthorizedOperations: ops ? CLUSTER_OPERATIONS : UNSET_OPERATIONS
        }, `v${v} ops=${String(ops)}`)
      }
    }
  }))

test('DescribeCluster v1 for controller or unknown endpoints is refused (KIP-919)', () =>
  withBroker({}, async c => {
    const controller = await c.request(DescribeClusterApi, 1, { endpointType: 2 })
    assert.deepEqual([controller.errorCode, controller.errorMessage, controller.brokers], [ErrorCode.MISMATCHED_ENDPOINT_TYPE,
      'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER', []])
    const unknown = await c.request(DescribeClusterApi, 1, { endpointType: 7 })
    assert.deepEqual([unknown.errorCode, unknown.errorMessage], [ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, 'Unsupported endpoint type 7'])
  }))

test('DescribeTopicPartitions: named topics in name order, unknown and illegal names, ELR empty', () =>
  withBroker({}, async c => {
    const [idB, idA] = await createTopics(c, [{ name: 'b', partitions: 2 }, { name: 'a', partitions: 1 }])
    const res = await c.request(DescribeTopicPartitionsApi, 0, { topics: [{ name: 'b' }, { name: 'missing' }, { name: 'a' }, { name: 'bad/name' }], responsePartitionLimit: 100, cursor: null })
    assert.equal(res.nextCursor, null)
    assert.deepEqual(res.topics.map(t => [t.name, t.errorCode, t.topicId, t.partitions.length]), [
      ['a', ErrorCode.NONE, idA, 1],
      ['b', ErrorCode.NONE, idB, 2],
      ['bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION, ZERO_UUID, 0],
      ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ZERO_UUID, 0]
    ])
    assert.deepEqual(res.topics[1]!.partitions[1], {
      errorCode: 0, partitionIndex: 1, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], eligibleLeaderReplicas: [], lastKnownElr: [], offlineReplicas: []
    })
    assert.equal(res.topics[0]!.topicAuthorizedOperations, TOPIC_OPERATIONS)
    assert.equal(res.topics[0]!.isInternal, false)
  }))

test('DescribeTopicPartitions pages with the cursor over every topic', () =>
  withBroker({ 'max.request.partition.size.limit': 4 }, async c => {
    await createTopics(c, [{ name: 'x', partitions: 3 }, { name: 'y', partitions: 3 }, { name: 'z', partitions: 1 }])
    const seen: string[] = []
    let cursor: { topicName: string, partitionIndex: number } | null = null
    const cursors: string[] = []
    for (let page = 0; page < 10; page++) {
      // The broker limit (4) caps the request's 100.
      const res: DescribeTopicPartitionsResponse = await c.request(DescribeTopicPartitionsApi, 0, { topics: [], responsePartitionLimit: 100, cursor })
      for (const t of res.topics) for (const p of t.partitions) seen.push(`${t.name}-${p.partitionIndex}`)
      const next = res.nextCursor
      if (next === null) break
      cursor = next
      cursors.push(`${next.topicName}:${next.partitionIndex}`)
    }
    assert.deepEqual(seen, ['x-0', 'x-1', 'x-2', 'y-0', 'y-1', 'y-2', 'z-0'])
    assert.deepEqual(cursors, ['y:1'])
    const small = await c.request(DescribeTopicPartitionsApi, 0, { topics: [], responsePartitionLimit: 3, cursor: null })
    assert.deepEqual([small.topics.map(t => t.name), small.nextCursor], [['x'], { topicName: 'y', partitionIndex: 0 }])
    const fromCursor = await c.request(DescribeTopicPartitionsApi, 0, { topics: [{ name: 'x' }, { name: 'y' }], responsePartitionLimit: 2, cursor: { topicName: 'x', partitionIndex: 2 } })
    assert.deepEqual(fromCursor.topics.map(t => [t.name, t.partitions.map(p => p.partitionIndex)]), [['x', [2]], ['y', [0]]])
    assert.deepEqual(fromCursor.nextCursor, { topicName: 'y', partitionIndex: 1 })
  }))

test('DescribeTopicPartitions with a cursor topic missing from the list fails every topic', () =>
  withBroker({}, async c => {
    await createTopics(c, [{ name: 'x' }])
    const res = await c.request(DescribeTopicPartitionsApi, 0, { topics: [{ name: 'x' }], responsePartitionLimit: 10, cursor: { topicName: 'w', partitionIndex: 0 } })
    assert.deepEqual(res.topics.map(t => [t.name, t.errorCode]), [['x', ErrorCode.INVALID_REQUEST]])
  }))
