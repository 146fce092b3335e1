// Unit tests of the group coordinator's building blocks: the partition of
// a group, the record layout of __consumer_offsets, expiry, loading state.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, Reader } from '@tributary/protocol'
import { javaStringHashCode, partitionForGroup } from '../../src/groups/partition-for.js'
import { decodeGroupRecord, encodeGroupRecord, type GroupRecord } from '../../src/groups/records/index.js'
import { GroupShard } from '../../src/groups/shard.js'
import { GroupCoordinator } from '../../src/groups/coordinator.js'
import { expiredOffsetRecords } from '../../src/groups/offsets/expiry.js'
import type { GroupSettings } from '../../src/groups/settings.js'
import { silentLogger, testGroupSettings } from './fixtures.js'

const silent = silentLogger

const SETTINGS: GroupSettings = testGroupSettings()

describe('partition of a group', () => {
  test('is Java String.hashCode, made non-negative, modulo the partition count', () => {
    // Values of java.lang.String#hashCode.
    assert.equal(javaStringHashCode(''), 0)
    assert.equal(javaStringHashCode('hello'), 99162322)
    assert.equal(javaStringHashCode('Aa'), javaStringHashCode('BB'))
    assert.equal(javaStringHashCode('polygenelubricants'), -2147483648)
    assert.equal(partitionForGroup('hello', 50), 99162322 % 50)
    // Integer.MIN_VALUE maps to 0 (Kafka's Utils.abs).
    assert.equal(partitionForGroup('polygenelubricants', 50), 0)
    // A negative hash is made positive.
    const h = javaStringHashCode('consumer-group-7')
    assert.equal(partitionForGroup('consumer-group-7', 7), Math.abs(h) % 7)
  })
})

describe('__consumer_offsets records', () => {
  test('an offset commit key is Kafka\'s version 1 layout and values round-trip', () => {
    const rec: GroupRecord = { kind: 'offset', group: 'g', topic: 't', partition: 3, value: { offset: 42n, leaderEpoch: 5, metadata: 'm', commitTimestamp: 1000n, expireTimestamp: -1n } }
    const { key, value } = encodeGroupRecord(rec)
    assert.deepEqual([...key], [0, 1, 0, 1, 0x67, 0, 1, 0x74, 0, 0, 0, 3])
    const r = new Reader(value!)
    assert.equal(r.int16(), 3)
    assert.equal(r.int64(), 42n)
    assert.deepEqual(decodeGroupRecord(key, value), rec)
    const explicit: GroupRecord = { ...rec, value: { ...rec.value!, expireTimestamp: 5000n, leaderEpoch: -1 } }
    const e = encodeGroupRecord(explicit)
    assert.equal(e.value!.readInt16BE(0), 1)
    assert.deepEqual(decodeGroupRecord(e.key, e.value), explicit)
    assert.deepEqual(decodeGroupRecord(key, null), { ...rec, value: null })
  })

  test('group metadata and consumer group records round-trip; unknown key versions are skipped', () => {
    const group: GroupRecord = {
      kind: 'group',
      group: 'g',
      value: {
        protocolType: 'consumer', generation: 4, protocol: 'range', leader: 'm1', currentStateTimestamp: 99n,
        members: [{ memberId: 'm1', groupInstanceId: 'i1', clientId: 'c', clientHost: '/127.0.0.1', rebalanceTimeoutMs: 300000, sessionTimeoutMs: 45000, subscription: Buffer.from([1, 2]), assignment: Buffer.from([3]) }]
      }
    }
    const g = encodeGroupRecord(group)
    assert.equal(g.key.readInt16BE(0), 2)
    assert.deepEqual(decodeGroupRecord(g.key, g.value), group)
    const keyBody = Buffer.from([0, 1, 0x67, 0, 2, 0x6d, 0x31])
    const consumer: GroupRecord = { kind: 'consumer', group: 'g', keyVersion: 5, key: keyBody, value: Buffer.from([9]) }
    const cr = encodeGroupRecord(consumer)
    assert.deepEqual(decodeGroupRecord(cr.key, cr.value), consumer)
    assert.equal(decodeGroupRecord(Buffer.from([0x7f, 0]), null), null)
    assert.throws(() => decodeGroupRecord(Buffer.from([0, 1, 0, 9]), null))
  })
})

