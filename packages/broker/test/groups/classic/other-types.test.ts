// The classic handlers when the group id belongs to another group type (a
// KIP-848 consumer group), or the coordinator is loading: Kafka 4's answers.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, type RequestHeader } from '@tributary/protocol'
import type { GroupCoordinator } from '../../../src/groups/coordinator.js'
import type { GroupManager, GroupType } from '../../../src/groups/group-manager.js'
import type { GroupRecord } from '../../../src/groups/records/index.js'
import type { RequestContext } from '../../../src/handlers/define.js'
import describeGroups from '../../../src/handlers/describe-groups.js'
import heartbeat from '../../../src/handlers/heartbeat.js'
import joinGroup from '../../../src/handlers/join-group.js'
import leaveGroup from '../../../src/handlers/leave-group.js'
import syncGroup from '../../../src/handlers/sync-group.js'
import type { BrokerState } from '../../../src/state.js'
import { FakeShard, subscription } from './helpers.js'

/** A shard with the real classic manager and a stand-in consumer group manager holding `consumerGroups` (empty or not). */
function setup (consumerGroups: Map<string, { empty: boolean }>, lookupError?: number): { ctx: (version: number) => RequestContext, written: GroupRecord[] } {
  const classic = new FakeShard()
  const written: GroupRecord[] = []
  const consumer = {
    type: 'consumer' as GroupType,
    has: (id: string) => consumerGroups.has(id),
    isEmpty: (id: string) => consumerGroups.get(id)?.empty ?? true,
    deletionRecords: (id: string): GroupRecord[] => [{ kind: 'consumer', group: id, keyVersion: 3, key: Buffer.from(id), value: null }]
  } as unknown as GroupManager
  const shard = {
    manager: (t: GroupType) => t === 'classic' ? classic.manager : consumer,
    groupType: (id: string): GroupType | undefined => consumerGroups.has(id) ? 'consumer' : classic.manager.has(id) ? 'classic' : undefined,
    write: async (records: GroupRecord[]) => {
      written.push(...records)
      for (const r of records) if (r.kind === 'consumer' && r.value === null) consumerGroups.delete(r.group)
      await classic.write(records.filter(r => r.kind === 'group'))
    }
  }
  const groups = { shardFor: () => lookupError === undefined ? { shard } : { errorCode: lookupError } } as unknown as GroupCoordinator
  const ctx = (version: number): RequestContext => ({
    broker: { groups } as unknown as BrokerState,
    conn: { id: 'c', remoteAddress: '::ffff:127.0.0.1', remotePort: 1, localPort: 2, listenerName: 'PLAINTEXT', closed: false },
    header: { clientId: 'cli' } as RequestHeader,
    version
  })
  return { ctx, written }
}

const joinReq = (groupId: string) => ({ groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription(['t']) }], reason: null })

test('JoinGroup to a non-empty consumer group is INCONSISTENT_GROUP_PROTOCOL; an empty one becomes a classic group', async () => {
  const groups = new Map([['busy', { empty: false }], ['idle', { empty: true }]])
  const { ctx, written } = setup(groups)
  const busy = await joinGroup.handle(joinReq('busy'), ctx(5))
  assert.deepEqual([busy!.errorCode, busy!.memberId], [ErrorCode.INCONSISTENT_GROUP_PROTOCOL, ''])
  const idle = await joinGroup.handle(joinReq('idle'), ctx(5))
  assert.equal(idle!.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
  assert.deepEqual(written[0], { kind: 'consumer', group: 'idle', keyVersion: 3, key: Buffer.from('idle'), value: null })
  assert.equal(groups.has('idle'), false)
})

test('SyncGroup, Heartbeat and LeaveGroup to a consumer group answer UNKNOWN_MEMBER_ID; DescribeGroups says Dead', async () => {
  const { ctx } = setup(new Map([['cg', { empty: false }]]))
  const sync = await syncGroup.handle({ groupId: 'cg', generationId: 1, memberId: 'm', groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] }, ctx(3))
  assert.equal(sync!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  const hb = await heartbeat.handle({ groupId: 'cg', generationId: 1, memberId: 'm', groupInstanceId: null }, ctx(4))
  assert.equal(hb!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  const leave3 = await leaveGroup.handle({ groupId: 'cg', memberId: '', members: [{ memberId: 'm', groupInstanceId: null, reason: null }] }, ctx(3))
  assert.deepEqual([leave3!.errorCode, leave3!.members?.map(m => m.errorCode)], [ErrorCode.NONE, [ErrorCode.UNKNOWN_MEMBER_ID]])
  const leave0 = await leaveGroup.handle({ groupId: 'cg', memberId: 'm', members: [] }, ctx(0))
  assert.equal(leave0!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  const d = await describeGroups.handle({ groups: ['cg'], includeAuthorizedOperations: false }, ctx(5))
  assert.deepEqual([d!.groups![0]!.errorCode, d!.groups![0]!.groupState], [ErrorCode.NONE, 'Dead'])
})

test('while the coordinator loads, Heartbeat answers NONE (as Kafka) and the others COORDINATOR_LOAD_IN_PROGRESS; the client host is Kafka-formatted', async () => {
  const { ctx } = setup(new Map(), ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
  assert.equal((await heartbeat.handle({ groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null }, ctx(4)))!.errorCode, ErrorCode.NONE)
  assert.equal((await joinGroup.handle(joinReq('g'), ctx(5)))!.errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
  const d = await describeGroups.handle({ groups: ['g'], includeAuthorizedOperations: false }, ctx(5))
  assert.equal(d!.groups![0]!.errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)

  const ok = setup(new Map())
  const j = await joinGroup.handle(joinReq('g'), ok.ctx(3))
  assert.equal(j!.errorCode, ErrorCode.NONE)
  await new Promise(resolve => setTimeout(resolve, 10))
  const desc = await describeGroups.handle({ groups: ['g'], includeAuthorizedOperations: false }, ok.ctx(5))
  assert.deepEqual(desc!.groups![0]!.members!.map(m => [m.clientId, m.clientHost]), [['cli', '/127.0.0.1']])
})
