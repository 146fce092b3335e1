import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@tributary/protocol'
import { FakeShard, joinWithId, params, stableGroup, track, useFakeTime } from './helpers.js'

const hb = (memberId: string, generationId = 1, groupInstanceId: string | null = null) => ({ groupId: 'g', memberId, generationId, groupInstanceId })

test('Heartbeat: NONE while Stable, UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS while preparing', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  assert.equal(m.heartbeat({ ...hb('x'), groupId: 'none' }), ErrorCode.UNKNOWN_MEMBER_ID)
  const [leader, follower] = await stableGroup(shard, 2, tick)
  assert.equal(m.heartbeat(hb(follower!)), ErrorCode.NONE)
  assert.equal(m.heartbeat(hb('stranger')), ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal(m.heartbeat(hb(follower!, 2)), ErrorCode.ILLEGAL_GENERATION)
  assert.equal(m.heartbeat(hb(follower!, 1, 'not-static')), ErrorCode.UNKNOWN_MEMBER_ID)
  track(m.join(params({ memberId: leader! })))
  await tick(0)
  assert.equal(m.heartbeat(hb(follower!)), ErrorCode.REBALANCE_IN_PROGRESS)
})

test('session expiry: a member that stops heartbeating is removed after session.timeout.ms and the group rebalances', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const [leader, follower] = await stableGroup(shard, 2, tick)
  // Only the leader heartbeats.
  for (let i = 0; i < 3; i++) {
    await tick(3000)
    assert.equal(m.heartbeat(hb(leader!)), ErrorCode.NONE)
  }
  await tick(1000) // 10 s since the follower's last sign of life
  assert.equal(m.group('g')!.has(follower!), false)
  assert.equal(m.heartbeat(hb(leader!)), ErrorCode.REBALANCE_IN_PROGRESS)
  const r = track(m.join(params({ memberId: leader! })))
  await tick(0)
  assert.deepEqual([r.value!.generationId, r.value!.members.map(x => x.memberId)], [2, [leader]])
})

test('the last member expiring leaves the group Empty, written with no members and its generation', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  await stableGroup(shard, 1, tick)
  await tick(10_000)
  const g = m.group('g')!
  assert.equal(g.state, 'Empty')
  assert.equal(g.generationId, 2)
  const rec = shard.lastGroupRecord('g')
  assert.deepEqual(rec?.kind === 'group' ? [rec.value?.generation, rec.value?.members, rec.value?.protocol, rec.value?.protocolType] : null, [2, [], null, 'consumer'])
  assert.deepEqual([...m.list()], [{ groupId: 'g', protocolType: 'consumer', state: 'Empty', type: 'classic' }])
})

test('LeaveGroup: one member leaves, the others rebalance without it', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const [leader, follower] = await stableGroup(shard, 2, tick)
  const r = await m.leave('g', [{ memberId: leader!, groupInstanceId: null, reason: 'bye' }])
  assert.deepEqual(r, { errorCode: ErrorCode.NONE, members: [{ memberId: leader, groupInstanceId: null, errorCode: ErrorCode.NONE }] })
  assert.equal(m.group('g')!.leaderId, follower, 'the remaining member leads')
  assert.equal(m.heartbeat(hb(follower!)), ErrorCode.REBALANCE_IN_PROGRESS)
  const j = track(m.join(params({ memberId: follower! })))
  await tick(0)
  assert.deepEqual([j.value!.generationId, j.value!.leader], [2, follower])
})

test('LeaveGroup v3+: a batch with per-member errors, removal by instance id alone, pending members', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const s1 = track(m.join(params({ groupInstanceId: 'i1' })))
  const s2 = track(m.join(params({ groupInstanceId: 'i2' })))
  const d = await joinWithId(m, {})
  await tick(0)
  const id1 = s1.value!.memberId
  const id2 = s2.value!.memberId
  const pending = await m.join(params({ clientId: 'p' }))
  const r = await m.leave('g', [
    { memberId: '', groupInstanceId: 'i1', reason: null }, // by instance id alone
    { memberId: 'wrong', groupInstanceId: 'i2', reason: null }, // fenced: i2 is another member id
    { memberId: id2, groupInstanceId: 'i9', reason: null }, // unknown instance id
    { memberId: 'ghost', groupInstanceId: null, reason: null },
    { memberId: '', groupInstanceId: null, reason: null },
    { memberId: pending.memberId, groupInstanceId: null, reason: null },
    { memberId: d.memberId, groupInstanceId: null, reason: null }
  ])
  assert.equal(r.errorCode, ErrorCode.NONE)
  assert.deepEqual(r.members.map(x => [x.memberId, x.groupInstanceId, x.errorCode]), [
    ['', 'i1', ErrorCode.NONE],
    ['wrong', 'i2', ErrorCode.FENCED_INSTANCE_ID],
    [id2, 'i9', ErrorCode.UNKNOWN_MEMBER_ID],
    ['ghost', null, ErrorCode.UNKNOWN_MEMBER_ID],
    ['', null, ErrorCode.UNKNOWN_MEMBER_ID],
    [pending.memberId, null, ErrorCode.NONE],
    [d.memberId, null, ErrorCode.NONE]
  ])
  const g = m.group('g')!
  assert.deepEqual([...g.members.keys()], [id2])
  assert.equal(g.has(id1), false)
  assert.equal(g.pendingJoinMembers.size, 0)
  assert.equal(g.state, 'PreparingRebalance')
})

test('LeaveGroup of a member parked in JoinGroup answers that JoinGroup with UNKNOWN_MEMBER_ID; an unknown group answers per member', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const [leader, follower] = await stableGroup(shard, 2, tick)
  const parked = track(m.join(params({ memberId: leader! })))
  await tick(0)
  await m.leave('g', [{ memberId: leader!, groupInstanceId: null, reason: null }])
  await tick(0)
  assert.deepEqual([parked.value!.errorCode, parked.value!.memberId], [ErrorCode.UNKNOWN_MEMBER_ID, ''])
  void follower
  const none = await m.leave('other', [{ memberId: 'a', groupInstanceId: null, reason: null }])
  assert.deepEqual(none, { errorCode: ErrorCode.NONE, members: [{ memberId: 'a', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID }] })
})

test('LeaveGroup of the last member: the group is Empty, its record written before the answer', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const [only] = await stableGroup(shard, 1, tick)
  shard.gate()
  const r = track(m.leave('g', [{ memberId: only!, groupInstanceId: null, reason: null }]))
  await tick(0)
  assert.equal(r.done, false)
  assert.equal(m.group('g')!.state, 'Empty')
  shard.release()
  await tick(0)
  assert.equal(r.value!.errorCode, ErrorCode.NONE)
  const rec = shard.lastGroupRecord('g')
  assert.deepEqual(rec?.kind === 'group' ? [rec.value?.generation, rec.value?.members.length] : null, [2, 0])
  // A failed write is the response's error.
  const [again] = await stableGroup(shard, 1, tick, 'g2')
  shard.failWith = ErrorCode.NOT_COORDINATOR
  const failed = await m.leave('g2', [{ memberId: again!, groupInstanceId: null, reason: null }])
  assert.equal(failed.errorCode, ErrorCode.NOT_COORDINATOR)
})
