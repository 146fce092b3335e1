import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@tributary/protocol'
import { CreatePartitionsApi, MetadataApi } from '@tributary/protocol/apis'
import { createTopics, partitionCounts, withBroker } from './helpers.js'

test('CreatePartitions grows topics in every version; new partitions have the topic\'s replicas', () =>
  withBroker({}, async c => {
    for (let v = 0; v <= 3; v++) {
      const name = `grow-v${v}`
      const [id] = await createTopics(c, [{ name, partitions: 2 }])
      const res = await c.request(CreatePartitionsApi, v, { topics: [{ name, count: 5, assignments: null }], timeoutMs: 5000, validateOnly: false })
      assert.deepEqual(res.results, [{ name, errorCode: ErrorCode.NONE, errorMessage: null }], `v${v}`)
      const md = await c.request(MetadataApi, 12, { topics: [{ name }] })
      assert.equal(md.topics[0]!.topicId, id, 'same topic')
      assert.deepEqual(md.topics[0]!.partitions.map(p => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes]), [0, 1, 2, 3, 4].map(i => [i, 1, [1], [1]]))
    }
  }))

test('manual assignments for the new partitions, and validate_only', () =>
  withBroker({}, async c => {
    await createTopics(c, [{ name: 'manual', partitions: 1 }, { name: 'dry', partitions: 1 }])
    const res = await c.request(CreatePartitionsApi, 3, {
      topics: [
        { name: 'manual', count: 3, assignments: [{ brokerIds: [1] }, { brokerIds: [1] }] },
        { name: 'dry', count: 4, assignments: null }
      ],
      validateOnly: false
    })
    assert.deepEqual(res.results.map(r => r.errorCode), [ErrorCode.NONE, ErrorCode.NONE])
    const dry = await c.request(CreatePartitionsApi, 3, { topics: [{ name: 'manual', count: 10, assignments: null }], validateOnly: true })
    assert.equal(dry.results[0]!.errorCode, ErrorCode.NONE)
    assert.deepEqual(await partitionCounts(c), { manual: 3, dry: 4 })
  }))

test('errors: not an increase, unknown topic, bad assignments, duplicates', () =>
  withBroker({}, async c => {
    await createTopics(c, [{ name: 't', partitions: 3 }])
    const res = await c.request(CreatePartitionsApi, 3, {
      topics: [
        { name: 't', count: 3, assignments: null },
        { name: 't', count: 2, assignments: null }
      ],
      validateOnly: false
    })
    assert.deepEqual(res.results, [{ name: 't', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' }])
    const cases: Array<[{ name: string, count: number, assignments: Array<{ brokerIds: number[] }> | null }, number, string | null]> = [
      [{ name: 't', count: 3, assignments: null }, ErrorCode.INVALID_PARTITIONS, 'Topic already has 3 partition(s).'],
      [{ name: 't', count: 2, assignments: null }, ErrorCode.INVALID_PARTITIONS, 'The topic t currently has 3 partition(s); 2 would not be an increase.'],
      [{ name: 'missing', count: 2, assignments: null }, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null],
      [{ name: 't', count: 5, assignments: [{ brokerIds: [1] }] }, ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.'],
      [{ name: 't', count: 4, assignments: [{ brokerIds: [2] }] }, ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes broker 2, but no such broker is registered.'],
      [{ name: 't', count: 4, assignments: [{ brokerIds: [1, 1] }] }, ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes the broker 1 more than once.'],
      [{ name: 't', count: 4, assignments: [{ brokerIds: [] }] }, ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.']
    ]
    for (const [topic, code, message] of cases) {
      const r = await c.request(CreatePartitionsApi, 3, { topics: [topic], validateOnly: false })
      assert.deepEqual(r.results, [{ name: topic.name, errorCode: code, errorMessage: message }])
    }
    assert.deepEqual(await partitionCounts(c), { t: 3 })
  }))
