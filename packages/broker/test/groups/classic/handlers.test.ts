// The classic group APIs over the wire: version mappings, group id checks,
// DescribeGroups, and a group surviving a broker restart.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { ErrorCode } from '@tributary/protocol'
import { DescribeGroupsApi } from '@tributary/protocol/apis/describe-groups'
import { HeartbeatApi } from '@tributary/protocol/apis/heartbeat'
import { JoinGroupApi } from '@tributary/protocol/apis/join-group'
import { LeaveGroupApi } from '@tributary/protocol/apis/leave-group'
import { SyncGroupApi } from '@tributary/protocol/apis/sync-group'
import { GROUP_OPERATIONS, UNSET_OPERATIONS } from '../../../src/auth/acl-operations.js'
import { startBroker, type Broker } from '../../../src/index.js'
import { findGroupCoordinator } from '../../admin/helpers.js'
import { RawClient } from '../../raw-client.js'
import { subscription } from './helpers.js'

const OPTS = { port: 0, 'group.initial.rebalance.delay.ms': 0, 'offsets.topic.num.partitions': 2, logLevel: 'warn' as const }

async function withGroups (fn: (c: RawClient, broker: Broker) => Promise<void>, dataDir?: string): Promise<void> {
  const broker = await startBroker({ ...OPTS, ...(dataDir === undefined ? {} : { dataDir }) })
  const c = await RawClient.connect(broker.port)
  try {
    await fn(c, broker)
  } finally {
    c.close()
    await broker.close()
  }
}

const coordinator = findGroupCoordinator

const protocols = [{ name: 'range', metadata: subscription(['t']) }]
const join = (groupId: string, memberId = '', groupInstanceId: string | null = null) => ({ groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 5000, memberId, groupInstanceId, protocolType: 'consumer', protocols, reason: null })

test('JoinGroup v0 joins at once; v4+ asks for the member id; v7 carries the protocol type; v9 has skipAssignment', () =>
  withGroups(async c => {
    await coordinator(c, 'g0')
    const v0 = await c.request(JoinGroupApi, 0, join('g0'))
    assert.deepEqual([v0.errorCode, v0.generationId, v0.protocolName, v0.leader === v0.memberId, v0.members.length], [ErrorCode.NONE, 1, 'range', true, 1])
    assert.match(v0.memberId, /^raw-client-/)

    await coordinator(c, 'g7')
    const first = await c.request(JoinGroupApi, 7, join('g7'))
    assert.deepEqual([first.errorCode, first.protocolName, first.protocolType], [ErrorCode.MEMBER_ID_REQUIRED, null, null])
    const v7 = await c.request(JoinGroupApi, 7, join('g7', first.memberId))
    assert.deepEqual([v7.errorCode, v7.protocolType, v7.protocolName, v7.generationId], [ErrorCode.NONE, 'consumer', 'range', 1])
    const v3err = await c.request(JoinGroupApi, 3, join('g7', 'ghost'))
    assert.deepEqual([v3err.errorCode, v3err.protocolName], [ErrorCode.UNKNOWN_MEMBER_ID, ''])

    // SyncGroup v5 checks and returns the protocol; v3 has neither.
    const s5 = await c.request(SyncGroupApi, 5, { groupId: 'g7', generationId: 1, memberId: first.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: first.memberId, assignment: Buffer.from('x') }] })
    assert.deepEqual([s5.errorCode, s5.protocolType, s5.protocolName, s5.assignment.toString()], [ErrorCode.NONE, 'consumer', 'range', 'x'])
    const s3 = await c.request(SyncGroupApi, 3, { groupId: 'g7', generationId: 1, memberId: first.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] })
    assert.deepEqual([s3.errorCode, s3.assignment.toString()], [ErrorCode.NONE, 'x'])
    const bad = await c.request(SyncGroupApi, 5, { groupId: 'g7', generationId: 1, memberId: first.memberId, groupInstanceId: null, protocolType: 'connect', protocolName: 'range', assignments: [] })
    assert.equal(bad.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)

    // Static member, v9: the leader rejoining with a new id is told to skip the assignment.
    await coordinator(c, 'g9')
    const s = await c.request(JoinGroupApi, 9, join('g9', '', 'inst'))
    assert.equal(s.errorCode, ErrorCode.NONE)
    await c.request(SyncGroupApi, 5, { groupId: 'g9', generationId: 1, memberId: s.memberId, groupInstanceId: 'inst', protocolType: 'consumer', protocolName: 'range', assignments: [] })
    const again = await c.request(JoinGroupApi, 9, join('g9', '', 'inst'))
    assert.deepEqual([again.errorCode, again.skipAssignment, again.leader === again.memberId, again.generationId], [ErrorCode.NONE, true, true, 1])
    assert.deepEqual(again.members.map(m => m.groupInstanceId), ['inst'])
  }))

test('empty group ids are INVALID_GROUP_ID; session timeouts outside the bounds INVALID_SESSION_TIMEOUT', () =>
  withGroups(async c => {
    assert.equal((await c.request(JoinGroupApi, 5, join(''))).errorCode, ErrorCode.INVALID_GROUP_ID)
    assert.equal((await c.request(SyncGroupApi, 3, { groupId: '', generationId: 1, memberId: 'm', groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] })).errorCode, ErrorCode.INVALID_GROUP_ID)
    assert.equal((await c.request(HeartbeatApi, 3, { groupId: '', generationId: 1, memberId: 'm', groupInstanceId: null })).errorCode, ErrorCode.INVALID_GROUP_ID)
    assert.equal((await c.request(LeaveGroupApi, 0, { groupId: '', memberId: 'm', members: [] })).errorCode, ErrorCode.INVALID_GROUP_ID)
    await coordinator(c, 'g')
    assert.equal((await c.request(JoinGroupApi, 5, { ...join('g'), sessionTimeoutMs: 10 })).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT)
  }))

