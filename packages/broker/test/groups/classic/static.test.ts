import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@tributary/protocol'
import type { ClassicGroupManager } from '../../../src/groups/classic/manager.js'
import { FakeShard, params, settle, subscription, syncReq, track, useFakeTime } from './helpers.js'

/** Two static members i1 (leader) and i2, Stable at generation 1 with assignments A1 and A2. */
async function staticGroup (shard: FakeShard, tick: (ms: number) => Promise<void>): Promise<{ id1: string, id2: string }> {
  const m = shard.manager
  const j1 = track(m.join(params({ groupInstanceId: 'i1', clientId: 'one' })))
  const j2 = track(m.join(params({ groupInstanceId: 'i2', clientId: 'two' })))
  await tick(0)
  const id1 = j1.value!.memberId
  const id2 = j2.value!.memberId
  assert.equal(j1.value!.leader, id1)
  const f = track(m.sync({ ...syncReq('g', id2, 1), groupInstanceId: 'i2' }))
  await m.sync({ ...syncReq('g', id1, 1, { [id1]: 'A1', [id2]: 'A2' }), groupInstanceId: 'i1' })
  await settle()
  assert.equal(f.value!.assignment.toString(), 'A2')
  return { id1, id2 }
}

const hb = (m: ClassicGroupManager, memberId: string, instance: string, generationId = 1) => m.heartbeat({ groupId: 'g', memberId, groupInstanceId: instance, generationId })

test('KIP-345: a static member restarting with a new member id gets its assignment back without a rebalance', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const { id1, id2 } = await staticGroup(shard, tick)
  const before = shard.written.length
  // i2 restarts: it joins with no member id and the same protocols.
  const r = track(m.join(params({ groupInstanceId: 'i2', clientId: 'two' })))
  await settle()
  const g = m.group('g')!
  assert.equal(r.value!.errorCode, ErrorCode.NONE)
  const newId = r.value!.memberId
  assert.notEqual(newId, id2)
  assert.deepEqual([r.value!.generationId, r.value!.leader, r.value!.members, r.value!.skipAssignment], [1, id1, [], false])
  assert.equal(g.state, 'Stable', 'no rebalance')
  assert.equal(g.generationId, 1)
  // The replacement is in the log before the answer.
  assert.equal(shard.written.length, before + 1)
  const rec = shard.lastGroupRecord('g')
  assert.deepEqual(rec?.kind === 'group' ? rec.value?.members.map(x => [x.memberId, x.groupInstanceId, x.assignment.toString()]) : null, [[id1, 'i1', 'A1'], [newId, 'i2', 'A2']])
  const s = await m.sync({ ...syncReq('g', newId, 1), groupInstanceId: 'i2' })
  assert.deepEqual([s.errorCode, s.assignment.toString()], [ErrorCode.NONE, 'A2'])
  // The other member did not notice.
  assert.equal(hb(m, id1, 'i1'), ErrorCode.NONE)
  // The old member id is fenced everywhere.
  assert.equal(hb(m, id2, 'i2'), ErrorCode.FENCED_INSTANCE_ID)
  assert.equal((await m.sync({ ...syncReq('g', id2, 1), groupInstanceId: 'i2' })).errorCode, ErrorCode.FENCED_INSTANCE_ID)
  assert.equal((await m.join(params({ memberId: id2, groupInstanceId: 'i2' }))).errorCode, ErrorCode.FENCED_INSTANCE_ID)
  assert.equal(m.validateOffsetCommit('g', { memberId: id2, groupInstanceId: 'i2', generationIdOrMemberEpoch: 1 }, 8), ErrorCode.FENCED_INSTANCE_ID)
  assert.equal((await m.leave('g', [{ memberId: id2, groupInstanceId: 'i2', reason: null }])).members[0]!.errorCode, ErrorCode.FENCED_INSTANCE_ID)
})

test('KIP-345: the static leader restarting is told the old leader id (v<9), or to skip the assignment (v9)', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const { id1 } = await staticGroup(shard, tick)
  const old = await m.join(params({ groupInstanceId: 'i1', clientId: 'one' }))
  assert.deepEqual([old.errorCode, old.leader, old.members, old.skipAssignment], [ErrorCode.NONE, id1, [], false])
  assert.notEqual(old.memberId, id1)
  assert.equal(m.group('g')!.leaderId, old.memberId)
  const v9 = await m.join(params({ groupInstanceId: 'i1', clientId: 'one', supportsSkipAssignment: true }))
  assert.deepEqual([v9.errorCode, v9.leader, v9.skipAssignment, v9.members.length], [ErrorCode.NONE, v9.memberId, true, 2])
  assert.equal(m.group('g')!.state, 'Stable')
})