function shardWith (records: GroupRecord[]): GroupShard {
  const shard = new GroupShard(0, {} as any, SETTINGS, silent, {} as any, [])
  for (const r of records) if (r.kind === 'offset') shard.offsets.replay(r)
  return shard
}

describe('offsets expiry', () => {
  const at = (group: string, partition: number, commitTimestamp: bigint, expireTimestamp = -1n): GroupRecord =>
    ({ kind: 'offset', group, topic: 't', partition, value: { offset: 1n, leaderEpoch: -1, metadata: '', commitTimestamp, expireTimestamp } })

  test('offsets of a group without members expire after offsets.retention.minutes; explicit expiry wins', () => {
    const shard = shardWith([at('old', 0, 1000n), at('old', 1, 5000n), at('young', 0, 1000n, 999_999_999_999n), at('explicit', 0, 0n, 2000n)])
    const now = 1000 + SETTINGS.offsetsRetentionMs
    const expired = expiredOffsetRecords(shard, now).map(r => r.kind === 'offset' ? [r.group, r.partition, r.value] : [r.kind])
    assert.deepEqual(expired.sort(), [['explicit', 0, null], ['old', 0, null]])
    assert.deepEqual(expiredOffsetRecords(shard, 1500), [])
  })

  test('a group without members and without offsets is deleted at the check; one with members is kept', () => {
    const groups = [{ groupId: 'idle', empty: true }, { groupId: 'busy', empty: false }, { groupId: 'with-offsets', empty: true }]
    const manager = {
      type: 'classic',
      list: () => groups.map(g => ({ groupId: g.groupId, protocolType: 'consumer', state: g.empty ? 'Empty' : 'Stable', type: 'classic' })),
      has: (id: string) => groups.some(g => g.groupId === id),
      isEmpty: (id: string) => groups.find(g => g.groupId === id)!.empty,
      deletionRecords: (id: string): GroupRecord[] => [{ kind: 'group', group: id, value: null }],
      replay () {}, onLoaded () {}, close () {}
    }
    const shard = new GroupShard(0, {} as any, SETTINGS, silent, {} as any, [() => manager as any])
    shard.offsets.replay(at('with-offsets', 0, 1000n) as any)
    assert.deepEqual(expiredOffsetRecords(shard, 2000), [{ kind: 'group', group: 'idle', value: null }])
  })
})

describe('coordinator loading', () => {
  test('a group request while its partition is being replayed gets COORDINATOR_LOAD_IN_PROGRESS; NOT_COORDINATOR without the topic', async () => {
    let topicExists = false
    const image = () => ({ topics: new Map(topicExists ? [['__consumer_offsets', { partitions: [{ index: 0, leader: 1 }] }]] : []) })
    let release: () => void = () => {}
    const gate = new Promise<void>(resolve => { release = resolve })
    const coordinator = new GroupCoordinator({
      nodeId: 1,
      settings: SETTINGS,
      metadata: { image } as any,
      replicas: { getAsync: async () => { await gate; return undefined } } as any,
      logger: silent,
      createOffsetsTopic: async () => ErrorCode.NONE,
      managers: async () => []
    })
    assert.equal(coordinator.shardFor('g').errorCode, ErrorCode.NOT_COORDINATOR)
    topicExists = true
    assert.equal(coordinator.shardFor('g').errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
    assert.equal(coordinator.shardFor('g').errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
    release()
    await coordinator.close()
    assert.equal(coordinator.shardFor('g').errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE)
  })
})
