import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@tributary/protocol'
import { NEW_MEMBER_JOIN_TIMEOUT_MS } from '../../../src/groups/classic/manager.js'
import { FakeShard, joinWithId, params, stableGroup, subscription, track, useFakeTime } from './helpers.js'

test('KIP-394: a new member gets MEMBER_ID_REQUIRED and its id, then joins with it and leads generation 1', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const first = await m.join(params({ clientId: 'app' }))
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
  assert.match(first.memberId, /^app-[0-9a-f-]{36}$/)
  assert.equal(m.group('g')!.state, 'Empty')
  assert.ok(m.group('g')!.pendingJoinMembers.has(first.memberId))
  const second = track(m.join(params({ clientId: 'app', memberId: first.memberId })))
  await tick(0)
  assert.equal(second.done, true)
  const r = second.value!
  assert.equal(r.errorCode, ErrorCode.NONE)
  assert.equal(r.generationId, 1)
  assert.equal(r.leader, first.memberId)
  assert.equal(r.memberId, first.memberId)
  assert.equal(r.protocolType, 'consumer')
  assert.equal(r.protocolName, 'range')
  assert.deepEqual(r.members.map(x => [x.memberId, x.metadata]), [[first.memberId, subscription(['t'])]])
  assert.equal(m.group('g')!.state, 'CompletingRebalance')
  // The new group was written at once, empty, as Kafka does.
  assert.deepEqual(shard.written[0], [{ kind: 'group', group: 'g', value: { protocolType: '', generation: 0, protocol: null, leader: null, currentStateTimestamp: 1_000_000n, members: [] } }])
})

test('JoinGroup before v4 adds the member at once, with a generated id', async t => {
  const tick = useFakeTime(t)
  const m = new FakeShard().manager
  const r = track(m.join(params({ requireKnownMemberId: false, groupInstanceId: null })))
  await tick(0)
  assert.equal(r.value!.errorCode, ErrorCode.NONE)
  assert.match(r.value!.memberId, /^client-/)
  assert.equal(r.value!.leader, r.value!.memberId)
})

