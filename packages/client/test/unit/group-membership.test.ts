// The group membership state machines against a scripted coordinator:
// classic (JoinGroup/SyncGroup/Heartbeat/LeaveGroup) and KIP-848
// (ConsumerGroupHeartbeat), driven through their error paths.
import { after, afterEach, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { ClassicGroupMembership, Cluster, ConsumerGroupMembership, decodeAssignment, encodeAssignment, encodeSubscription, type TopicPartition } from '../../src/index.js'
import { FakeBroker, type Received } from '../helpers/fake-broker.js'

const TOPIC_ID = '11111111-2222-3333-4444-555555555555'
const JOIN = 11
const HEARTBEAT = 12
const LEAVE = 13
const SYNC = 14
const CG_HEARTBEAT = 68

let fake: FakeBroker
let cluster: Cluster
before(async () => {
  fake = new FakeBroker()
  await fake.start()
  fake.serveCluster([{ name: 't', topicId: TOPIC_ID, partitions: 4 }])
})
after(async () => { await fake.close() })
afterEach(() => {
  cluster?.close()
  fake.received.length = 0
})

function newCluster (): Cluster {
  cluster = new Cluster({ brokers: [`127.0.0.1:${fake.port}`], retry: { initialBackoffMs: 5, maxBackoffMs: 10 } })
  return cluster
}

async function until (what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

const fmt = (tps: readonly TopicPartition[]): string[] => tps.map(tp => `${tp.topic}${tp.partition}`)

test('classic: MEMBER_ID_REQUIRED, the leader assigns by range, a rebalance revokes everything and rejoins, leave sends LeaveGroup', async () => {
  const joins: Received[] = []
  fake.handlers[JOIN] = r => {
    joins.push(r)
    if (joins.length === 1) return { errorCode: 79, memberId: 'm-1', generationId: -1, leader: '', members: [] }
    if (joins.length === 2) {
      return {
        errorCode: 0, generationId: 1, protocolType: 'consumer', protocolName: 'range', leader: 'm-1', memberId: 'm-1',
        members: [{ memberId: 'm-1', groupInstanceId: null, metadata: encodeSubscription(['t']) }, { memberId: 'm-2', groupInstanceId: null, metadata: encodeSubscription(['t']) }]
      }
    }
    return { errorCode: 0, generationId: 2, protocolType: 'consumer', protocolName: 'range', leader: 'm-2', memberId: 'm-1', members: [] }
  }
  const syncs: Received[] = []
  fake.handlers[SYNC] = r => {
    syncs.push(r)
    if (syncs.length === 1) {
      const mine = (r.body.assignments as Array<{ memberId: string, assignment: Buffer }>).find(a => a.memberId === 'm-1')!
      return { errorCode: 0, protocolType: 'consumer', protocolName: 'range', assignment: mine.assignment }
    }
    return { errorCode: 0, protocolType: 'consumer', protocolName: 'range', assignment: encodeAssignment([{ topic: 't', partition: 3 }]) }
  }
  let heartbeats = 0
  fake.handlers[HEARTBEAT] = () => ({ errorCode: ++heartbeats === 2 ? 27 : 0 })
  fake.handlers[LEAVE] = () => ({ errorCode: 0, members: [{ memberId: 'm-1', groupInstanceId: null, errorCode: 0 }] })

  const m = new ClassicGroupMembership(newCluster(), 'g', { heartbeatIntervalMs: 10, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 1000 })
  const seen: string[][] = []
  await m.start(['t'], async a => { seen.push(fmt(a)) })
  assert.deepEqual(joins.map(j => j.body.memberId), ['', 'm-1'])
  assert.equal(joins[0]!.body.protocolType, 'consumer')
  const plan = new Map((syncs[0]!.body.assignments as Array<{ memberId: string, assignment: Buffer }>).map(a => [a.memberId, fmt(decodeAssignment(a.assignment))]))
  assert.deepEqual(Object.fromEntries(plan), { 'm-1': ['t0', 't1'], 'm-2': ['t2', 't3'] })
  assert.deepEqual(m.commitIdentity(), { generationIdOrMemberEpoch: 1, memberId: 'm-1', groupInstanceId: null })

  // The second heartbeat answers REBALANCE_IN_PROGRESS: revoke all, rejoin as a follower.
  await until('the follower assignment', () => seen.length === 3)
  assert.deepEqual(seen, [['t0', 't1'], [], ['t3']])
  assert.deepEqual(syncs[1]!.body.assignments, [], 'a follower sends no assignments')
  assert.equal(m.commitIdentity().generationIdOrMemberEpoch, 2)
  await m.leave()
  const leave = fake.requests(LEAVE)
  assert.equal(leave.length, 1)
  assert.deepEqual(leave[0]!.body.members.map((x: { memberId: string }) => x.memberId), ['m-1'])
})

test('classic: UNKNOWN_MEMBER_ID on heartbeat drops the member id before joining again', async () => {
  const joins: Received[] = []
  fake.handlers[JOIN] = r => {
    joins.push(r)
    return { errorCode: 0, generationId: joins.length, protocolType: 'consumer', protocolName: 'range', leader: 'x', memberId: `m-${joins.length}`, members: [] }
  }
  fake.handlers[SYNC] = () => ({ errorCode: 0, assignment: Buffer.alloc(0) })
  let heartbeats = 0
  fake.handlers[HEARTBEAT] = () => ({ errorCode: ++heartbeats === 1 ? 25 : 0 })
  const m = new ClassicGroupMembership(newCluster(), 'g2', { heartbeatIntervalMs: 10 })
  await m.start(['t'], async () => {})
  await until('a second join', () => joins.length === 2)
  assert.deepEqual(joins.map(j => j.body.memberId), ['', ''])
  await until('the new member id', () => m.commitIdentity().memberId === 'm-2')
  await m.leave()
})

test('KIP-848: joins with epoch 0 and its own member id, acknowledges the assignment, rejoins when fenced, leaves with epoch -1', async () => {
  const hbs: Received[] = []
  let memberId = ''
  fake.handlers[CG_HEARTBEAT] = r => {
    hbs.push(r)
    const n = hbs.length
    memberId = r.body.memberId
    if (r.body.memberEpoch === -1) return { errorCode: 0, memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null }
    if (n === 1) return { errorCode: 0, memberId, memberEpoch: 1, heartbeatIntervalMs: 20, assignment: { topicPartitions: [{ topicId: TOPIC_ID, partitions: [0, 1] }] } }
    if (n === 3) return { errorCode: 110, errorMessage: 'fenced', memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null }
    if (n === 4) return { errorCode: 0, memberId, memberEpoch: 3, heartbeatIntervalMs: 20, assignment: { topicPartitions: [{ topicId: TOPIC_ID, partitions: [1] }] } }
    return { errorCode: 0, memberId, memberEpoch: r.body.memberEpoch, heartbeatIntervalMs: 20, assignment: null }
  }
  const m = new ConsumerGroupMembership(newCluster(), 'g848', { rebalanceTimeoutMs: 1000 })
  const seen: string[][] = []
  await m.start(['t'], async a => { seen.push(fmt(a)) })
  assert.deepEqual(seen, [['t0', 't1']])
  const first = hbs[0]!.body
  assert.deepEqual([first.memberEpoch, first.subscribedTopicNames, first.topicPartitions, first.rebalanceTimeoutMs], [0, ['t'], [], 1000])
  assert.ok(first.memberId.length > 0, 'the member makes its own id (KIP-1082)')
  await until('the fenced member rejoined and got its new assignment', () => seen.length === 3)
  // The acknowledgement carries the owned partitions by topic id; unchanged fields are null.
  assert.deepEqual(hbs[1]!.body.topicPartitions, [{ topicId: TOPIC_ID, partitions: [0, 1] }])
  assert.equal(hbs[1]!.body.subscribedTopicNames, null)
  assert.deepEqual(seen, [['t0', 't1'], [], ['t1']])
  assert.deepEqual([hbs[3]!.body.memberEpoch, hbs[3]!.body.memberId, hbs[3]!.body.subscribedTopicNames], [0, first.memberId, ['t']])
  await until('epoch 3', () => m.commitIdentity().generationIdOrMemberEpoch === 3)
  await m.leave()
  assert.equal(hbs.at(-1)!.body.memberEpoch, -1)
})

test('KIP-848: a non-retriable error before the first assignment fails start()', async () => {
  fake.handlers[CG_HEARTBEAT] = () => ({ errorCode: 111, errorMessage: 'instance id in use', memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null })
  const m = new ConsumerGroupMembership(newCluster(), 'g-bad', { groupInstanceId: 'i-1' })
  await assert.rejects(m.start(['t'], async () => {}), (e: unknown) => e instanceof Error && e.name === 'UNRELEASED_INSTANCE_ID')
  await m.leave()
})

test('classic: leave() during a JoinGroup the coordinator holds sends LeaveGroup without waiting for the rebalance timeout', async () => {
  let joins = 0
  fake.handlers[JOIN] = () => {
    joins++
    // The second join is held, as a coordinator does while it waits for other members.
    if (joins > 1) return undefined
    return { errorCode: 0, generationId: 1, protocolType: 'consumer', protocolName: 'range', leader: 'x', memberId: 'held-1', members: [] }
  }
  fake.handlers[SYNC] = () => ({ errorCode: 0, assignment: Buffer.alloc(0) })
  fake.handlers[HEARTBEAT] = () => ({ errorCode: 27 })
  fake.handlers[LEAVE] = () => ({ errorCode: 0, members: [] })
  const m = new ClassicGroupMembership(newCluster(), 'g-held', { heartbeatIntervalMs: 10, rebalanceTimeoutMs: 60_000 })
  await m.start(['t'], async () => {})
  await until('the held join', () => joins === 2)
  const started = Date.now()
  await m.leave()
  assert.ok(Date.now() - started < 3000, `leave took ${Date.now() - started} ms`)
  assert.deepEqual(fake.requests(LEAVE).map(r => r.body.members[0].memberId), ['held-1'])
})
