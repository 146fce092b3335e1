import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@tributary/protocol'
import { FakeShard, joinWithId, params, settle, stableGroup, subscription, syncReq, track, useFakeTime } from './helpers.js'

async function completingGroup (shard: FakeShard, tick: (ms: number) => Promise<void>): Promise<{ leader: string, follower: string }> {
  const a = await joinWithId(shard.manager, { clientId: 'a' })
  const b = await joinWithId(shard.manager, { clientId: 'b' })
  await tick(0)
  const leader = a.response.value!.leader
  return { leader, follower: leader === a.memberId ? b.memberId : a.memberId }
}

test('SyncGroup: followers wait for the leader; the assignments are written before anyone gets theirs', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const { leader, follower } = await completingGroup(shard, tick)
  assert.equal(m.group('g')!.state, 'CompletingRebalance')
  const f = track(m.sync(syncReq('g', follower, 1)))
  await settle()
  assert.equal(f.done, false, 'a follower waits for the leader')
  const before = shard.written.length
  shard.gate()
  const l = track(m.sync(syncReq('g', leader, 1, { [leader]: 'L', [follower]: 'F' })))
  await settle()
  assert.equal(l.done, false, 'no answer before the record is durable')
  assert.equal(f.done, false)
  assert.equal(m.group('g')!.state, 'CompletingRebalance')
  shard.release()
  await settle()
  assert.deepEqual([l.value!.errorCode, l.value!.assignment.toString(), l.value!.protocolType, l.value!.protocolName], [ErrorCode.NONE, 'L', 'consumer', 'range'])
  assert.deepEqual([f.value!.errorCode, f.value!.assignment.toString()], [ErrorCode.NONE, 'F'])
  assert.equal(m.group('g')!.state, 'Stable')
  assert.equal(shard.written.length, before + 1)
  const rec = shard.lastGroupRecord('g')!
  assert.equal(rec.kind, 'group')
  if (rec.kind !== 'group' || rec.value === null) throw new Error('no group record')
  assert.equal(rec.value.generation, 1)
  assert.equal(rec.value.protocol, 'range')
  assert.equal(rec.value.protocolType, 'consumer')
  assert.equal(rec.value.leader, leader)
  assert.deepEqual(rec.value.members.map(x => [x.memberId, x.clientId, x.clientHost, x.sessionTimeoutMs, x.rebalanceTimeoutMs, x.subscription, x.assignment.toString()]).sort(), [
    [leader, leader.startsWith('a-') ? 'a' : 'b', '/127.0.0.1', 10_000, 30_000, subscription(['t']), 'L'],
    [follower, follower.startsWith('a-') ? 'a' : 'b', '/127.0.0.1', 10_000, 30_000, subscription(['t']), 'F']
  ].sort())
  // Once Stable, SyncGroup returns the stored assignment at once.
  const again = await m.sync(syncReq('g', follower, 1))
  assert.equal(again.assignment.toString(), 'F')
})

test('SyncGroup: members the leader left out get an empty assignment', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const { leader, follower } = await completingGroup(shard, tick)
  const f = track(shard.manager.sync(syncReq('g', follower, 1)))
  await shard.manager.sync(syncReq('g', leader, 1, { [leader]: 'L' }))
  await settle()
  assert.equal(f.value!.errorCode, ErrorCode.NONE)
  assert.equal(f.value!.assignment.length, 0)
})

test('SyncGroup: a failed write answers everyone with the error (REQUEST_TIMED_OUT → COORDINATOR_NOT_AVAILABLE) and the group rebalances', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const { leader, follower } = await completingGroup(shard, tick)
  const f = track(m.sync(syncReq('g', follower, 1)))
  shard.failWith = ErrorCode.REQUEST_TIMED_OUT
  const l = await m.sync(syncReq('g', leader, 1, { [leader]: 'L', [follower]: 'F' }))
  await settle()
  assert.equal(l.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE)
  assert.equal(f.value!.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE)
  assert.equal(m.group('g')!.state, 'PreparingRebalance')
  shard.failWith = null
  // Everyone rejoins and the next generation forms.
  const a = track(m.join(params({ memberId: leader })))
  const b = track(m.join(params({ memberId: follower })))
  await tick(0)
  assert.equal(a.value!.generationId, 2)
  assert.equal(b.value!.generationId, 2)
})

