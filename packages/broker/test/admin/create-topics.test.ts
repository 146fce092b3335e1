import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, ZERO_UUID } from '@tributary/protocol'
import { CreateTopicsApi, MetadataApi } from '@tributary/protocol/apis'
import { createTopics, partitionCounts, withBroker } from './helpers.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

test('CreateTopics creates topics in every version, with the fields each version has', () =>
  withBroker({ 'num.partitions': 2 }, async c => {
    for (let v = 0; v <= 7; v++) {
      const name = `ct-v${v}`
      const res = await c.request(CreateTopicsApi, v, { topics: [{ name, numPartitions: 3, replicationFactor: 1 }], timeoutMs: 5000 })
      assert.equal(res.throttleTimeMs, 0)
      const t = res.topics[0]!
      assert.equal(t.name, name)
      assert.equal(t.errorCode, ErrorCode.NONE, `v${v}`)
      if (v >= 1) assert.equal(t.errorMessage, null)
      if (v >= 5) {
        assert.equal(t.numPartitions, 3)
        assert.equal(t.replicationFactor, 1)
        assert.ok(t.configs !== null && t.configs.length > 30, 'every topic config is listed')
      } else {
        assert.equal(t.numPartitions, -1, 'not in this version')
      }
      if (v >= 7) assert.match(t.topicId, UUID)
      else assert.equal(t.topicId, ZERO_UUID)
    }
    const md = await c.request(MetadataApi, 12, { topics: null })
    assert.deepEqual(md.topics.map(t => [t.name, t.partitions.length, t.partitions.map(p => p.leaderId)]).sort(),
      Array.from({ length: 8 }, (_, v) => [`ct-v${v}`, 3, [1, 1, 1]]))
  }))

test('v7 returns the id Metadata reports; -1 means num.partitions and default.replication.factor (KIP-464)', () =>
  withBroker({ 'num.partitions': 4 }, async c => {
    const res = await c.request(CreateTopicsApi, 7, { topics: [{ name: 'defaults', numPartitions: -1, replicationFactor: -1 }] })
    const t = res.topics[0]!
    assert.equal(t.errorCode, ErrorCode.NONE)
    assert.equal(t.numPartitions, 4)
    assert.equal(t.replicationFactor, 1)
    const md = await c.request(MetadataApi, 12, { topics: [{ name: 'defaults' }] })
    assert.equal(md.topics[0]!.topicId, t.topicId)
    assert.deepEqual(md.topics[0]!.partitions.map(p => [p.partitionIndex, p.replicaNodes]), [[0, [1]], [1, [1]], [2, [1]], [3, [1]]])
  }))

test('the v5+ response lists every config in effect with its source', () =>
  withBroker({ 'log.retention.ms': 3600000 }, async c => {
    const res = await c.request(CreateTopicsApi, 7, {
      topics: [{ name: 'with-configs', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'cleanup.policy', value: 'compact, delete' }, { name: 'max.message.bytes', value: '2048' }] }]
    })
    const configs = new Map(res.topics[0]!.configs!.map(e => [e.name, e]))
    assert.deepEqual([...configs.keys()], [...configs.keys()].sort(), 'sorted by name')
    assert.deepEqual(configs.get('cleanup.policy'), { name: 'cleanup.policy', value: 'compact,delete', readOnly: false, configSource: 1, isSensitive: false })
    assert.equal(configs.get('max.message.bytes')?.value, '2048')
    assert.equal(configs.get('max.message.bytes')?.configSource, 1)
    assert.deepEqual([configs.get('retention.ms')?.value, configs.get('retention.ms')?.configSource], ['3600000', 4], 'STATIC_BROKER_CONFIG')
    assert.deepEqual([configs.get('segment.bytes')?.value, configs.get('segment.bytes')?.configSource], ['1073741824', 5], 'DEFAULT_CONFIG')
    assert.deepEqual([configs.get('remote.storage.enable')?.value, configs.get('remote.storage.enable')?.configSource], ['false', 5])
  }))