test('a pending member that never rejoins expires after its session timeout and stops blocking the rebalance', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const [leader, follower] = await stableGroup(shard, 2, tick)
  // A third consumer gets its id but never comes back; the others rejoin.
  const pending = await m.join(params({ clientId: 'late' }))
  assert.equal(pending.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
  const a = track(m.join(params({ memberId: leader! })))
  const b = track(m.join(params({ memberId: follower! })))
  await tick(5000)
  assert.equal(a.done, false, 'the join phase waits for the pending member')
  assert.equal(m.group('g')!.state, 'PreparingRebalance')
  await tick(5000) // session timeout 10 s of the pending member
  assert.equal(a.value!.errorCode, ErrorCode.NONE)
  assert.equal(b.value!.errorCode, ErrorCode.NONE)
  assert.equal(a.value!.generationId, 2)
  assert.equal(m.group('g')!.pendingJoinMembers.size, 0)
  assert.equal((await m.join(params({ memberId: pending.memberId }))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
})

test('a member id for a group that does not exist is UNKNOWN_MEMBER_ID', async () => {
  const m = new FakeShard().manager
  const r = await m.join(params({ memberId: 'ghost' }))
  assert.equal(r.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal(r.memberId, 'ghost')
  assert.equal(m.has('g'), false)
})

test('session timeouts outside group.min/max.session.timeout.ms are INVALID_SESSION_TIMEOUT', async () => {
  const m = new FakeShard({ groupMinSessionTimeoutMs: 6000, groupMaxSessionTimeoutMs: 60_000 }).manager
  assert.equal((await m.join(params({ sessionTimeoutMs: 5999 }))).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT)
  assert.equal((await m.join(params({ sessionTimeoutMs: 60_001 }))).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT)
  assert.equal((await m.join(params({ sessionTimeoutMs: 6000 }))).errorCode, ErrorCode.MEMBER_ID_REQUIRED)
  assert.equal(m.sessionTimeoutError(60_000), ErrorCode.NONE)
})

test('INCONSISTENT_GROUP_PROTOCOL: another protocol type, no protocol in common, an empty type or list', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  assert.equal((await m.join(params({ groupId: 'x', protocolType: '' }))).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  assert.equal((await m.join(params({ groupId: 'y', protocols: [] }))).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  await stableGroup(shard, 1, tick)
  assert.equal((await m.join(params({ protocolType: 'connect' }))).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  assert.equal((await m.join(params({ protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] }))).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  assert.equal((await m.join(params({ protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }, { name: 'range', metadata: Buffer.alloc(0) }] }))).errorCode, ErrorCode.MEMBER_ID_REQUIRED)
})

test('protocol selection: the protocol all members support with the most first-choice votes', async t => {
  const tick = useFakeTime(t)
  const m = new FakeShard().manager
  const p = (names: string[]) => names.map(name => ({ name, metadata: Buffer.from(name) }))
  const a = await joinWithId(m, { protocols: p(['range', 'roundrobin', 'sticky']) })
  const b = await joinWithId(m, { protocols: p(['sticky', 'roundrobin']) })
  const c = await joinWithId(m, { protocols: p(['roundrobin', 'sticky', 'range']) })
  const d = await joinWithId(m, { protocols: p(['roundrobin', 'sticky']) })
  await tick(0)
  // range is not supported by b and d; a votes roundrobin (its first candidate), b sticky, c and d roundrobin.
  for (const j of [a, b, c, d]) assert.equal(j.response.value!.protocolName, 'roundrobin')
  const leader = [a, b, c, d].find(j => j.memberId === a.response.value!.leader)!
  assert.deepEqual(leader.response.value!.members.map(x => x.metadata.toString()), ['roundrobin', 'roundrobin', 'roundrobin', 'roundrobin'])
  assert.equal(m.group('g')!.protocolName, 'roundrobin')
})

test('group.max.size: joining a full group is GROUP_MAX_SIZE_REACHED', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard({ groupMaxSize: 2 })
  const m = shard.manager
  await stableGroup(shard, 2, tick)
  const r = await m.join(params({ clientId: 'third' }))
  assert.equal(r.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED)
  assert.equal(r.memberId, '')
  assert.equal(m.group('g')!.members.size, 2)
  assert.equal(m.group('g')!.state, 'Stable')
})

test('group.max.size while preparing a rebalance counts the members that rejoined', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard({ groupMaxSize: 2 })
  const m = shard.manager
  const [leader, follower] = await stableGroup(shard, 2, tick)
  const a = track(m.join(params({ memberId: leader! }))) // the leader rejoining starts a rebalance
  await tick(0)
  assert.equal(m.group('g')!.state, 'PreparingRebalance')
  // One slot is taken by the rejoined leader: a new member may still come in, up to two awaiting.
  const newcomer = await joinWithId(m, { clientId: 'new' })
  assert.equal(m.group('g')!.numAwaitingJoin(), 2)
  // The old follower rejoins too late: the group is full and it is dropped.
  const late = await m.join(params({ memberId: follower! }))
  assert.equal(late.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED)
  assert.equal(m.group('g')!.has(follower!), false)
  // As in Kafka, dropping it does not complete the join phase: the rebalance deadline does.
  await tick(0)
  assert.equal(a.done, false)
  await tick(30_000)
  assert.equal(a.value!.errorCode, ErrorCode.NONE)
  assert.equal(newcomer.response.value!.errorCode, ErrorCode.NONE)
  assert.equal(a.value!.generationId, 2)
})

test('group.initial.rebalance.delay.ms: an Empty group waits, extends the wait while members join, bounded by the rebalance timeout', async t => {
  const tick = useFakeTime(t)
  const m = new FakeShard({ groupInitialRebalanceDelayMs: 3000 }).manager
  const a = await joinWithId(m, { rebalanceTimeoutMs: 10_000 })
  await tick(2000)
  const b = await joinWithId(m, { rebalanceTimeoutMs: 10_000 })
  await tick(1000) // 3 s: b joined during the delay, so it is extended by 3 s
  assert.equal(a.response.done, false)
  await tick(2999)
  assert.equal(a.response.done, false)
  await tick(1) // 6 s: nobody joined in the extension
  assert.equal(a.response.value!.errorCode, ErrorCode.NONE)
  assert.equal(b.response.value!.generationId, 1)
  assert.equal(a.response.value!.leader, a.memberId)
  assert.equal(a.response.value!.members.length, 2)

  // Members joining every 2 s keep extending it, but never beyond the rebalance timeout (10 s).
  const m2 = new FakeShard({ groupInitialRebalanceDelayMs: 3000 }).manager
  const first = await joinWithId(m2, { groupId: 'h', rebalanceTimeoutMs: 10_000 })
  for (let i = 0; i < 4; i++) {
    await tick(2000)
    await joinWithId(m2, { groupId: 'h', rebalanceTimeoutMs: 10_000 })
  }
  await tick(1999) // 9.999 s
  assert.equal(first.response.done, false)
  await tick(1)
  assert.equal(first.response.value!.errorCode, ErrorCode.NONE)
  assert.equal(first.response.value!.members.length, 5)
})

test('rebalance timeout: a member that does not rejoin in time is removed from the next generation', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const [leader, follower] = await stableGroup(shard, 2, tick)
  // The group's rebalance timeout is the longest of its members' (30 s here).
  const a = track(m.join(params({ memberId: leader!, rebalanceTimeoutMs: 20_000 })))
  await tick(0)
  assert.equal(m.heartbeat({ groupId: 'g', memberId: follower!, groupInstanceId: null, generationId: 1 }), ErrorCode.REBALANCE_IN_PROGRESS)
  // The follower heartbeats (so its session is fine) but never rejoins.
  for (let i = 0; i < 3; i++) {
    await tick(9000)
    assert.equal(m.heartbeat({ groupId: 'g', memberId: follower!, groupInstanceId: null, generationId: 1 }), ErrorCode.REBALANCE_IN_PROGRESS)
  }
  await tick(2999)
  assert.equal(a.done, false)
  await tick(1)
  assert.equal(a.value!.errorCode, ErrorCode.NONE)
  assert.equal(a.value!.generationId, 2)
  assert.deepEqual(a.value!.members.map(x => x.memberId), [leader])
  assert.equal(m.heartbeat({ groupId: 'g', memberId: follower!, groupInstanceId: null, generationId: 1 }), ErrorCode.UNKNOWN_MEMBER_ID)
})