test('SyncGroup errors: unknown group or member, Empty group, wrong generation, rebalance in progress, protocol mismatch, fenced instance', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  assert.equal((await m.sync(syncReq('nope', 'x', 1))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  const [leader, follower] = await stableGroup(shard, 2, tick)
  assert.equal((await m.sync(syncReq('g', 'x', 1))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal((await m.sync(syncReq('g', follower!, 7))).errorCode, ErrorCode.ILLEGAL_GENERATION)
  assert.equal((await m.sync({ ...syncReq('g', follower!, 1), protocolType: 'connect' })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  assert.equal((await m.sync({ ...syncReq('g', follower!, 1), protocolName: 'roundrobin' })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  const ok = await m.sync({ ...syncReq('g', follower!, 1), protocolType: 'consumer', protocolName: 'range' })
  assert.deepEqual([ok.errorCode, ok.protocolType, ok.protocolName, ok.assignment.toString()], [ErrorCode.NONE, 'consumer', 'range', 'a1'])
  assert.equal((await m.sync({ ...syncReq('g', follower!, 1), groupInstanceId: 'unknown-instance' })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  track(m.join(params({ memberId: leader! })))
  await tick(0)
  assert.equal(m.group('g')!.state, 'PreparingRebalance')
  assert.equal((await m.sync(syncReq('g', follower!, 1))).errorCode, ErrorCode.REBALANCE_IN_PROGRESS)
  // A group without members: UNKNOWN_MEMBER_ID.
  await m.leave('g', [{ memberId: leader!, groupInstanceId: null, reason: null }, { memberId: follower!, groupInstanceId: null, reason: null }])
  assert.equal(m.group('g')!.state, 'Empty')
  assert.equal((await m.sync(syncReq('g', leader!, 2))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
})

test('a rebalance starting during CompletingRebalance answers waiting syncs with REBALANCE_IN_PROGRESS', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const { follower } = await completingGroup(shard, tick)
  const f = track(m.sync(syncReq('g', follower, 1)))
  await settle()
  await joinWithId(m, { clientId: 'newcomer' })
  await settle()
  assert.equal(f.value!.errorCode, ErrorCode.REBALANCE_IN_PROGRESS)
  assert.equal(m.group('g')!.state, 'PreparingRebalance')
})

test('the leader assignment arriving after the group moved on is not applied', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const { leader, follower } = await completingGroup(shard, tick)
  shard.gate()
  const l = track(m.sync(syncReq('g', leader, 1, { [leader]: 'L', [follower]: 'F' })))
  await settle()
  // A new member joins while the leader's record is being written.
  track(m.join(params({ clientId: 'c', requireKnownMemberId: false })))
  await settle()
  assert.equal(l.value!.errorCode, ErrorCode.REBALANCE_IN_PROGRESS)
  shard.release()
  await settle()
  assert.equal(m.group('g')!.state, 'PreparingRebalance')
  assert.equal(m.group('g')!.member(follower)!.assignment.length, 0)
})

test('members that do not send SyncGroup within the rebalance timeout are removed and the group rebalances', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const { leader, follower } = await completingGroup(shard, tick)
  const l = await m.sync(syncReq('g', leader, 1, { [leader]: 'L', [follower]: 'F' }))
  assert.equal(l.errorCode, ErrorCode.NONE)
  assert.equal(m.group('g')!.state, 'Stable')
  // The follower never syncs, though both heartbeat.
  for (let i = 0; i < 3; i++) {
    await tick(9000)
    assert.equal(m.heartbeat({ groupId: 'g', memberId: leader, groupInstanceId: null, generationId: 1 }), ErrorCode.NONE)
    assert.equal(m.heartbeat({ groupId: 'g', memberId: follower, groupInstanceId: null, generationId: 1 }), ErrorCode.NONE)
  }
  await tick(3000)
  assert.equal(m.group('g')!.has(follower), false)
  assert.equal(m.group('g')!.state, 'PreparingRebalance')
  assert.equal(m.heartbeat({ groupId: 'g', memberId: leader, groupInstanceId: null, generationId: 1 }), ErrorCode.REBALANCE_IN_PROGRESS)
})
