import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@tributary/protocol'
import { subscriptionTopics } from '../../../src/groups/classic/consumer-protocol.js'
import { decodeGroupRecord, encodeGroupRecord, type GroupMetadataValue } from '../../../src/groups/records/index.js'
import { FakeShard, joinWithId, params, stableGroup, subscription, syncReq, track, useFakeTime } from './helpers.js'

function value (members: GroupMetadataValue['members'], generation = 5): GroupMetadataValue {
  return { protocolType: 'consumer', generation, protocol: 'range', leader: members[0]?.memberId ?? null, currentStateTimestamp: 123n, members }
}

const member = (memberId: string, topics: string[], assignment: string, groupInstanceId: string | null = null) => ({
  memberId, groupInstanceId, clientId: 'c', clientHost: '/10.0.0.1', rebalanceTimeoutMs: 30_000, sessionTimeoutMs: 10_000, subscription: subscription(topics), assignment: Buffer.from(assignment)
})

test('replay rebuilds a Stable group with its members and assignments; onLoaded starts their sessions', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  // Through the record codec, as the shard loads them.
  const enc = encodeGroupRecord({ kind: 'group', group: 'g', value: value([member('m1', ['t'], 'A1'), member('m2', ['t', 'u'], 'A2', 'i2')]) })
  m.replay(decodeGroupRecord(enc.key, enc.value)!, false)
  const g = m.group('g')!
  assert.deepEqual([g.state, g.generationId, g.protocolName, g.protocolType, g.leaderId], ['Stable', 5, 'range', 'consumer', 'm1'])
  assert.equal(g.staticMemberId('i2'), 'm2')
  assert.equal((await m.sync({ ...syncReq('g', 'm2', 5), groupInstanceId: 'i1' })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'i1 is no instance of this group')
  const s = await m.sync({ ...syncReq('g', 'm2', 5), groupInstanceId: 'i2' })
  assert.deepEqual([s.errorCode, s.assignment.toString()], [ErrorCode.NONE, 'A2'])
  assert.equal(m.heartbeat({ groupId: 'g', memberId: 'm1', groupInstanceId: null, generationId: 5 }), ErrorCode.NONE)
  const d = m.describe('g')!
  assert.deepEqual([d.groupState, d.protocolType, d.protocolData], ['Stable', 'consumer', 'range'])
  assert.deepEqual(d.members.map(x => [x.memberId, x.groupInstanceId, x.clientHost, x.memberMetadata, x.memberAssignment.toString()]), [
    ['m1', null, '/10.0.0.1', subscription(['t']), 'A1'],
    ['m2', 'i2', '/10.0.0.1', subscription(['t', 'u']), 'A2']
  ])
  assert.equal(m.isSubscribedTo('g', 'u'), true)
  assert.equal(m.isSubscribedTo('g', 'v'), false)
  m.onLoaded()
  await tick(10_000)
  assert.equal(m.group('g')!.state, 'Empty', 'nobody heartbeated after the load')
  assert.equal(m.group('g')!.generationId, 6)
})

test('replay: an empty record makes an Empty group, a tombstone removes it, live records of its own writes are ignored', () => {
  const shard = new FakeShard()
  const m = shard.manager
  m.replay({ kind: 'group', group: 'g', value: value([], 3) }, false)
  assert.deepEqual([...m.list()], [{ groupId: 'g', protocolType: 'consumer', state: 'Empty', type: 'classic' }])
  assert.equal(m.isEmpty('g'), true)
  m.replay({ kind: 'group', group: 'g', value: value([member('x', ['t'], '')], 4) }, true)
  assert.equal(m.group('g')!.generationId, 3)
  m.replay({ kind: 'offset', group: 'g', topic: 't', partition: 0, value: null }, false)
  assert.equal(m.has('g'), true)
  m.replay({ kind: 'group', group: 'g', value: null }, true)
  assert.equal(m.has('g'), false)
  assert.deepEqual(m.deletionRecords('g'), [{ kind: 'group', group: 'g', value: null }])
})

test('a group formed live survives a restart: the written records replayed into a fresh manager give the same group', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const ids = await stableGroup(shard, 3, tick)
  const fresh = new FakeShard()
  for (const batch of shard.written) for (const r of batch) { const e = encodeGroupRecord(r); fresh.manager.replay(decodeGroupRecord(e.key, e.value)!, false) }
  const g = fresh.manager.group('g')!
  assert.deepEqual([g.state, g.generationId, g.leaderId, [...g.members.keys()].sort()], ['Stable', 1, ids[0], [...ids].sort()])
  assert.deepEqual(ids.map(id => g.member(id)!.assignment.toString()), ['a0', 'a1', 'a2'])
})

test('onLoaded rebalances a group over group.max.size', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard({ groupMaxSize: 1 })
  shard.manager.replay({ kind: 'group', group: 'g', value: value([member('m1', ['t'], ''), member('m2', ['t'], '')]) }, false)
  shard.manager.onLoaded()
  await tick(0)
  assert.equal(shard.manager.group('g')!.state, 'PreparingRebalance')
})