test('a new member whose JoinGroup stays parked is dropped after the new-member join timeout', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const [leader] = await stableGroup(shard, 1, tick)
  // The old member keeps its session but does not rejoin, and the newcomer's rebalance timeout is long:
  // the join phase stays open until the newcomer's parked JoinGroup times out.
  const newcomer = await joinWithId(m, { rebalanceTimeoutMs: 1_000_000 })
  await tick(0)
  assert.equal(m.group('g')!.state, 'PreparingRebalance')
  for (let elapsed = 0; elapsed < NEW_MEMBER_JOIN_TIMEOUT_MS; elapsed += 5000) {
    assert.equal(newcomer.response.done, false)
    assert.equal(m.heartbeat({ groupId: 'g', memberId: leader!, groupInstanceId: null, generationId: 1 }), ErrorCode.REBALANCE_IN_PROGRESS)
    await tick(5000)
  }
  assert.equal(newcomer.response.value!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal(m.group('g')!.has(newcomer.memberId), false)
})

test('Stable: a follower rejoining with the same metadata gets the current generation; the leader or new metadata rebalance (KIP-429 rejoins)', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const [leader, follower] = await stableGroup(shard, 2, tick)
  const same = await m.join(params({ memberId: follower! }))
  assert.deepEqual([same.errorCode, same.generationId, same.leader, same.members], [ErrorCode.NONE, 1, leader, []])
  assert.equal(m.group('g')!.state, 'Stable')

  // Cooperative rebalancing: a member rejoins while Stable with new metadata (owned partitions), the group moves to generation 2.
  const changed = track(m.join(params({ memberId: follower!, protocols: [{ name: 'range', metadata: subscription(['t'], 1) }] })))
  await tick(0)
  assert.equal(m.group('g')!.state, 'PreparingRebalance')
  const l = track(m.join(params({ memberId: leader! })))
  await tick(0)
  assert.equal(changed.value!.generationId, 2)
  assert.equal(l.value!.generationId, 2)
  assert.deepEqual(l.value!.members.find(x => x.memberId === follower)!.metadata, subscription(['t'], 1))
  // CompletingRebalance: the same JoinGroup again gets the same answer (a lost response), the leader with the members.
  const again = await m.join(params({ memberId: leader! }))
  assert.equal(again.generationId, 2)
  assert.equal(again.members.length, 2)
})

test('an unknown member id or a fenced instance id in JoinGroup', async t => {
  const tick = useFakeTime(t)
  const m = new FakeShard().manager
  const s = track(m.join(params({ groupInstanceId: 'i1' })))
  await tick(0)
  assert.equal(s.value?.errorCode, ErrorCode.NONE)
  assert.match(s.value!.memberId, /^i1-/, 'a static member id starts with its instance id')
  assert.equal((await m.join(params({ memberId: 'nobody' }))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal((await m.join(params({ memberId: 'other', groupInstanceId: 'i1' }))).errorCode, ErrorCode.FENCED_INSTANCE_ID)
})
