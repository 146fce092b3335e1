import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, ZERO_UUID } from '@tributary/protocol'
import { DeleteTopicsApi, MetadataApi } from '@tributary/protocol/apis'
import { createTopics, partitionCounts, withBroker } from './helpers.js'

const UNKNOWN_ID = '0a0b0c0d-0000-4000-8000-000000000001'

test('DeleteTopics by name in v0-5 deletes the topics; unknown names get UNKNOWN_TOPIC_OR_PARTITION', () =>
  withBroker({}, async c => {
    for (let v = 0; v <= 5; v++) {
      await createTopics(c, [{ name: `del-v${v}` }])
      const res = await c.request(DeleteTopicsApi, v, { topicNames: [`del-v${v}`, 'never-was'], timeoutMs: 5000 })
      if (v >= 1) assert.equal(res.throttleTimeMs, 0)
      assert.deepEqual(res.responses.map(r => [r.name, r.errorCode]), [[`del-v${v}`, ErrorCode.NONE], ['never-was', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]], `v${v}`)
      if (v >= 5) assert.deepEqual(res.responses.map(r => r.errorMessage), [null, 'This server does not host this topic-partition.'])
    }
    assert.deepEqual(await partitionCounts(c), {})
    const md = await c.request(MetadataApi, 12, { topics: [{ name: 'del-v0' }], allowAutoTopicCreation: false })
    assert.equal(md.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  }))

test('DeleteTopics v6 deletes by id and by name, and answers every malformed entry', () =>
  withBroker({}, async c => {
    const [idA, idB, idC] = await createTopics(c, [{ name: 'a' }, { name: 'b' }, { name: 'c' }])
    const res = await c.request(DeleteTopicsApi, 6, {
      topics: [
        { name: null, topicId: idA! },
        { name: 'b', topicId: ZERO_UUID },
        { name: null, topicId: UNKNOWN_ID },
        { name: null, topicId: ZERO_UUID },
        { name: 'c', topicId: idC! },
        { name: 'gone', topicId: ZERO_UUID },
        { name: 'dup', topicId: ZERO_UUID },
        { name: 'dup', topicId: ZERO_UUID }
      ],
      timeoutMs: 5000
    })
    const sorted = res.responses.map(r => [r.name, r.topicId, r.errorCode, r.errorMessage])
      .sort((x, y) => String(x[0]).localeCompare(String(y[0])) || String(x[1]).localeCompare(String(y[1])))
    assert.deepEqual(sorted, [
      ['a', idA, ErrorCode.NONE, null],
      ['b', idB, ErrorCode.NONE, null],
      ['c', idC, ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.'],
      ['dup', ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'],
      ['gone', ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'],
      [null, ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.'],
      [null, UNKNOWN_ID, ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.']
    ])
    assert.deepEqual(await partitionCounts(c), { c: 1 })
  }))

test('an id and a name for one topic in one request: the name is refused', () =>
  withBroker({}, async c => {
    const [id] = await createTopics(c, [{ name: 'both' }])
    const res = await c.request(DeleteTopicsApi, 6, { topics: [{ name: 'both', topicId: ZERO_UUID }, { name: null, topicId: id! }] })
    assert.deepEqual(res.responses.map(r => [r.name, r.topicId, r.errorCode]), [
      ['both', id, ErrorCode.NONE],
      ['both', id, ErrorCode.INVALID_REQUEST]
    ])
  }))

test('delete.topic.enable=false: TOPIC_DELETION_DISABLED from v3, INVALID_REQUEST before; nothing is deleted', () =>
  withBroker({ 'delete.topic.enable': false }, async c => {
    await createTopics(c, [{ name: 'kept' }])
    for (const [v, code] of [[2, ErrorCode.INVALID_REQUEST], [3, ErrorCode.TOPIC_DELETION_DISABLED], [5, ErrorCode.TOPIC_DELETION_DISABLED]] as const) {
      const res = await c.request(DeleteTopicsApi, v, { topicNames: ['kept', 'missing'] })
      assert.deepEqual(res.responses.map(r => [r.name, r.errorCode]), [['kept', code], ['missing', code]], `v${v}`)
      if (v >= 5) assert.equal(res.responses[0]!.errorMessage, 'Topic deletion is disabled.')
    }
    assert.deepEqual(await partitionCounts(c), { kept: 1 })
  }))

test('internal topics can be deleted, as in Kafka 4 (only kafka-topics.sh refuses)', () =>
  withBroker({ 'offsets.topic.num.partitions': 2 }, async c => {
    await c.request(MetadataApi, 12, { topics: [{ name: '__consumer_offsets' }], allowAutoTopicCreation: true })
    const res = await c.request(DeleteTopicsApi, 6, { topics: [{ name: '__consumer_offsets', topicId: ZERO_UUID }] })
    assert.equal(res.responses[0]!.errorCode, ErrorCode.NONE)
  }))

test('a deleted name can be created again, with a new id', () =>
  withBroker({}, async c => {
    const [first] = await createTopics(c, [{ name: 'again', partitions: 2 }])
    await c.request(DeleteTopicsApi, 6, { topics: [{ name: 'again', topicId: ZERO_UUID }] })
    const [second] = await createTopics(c, [{ name: 'again', partitions: 3 }])
    assert.notEqual(first, second)
    assert.deepEqual(await partitionCounts(c), { again: 3 })
  }))