test('LeaveGroup v0 carries the member error at the top; v3 per member; DescribeGroups v0, v3 and v5', () =>
  withGroups(async c => {
    await coordinator(c, 'd')
    await coordinator(c, 'unknown') // may live in another partition, loaded on its own
    const a = await c.request(JoinGroupApi, 5, join('d', '', 'ia'))
    await c.request(SyncGroupApi, 3, { groupId: 'd', generationId: 1, memberId: a.memberId, groupInstanceId: 'ia', protocolType: null, protocolName: null, assignments: [{ memberId: a.memberId, assignment: Buffer.from('A') }] })
    const d5 = await c.request(DescribeGroupsApi, 5, { groups: ['d', 'unknown'], includeAuthorizedOperations: true })
    const [g, u] = d5.groups
    assert.deepEqual([g!.errorCode, g!.groupState, g!.protocolType, g!.protocolData, g!.authorizedOperations], [ErrorCode.NONE, 'Stable', 'consumer', 'range', GROUP_OPERATIONS])
    assert.deepEqual(g!.members.map(m => [m.memberId, m.groupInstanceId, m.clientId, m.clientHost, m.memberMetadata, m.memberAssignment.toString()]), [[a.memberId, 'ia', 'raw-client', '/127.0.0.1', subscription(['t']), 'A']])
    assert.deepEqual([u!.errorCode, u!.groupState, u!.members], [ErrorCode.NONE, 'Dead', []])
    const d3 = await c.request(DescribeGroupsApi, 3, { groups: ['d'], includeAuthorizedOperations: false })
    assert.equal(d3.groups[0]!.authorizedOperations, UNSET_OPERATIONS)
    const d0 = await c.request(DescribeGroupsApi, 0, { groups: ['d'], includeAuthorizedOperations: false })
    assert.deepEqual([d0.groups[0]!.groupState, d0.groups[0]!.members[0]!.groupInstanceId], ['Stable', null])

    const l0 = await c.request(LeaveGroupApi, 0, { groupId: 'd', memberId: 'ghost', members: [] })
    assert.equal(l0.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
    const l3 = await c.request(LeaveGroupApi, 3, { groupId: 'd', memberId: '', members: [{ memberId: '', groupInstanceId: 'ia', reason: null }, { memberId: 'x', groupInstanceId: null, reason: null }] })
    assert.deepEqual([l3.errorCode, l3.members.map(m => [m.memberId, m.groupInstanceId, m.errorCode])], [ErrorCode.NONE, [['', 'ia', ErrorCode.NONE], ['x', null, ErrorCode.UNKNOWN_MEMBER_ID]]])
    const after = await c.request(DescribeGroupsApi, 5, { groups: ['d'], includeAuthorizedOperations: false })
    assert.deepEqual([after.groups[0]!.groupState, after.groups[0]!.members], ['Empty', []])
    assert.equal((await c.request(HeartbeatApi, 4, { groupId: 'd', generationId: 2, memberId: a.memberId, groupInstanceId: null })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  }))

test('a Stable group survives a broker restart with its members and assignments', async () => {
  const dataDir = await mkdtemp(joinPath(tmpdir(), 'tributary-classic-'))
  try {
    let memberId = ''
    await withGroups(async c => {
      await coordinator(c, 'r')
      const j = await c.request(JoinGroupApi, 5, join('r', '', 'inst'))
      memberId = j.memberId
      const s = await c.request(SyncGroupApi, 3, { groupId: 'r', generationId: 1, memberId, groupInstanceId: 'inst', protocolType: null, protocolName: null, assignments: [{ memberId, assignment: Buffer.from('kept') }] })
      assert.equal(s.errorCode, ErrorCode.NONE)
    }, dataDir)
    await withGroups(async c => {
      await coordinator(c, 'r')
      const d = await c.request(DescribeGroupsApi, 5, { groups: ['r'], includeAuthorizedOperations: false })
      assert.deepEqual([d.groups[0]!.groupState, d.groups[0]!.members.map(m => [m.memberId, m.groupInstanceId, m.memberAssignment.toString()])], ['Stable', [[memberId, 'inst', 'kept']]])
      assert.equal((await c.request(HeartbeatApi, 4, { groupId: 'r', generationId: 1, memberId, groupInstanceId: 'inst' })).errorCode, ErrorCode.NONE)
      const s = await c.request(SyncGroupApi, 3, { groupId: 'r', generationId: 1, memberId, groupInstanceId: 'inst', protocolType: null, protocolName: null, assignments: [] })
      assert.equal(s.assignment.toString(), 'kept')
    }, dataDir)
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
})

test('a JoinGroup parked in a rebalance is answered when the broker closes', async () => {
  const broker = await startBroker({ ...OPTS })
  const c = await RawClient.connect(broker.port)
  const c2 = await RawClient.connect(broker.port)
  try {
    await coordinator(c, 'p')
    const a = await c.request(JoinGroupApi, 3, join('p'))
    assert.equal(a.errorCode, ErrorCode.NONE)
    // A second member starts a rebalance the first never rejoins: the JoinGroup waits (rebalance timeout 5 s).
    const pending = c2.request(JoinGroupApi, 3, join('p'))
    await new Promise(resolve => setTimeout(resolve, 200))
    const started = Date.now()
    await broker.close()
    assert.ok(Date.now() - started < 2000, 'close does not wait for the rebalance')
    const r = await pending
    assert.equal(r.errorCode, ErrorCode.NOT_COORDINATOR)
  } finally {
    c.close()
    c2.close()
  }
})