test('validate_only checks everything and creates nothing', () =>
  withBroker({}, async c => {
    const res = await c.request(CreateTopicsApi, 7, {
      topics: [
        { name: 'dry-ok', numPartitions: 5, replicationFactor: 1, configs: [{ name: 'retention.ms', value: '1000' }] },
        { name: 'dry-bad', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'retention.ms', value: 'soon' }] }
      ],
      validateOnly: true
    })
    assert.deepEqual(res.topics.map(t => [t.name, t.errorCode, t.numPartitions]), [['dry-ok', ErrorCode.NONE, 5], ['dry-bad', ErrorCode.INVALID_CONFIG, -1]])
    assert.equal(res.topics[0]!.topicId, ZERO_UUID)
    assert.equal(res.topics[0]!.configs!.find(e => e.name === 'retention.ms')?.value, '1000')
    assert.deepEqual(await partitionCounts(c), {})
  }))

test('error cases: names, existence, partitions, replication factor, configs, duplicates', () =>
  withBroker({}, async c => {
    await createTopics(c, [{ name: 'exists' }, { name: 'dot.ted' }])
    const res = await c.request(CreateTopicsApi, 6, {
      topics: [
        { name: 'exists', numPartitions: 1, replicationFactor: 1 },
        { name: 'bad/name', numPartitions: 1, replicationFactor: 1 },
        { name: 'x'.repeat(250), numPartitions: 1, replicationFactor: 1 },
        { name: '..', numPartitions: 1, replicationFactor: 1 },
        { name: 'dot_ted', numPartitions: 1, replicationFactor: 1 },
        { name: 'zero-partitions', numPartitions: 0, replicationFactor: 1 },
        { name: 'minus-two-partitions', numPartitions: -2, replicationFactor: 1 },
        { name: 'zero-rf', numPartitions: 1, replicationFactor: 0 },
        { name: 'rf-3', numPartitions: 1, replicationFactor: 3 },
        { name: 'unknown-config', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'retention.weeks', value: '1' }] },
        { name: 'bad-value', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'compression.type', value: 'brotli' }] },
        { name: 'null-value', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'retention.ms', value: null }] },
        { name: 'lag-conflict', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'min.compaction.lag.ms', value: '10' }, { name: 'max.compaction.lag.ms', value: '5' }] },
        { name: 'tiered', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'remote.storage.enable', value: 'true' }] },
        { name: 'small-segment', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'segment.bytes', value: '1000' }] },
        { name: 'twice', numPartitions: 1, replicationFactor: 1 },
        { name: 'twice', numPartitions: 2, replicationFactor: 1 }
      ],
      timeoutMs: 5000
    })
    const byName = res.topics.map(t => [t.name.slice(0, 20), t.errorCode, t.errorMessage])
    assert.deepEqual(byName, [
      ['exists', ErrorCode.TOPIC_ALREADY_EXISTS, 'Topic \'exists\' already exists.'],
      ['bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION, 'Topic name "bad/name" is illegal, it contains a character other than ASCII alphanumerics, \'.\', \'_\' and \'-\''],
      ['x'.repeat(20), ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic name is illegal, it can't be longer than 249 characters, topic name: ${'x'.repeat(250)}`],
      ['..', ErrorCode.INVALID_TOPIC_EXCEPTION, 'Topic name cannot be "." or ".."'],
      ['dot_ted', ErrorCode.INVALID_TOPIC_EXCEPTION, 'Topic \'dot_ted\' collides with existing topic: dot.ted'],
      ['zero-partitions', ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.'],
      ['minus-two-partitions', ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.'],
      ['zero-rf', ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.'],
      ['rf-3', ErrorCode.INVALID_REPLICATION_FACTOR, 'Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.'],
      ['unknown-config', ErrorCode.INVALID_CONFIG, 'Unknown topic config name: retention.weeks'],
      ['bad-value', ErrorCode.INVALID_CONFIG, 'Invalid value \'brotli\' for configuration compression.type: must be one of: uncompressed, zstd, lz4, snappy, gzip, producer'],
      ['null-value', ErrorCode.INVALID_CONFIG, 'Null value not supported for topic configs: retention.ms'],
      ['lag-conflict', ErrorCode.INVALID_CONFIG, 'conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)'],
      ['tiered', ErrorCode.INVALID_CONFIG, 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.'],
      ['small-segment', ErrorCode.INVALID_CONFIG, 'Invalid value \'1000\' for configuration segment.bytes: must be an integer >= 1048576'],
      ['twice', ErrorCode.INVALID_REQUEST, 'Duplicate topic name.']
    ])
    assert.deepEqual(Object.keys(await partitionCounts(c)).sort(), ['dot.ted', 'exists'], 'nothing else was created')
  }))

test('two names in one request that collide: the first is created, the second refused', () =>
  withBroker({}, async c => {
    const res = await c.request(CreateTopicsApi, 7, { topics: [{ name: 'a.b', numPartitions: 1, replicationFactor: 1 }, { name: 'a_b', numPartitions: 1, replicationFactor: 1 }] })
    assert.deepEqual(res.topics.map(t => [t.name, t.errorCode]), [['a.b', ErrorCode.NONE], ['a_b', ErrorCode.INVALID_TOPIC_EXCEPTION]])
  }))

test('manual replica assignments: accepted when complete, refused otherwise', () =>
  withBroker({}, async c => {
    const assign = (...lists: Array<[number, number[]]>) => lists.map(([partitionIndex, brokerIds]) => ({ partitionIndex, brokerIds }))
    const res = await c.request(CreateTopicsApi, 7, {
      topics: [
        { name: 'manual', numPartitions: -1, replicationFactor: -1, assignments: assign([1, [1]], [0, [1]], [2, [1]]) },
        { name: 'with-count', numPartitions: 3, replicationFactor: -1, assignments: assign([0, [1]]) },
        { name: 'with-rf', numPartitions: -1, replicationFactor: 1, assignments: assign([0, [1]]) },
        { name: 'gap', numPartitions: -1, replicationFactor: -1, assignments: assign([0, [1]], [2, [1]]) },
        { name: 'twice', numPartitions: -1, replicationFactor: -1, assignments: assign([0, [1]], [0, [1]]) },
        { name: 'no-broker', numPartitions: -1, replicationFactor: -1, assignments: assign([0, [7]]) },
        { name: 'dup-broker', numPartitions: -1, replicationFactor: -1, assignments: assign([0, [1, 1]]) },
        { name: 'empty', numPartitions: -1, replicationFactor: -1, assignments: assign([0, []]) }
      ]
    })
    assert.deepEqual(res.topics.map(t => [t.name, t.errorCode, t.errorMessage]), [
      ['manual', ErrorCode.NONE, null],
      ['with-count', ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but numPartitions was not set to -1.'],
      ['with-rf', ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but replication factor was not set to -1.'],
      ['gap', ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partitions should be a consecutive 0-based integer sequence'],
      ['twice', ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Found multiple manual partition assignments for partition 0'],
      ['no-broker', ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes broker 7, but no such broker is registered.'],
      ['dup-broker', ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes the broker 1 more than once.'],
      ['empty', ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.']
    ])
    assert.equal(res.topics[0]!.numPartitions, 3)
    assert.deepEqual(await partitionCounts(c), { manual: 3 })
  }))

test('CreateTopics for __consumer_offsets makes it internal', () =>
  withBroker({}, async c => {
    await createTopics(c, [{ name: '__consumer_offsets', partitions: 2 }])
    const md = await c.request(MetadataApi, 12, { topics: [{ name: '__consumer_offsets' }] })
    assert.equal(md.topics[0]!.isInternal, true)
    assert.equal(md.topics[0]!.partitions.length, 2)
  }))