test('validateOffsetCommit follows Kafka: simple commits, Dead, fenced, unknown, CompletingRebalance, generations', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const c = (memberId: string, generation: number, instance: string | null = null, group = 'g') => m.validateOffsetCommit(group, { memberId, generationIdOrMemberEpoch: generation, groupInstanceId: instance }, 8)
  // No group: a simple commit is fine; a generation is not.
  assert.equal(c('', -1, null, 'none'), ErrorCode.NONE)
  assert.equal(c('x', 3, null, 'none'), ErrorCode.ILLEGAL_GENERATION)
  m.replay({ kind: 'group', group: 'g', value: value([], 3) }, false)
  assert.equal(c('', -1), ErrorCode.NONE, 'Empty group, generation -1')
  assert.equal(c('x', -1), ErrorCode.NONE, 'any commit without a generation goes to an Empty group')
  assert.equal(c('x', 3), ErrorCode.UNKNOWN_MEMBER_ID, 'a generation needs a member')
  const a = await joinWithId(m, {})
  const b = track(m.join(params({ groupInstanceId: 'inst' })))
  await tick(0)
  const sid = b.value!.memberId
  assert.equal(m.group('g')!.state, 'CompletingRebalance')
  assert.equal(c(a.memberId, 4), ErrorCode.REBALANCE_IN_PROGRESS)
  assert.equal(c(a.memberId, 3), ErrorCode.ILLEGAL_GENERATION)
  assert.equal(c('', -1), ErrorCode.UNKNOWN_MEMBER_ID, 'a commit from outside a group with members')
  assert.equal(c('ghost', 4), ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal(c('ghost', 4, 'inst'), ErrorCode.FENCED_INSTANCE_ID)
  assert.equal(c(sid, 4, 'other'), ErrorCode.UNKNOWN_MEMBER_ID)
  const leader = a.response.value!.leader
  await m.sync(syncReq('g', leader, 4, {}))
  assert.equal(m.group('g')!.state, 'Stable')
  assert.equal(c(a.memberId, 4), ErrorCode.NONE)
  assert.equal(c(sid, 4, 'inst'), ErrorCode.NONE)
  assert.equal(m.validateOffsetFetch('g', null, -1), ErrorCode.NONE)
  assert.equal(m.isEmpty('g'), false)
  m.close()
  assert.equal(c(a.memberId, 4), ErrorCode.COORDINATOR_NOT_AVAILABLE, 'Dead')
  assert.equal(m.validateOffsetFetch('g', null, -1), ErrorCode.GROUP_ID_NOT_FOUND)
})

test('close answers parked JoinGroup and SyncGroup requests with NOT_COORDINATOR', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const [leader, follower] = await stableGroup(shard, 2, tick)
  const j = track(m.join(params({ memberId: leader! })))
  const newcomer = await joinWithId(m, { clientId: 'n' })
  await tick(0)
  m.close()
  await tick(0)
  assert.equal(j.value!.errorCode, ErrorCode.NOT_COORDINATOR)
  assert.equal(newcomer.response.value!.errorCode, ErrorCode.NOT_COORDINATOR)
  assert.equal((await m.join(params({ memberId: follower! }))).errorCode, ErrorCode.NOT_COORDINATOR)
  assert.equal(m.group('g')!.state, 'Dead')
})

test('DescribeGroups data: no metadata while rebalancing, Empty groups without members, unknown groups', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  assert.equal(m.describe('nope'), null)
  const [leader] = await stableGroup(shard, 2, tick)
  track(m.join(params({ memberId: leader! })))
  await tick(0)
  const d = m.describe('g')!
  assert.deepEqual([d.groupState, d.protocolData, d.members.map(x => x.memberMetadata.length)], ['PreparingRebalance', '', [0, 0]])
  assert.deepEqual(d.members.map(x => x.memberAssignment.toString()), ['a0', 'a1'])
})

test('the consumer protocol subscription decoder reads the topics of versions 0-3 and rejects garbage', () => {
  for (let v = 0; v <= 3; v++) assert.deepEqual(subscriptionTopics(subscription(['a', 'b'], v)), ['a', 'b'])
  assert.deepEqual(subscriptionTopics(subscription([], 1)), [])
  assert.equal(subscriptionTopics(Buffer.from([0, 0, 0, 0, 0, 5, 0])), null)
  assert.equal(subscriptionTopics(Buffer.alloc(1)), null)
  assert.equal(subscriptionTopics(Buffer.from([0, 0, 0xff, 0xff, 0xff, 0xff])), null)
})

test('isSubscribedTo: a non-consumer protocol type is not subscribed; undecodable consumer metadata counts as subscribed', async t => {
  const tick = useFakeTime(t)
  const m = new FakeShard().manager
  const c = track(m.join(params({ groupId: 'connect', protocolType: 'connect', requireKnownMemberId: false, protocols: [{ name: 'default', metadata: Buffer.from('x') }] })))
  const bad = track(m.join(params({ groupId: 'bad', requireKnownMemberId: false, protocols: [{ name: 'range', metadata: Buffer.from([1]) }] })))
  await tick(0)
  assert.equal(c.value!.errorCode, ErrorCode.NONE)
  assert.equal(bad.value!.errorCode, ErrorCode.NONE)
  assert.equal(m.isSubscribedTo('connect', 't'), false)
  assert.equal(m.isSubscribedTo('bad', 'anything'), true)
  assert.equal(m.isSubscribedTo('missing', 't'), false)
})