test('KIP-345: a restart with protocols that change the selection rebalances; so does one during CompletingRebalance', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const { id1 } = await staticGroup(shard, tick)
  const other = [{ name: 'roundrobin', metadata: subscription(['t']) }, { name: 'range', metadata: subscription(['t']) }]
  track(m.join(params({ groupInstanceId: 'i2', protocols: other })))
  await settle()
  // roundrobin is not supported by i1, so range stays selected: no rebalance.
  assert.equal(m.group('g')!.state, 'Stable')

  const shard2 = new FakeShard()
  const m2 = shard2.manager
  const ids = await staticGroup(shard2, tick)
  // i1 restarts preferring roundrobin and i2 too: the vote would change, so the group rebalances.
  track(m2.join(params({ groupInstanceId: 'i2', protocols: other })))
  await settle()
  assert.equal(m2.group('g')!.state, 'Stable')
  track(m2.join(params({ groupInstanceId: 'i1', protocols: other })))
  await settle()
  assert.equal(m2.group('g')!.state, 'PreparingRebalance')
  void ids; void id1

  // CompletingRebalance: the leader may have assigned to the old id, so a restart rebalances.
  const shard3 = new FakeShard()
  const m3 = shard3.manager
  const a = track(m3.join(params({ groupInstanceId: 'i1' })))
  await tick(0)
  assert.equal(m3.group('g')!.state, 'CompletingRebalance')
  const restarted = track(m3.join(params({ groupInstanceId: 'i1' })))
  await settle()
  assert.equal(a.value!.errorCode, ErrorCode.NONE)
  // The only member rejoined, so the new rebalance completes at once with generation 2.
  assert.deepEqual([restarted.value!.errorCode, restarted.value!.generationId, restarted.value!.leader], [ErrorCode.NONE, 2, restarted.value!.memberId])
  assert.equal(m3.group('g')!.state, 'CompletingRebalance')
  assert.equal((await m3.sync({ ...syncReq('g', a.value!.memberId, 1), groupInstanceId: 'i1' })).errorCode, ErrorCode.FENCED_INSTANCE_ID)
})

test('KIP-345: a parked request of the replaced member id is answered FENCED_INSTANCE_ID', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const { id1, id2 } = await staticGroup(shard, tick)
  // A rebalance: i2 rejoins (parked) and then restarts with a new id before the rebalance completes.
  const parked = track(m.join(params({ memberId: id2, groupInstanceId: 'i2', clientId: 'two', protocols: [{ name: 'range', metadata: subscription(['t', 'u']) }] })))
  await settle()
  assert.equal(m.group('g')!.state, 'PreparingRebalance')
  const fresh = track(m.join(params({ groupInstanceId: 'i2', clientId: 'two' })))
  await settle()
  assert.equal(parked.value!.errorCode, ErrorCode.FENCED_INSTANCE_ID)
  const l = track(m.join(params({ memberId: id1, groupInstanceId: 'i1' })))
  await tick(0)
  assert.equal(fresh.value!.errorCode, ErrorCode.NONE)
  assert.equal(l.value!.generationId, 2)
})

test('static members that do not rejoin keep their place through the rebalance; their sessions still expire', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const { id1, id2 } = await staticGroup(shard, tick)
  const l = track(m.join(params({ memberId: id1, groupInstanceId: 'i1' })))
  for (let i = 0; i < 3; i++) { await tick(9000); hb(m, id2, 'i2') }
  await tick(3000) // the 30 s rebalance timeout
  assert.deepEqual([l.value!.generationId, l.value!.members.map(x => x.memberId).sort()], [2, [id1, id2].sort()])
  await tick(10_000)
  assert.equal(m.group('g')!.has(id2), false)
})

test('a failed write of the replacement reverts to the old member id and answers the error', async t => {
  const tick = useFakeTime(t)
  const shard = new FakeShard()
  const m = shard.manager
  const { id2 } = await staticGroup(shard, tick)
  shard.failWith = ErrorCode.NOT_COORDINATOR
  const r = await m.join(params({ groupInstanceId: 'i2', clientId: 'two' }))
  assert.deepEqual([r.errorCode, r.memberId], [ErrorCode.NOT_COORDINATOR, ''])
  const g = m.group('g')!
  assert.equal(g.staticMemberId('i2'), id2)
  assert.equal(g.member(id2)!.assignment.toString(), 'A2')
  shard.failWith = null
  assert.equal(hb(m, id2, 'i2'), ErrorCode.NONE)
})
