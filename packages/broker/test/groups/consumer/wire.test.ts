// ConsumerGroupHeartbeat v0-1 and ConsumerGroupDescribe v0 over the wire,
// with the group APIs around them (ListGroups, OffsetCommit, OffsetFetch,
// DeleteGroups), the protocol switched off, and a broker restart.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ErrorCode } from '@tributary/protocol'
import { ApiVersionsApi, ConsumerGroupDescribeApi, ConsumerGroupHeartbeatApi, DeleteGroupsApi, JoinGroupApi, LeaveGroupApi, ListGroupsApi, OffsetCommitApi, OffsetFetchApi } from '@tributary/protocol/apis'
import { startBroker } from '../../../src/index.js'
import { createTopics, findGroupCoordinator, withBroker } from '../../admin/helpers.js'
import { RawClient } from '../../raw-client.js'

const OPTS = { 'offsets.topic.num.partitions': 2 }

function join0 (groupId: string, memberId: string, topics: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { groupId, memberId, memberEpoch: 0, rebalanceTimeoutMs: 60000, subscribedTopicNames: topics, topicPartitions: [], ...extra }
}

const coordinator = findGroupCoordinator

describe('ConsumerGroupHeartbeat and ConsumerGroupDescribe over the wire', () => {
  test('advertised versions', async () => {
    await withBroker(OPTS, async c => {
      const r = await c.request(ApiVersionsApi, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' })
      const by = new Map(r.apiKeys.map(k => [k.apiKey, [k.minVersion, k.maxVersion]]))
      assert.deepEqual(by.get(68), [0, 1])
      assert.deepEqual(by.get(69), [0, 0])
    })
  })

  test('v0 and v1 members join, split the partitions, commit with their epochs and show in describe and ListGroups', async () => {
    await withBroker(OPTS, async (c, broker) => {
      const [tid] = await createTopics(c, [{ name: 't', partitions: 4 }])
      await coordinator(c, 'g')
      // v0: the coordinator names the member.
      const a = await c.request(ConsumerGroupHeartbeatApi, 0, join0('g', '', ['t']))
      assert.equal(a.errorCode, ErrorCode.NONE)
      assert.match(a.memberId!, /^[A-Za-z0-9_-]{22}$/)
      assert.deepEqual([a.memberEpoch, a.heartbeatIntervalMs], [1, 5000])
      assert.deepEqual(a.assignment!.topicPartitions, [{ topicId: tid, partitions: [0, 1, 2, 3] }])
      // v1: the member names itself.
      const b = await c.request(ConsumerGroupHeartbeatApi, 1, join0('g', 'member-b', ['t'], { subscribedTopicRegex: null, rackId: 'rack-1' }))
      assert.deepEqual([b.errorCode, b.memberId, b.memberEpoch], [ErrorCode.NONE, 'member-b', 2])
      assert.deepEqual(b.assignment!.topicPartitions, [])
      const a2 = await c.request(ConsumerGroupHeartbeatApi, 0, { groupId: 'g', memberId: a.memberId!, memberEpoch: 1, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: [{ topicId: tid!, partitions: [0, 1, 2, 3] }] })
      assert.deepEqual(a2.assignment!.topicPartitions, [{ topicId: tid, partitions: [0, 1] }])
      const a3 = await c.request(ConsumerGroupHeartbeatApi, 0, { groupId: 'g', memberId: a.memberId!, memberEpoch: 1, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: [{ topicId: tid!, partitions: [0, 1] }] })
      assert.deepEqual([a3.memberEpoch, a3.assignment], [2, null])
      const b2 = await c.request(ConsumerGroupHeartbeatApi, 1, { groupId: 'g', memberId: 'member-b', memberEpoch: 2, rebalanceTimeoutMs: -1, subscribedTopicNames: null, subscribedTopicRegex: null, topicPartitions: null })
      assert.deepEqual(b2.assignment!.topicPartitions, [{ topicId: tid, partitions: [2, 3] }])

      const d = await c.request(ConsumerGroupDescribeApi, 0, { groupIds: ['g', 'missing', ''], includeAuthorizedOperations: true })
      const [g, missing, empty] = d.groups
      assert.deepEqual([g!.errorCode, g!.groupState, g!.groupEpoch, g!.assignmentEpoch, g!.assignorName], [0, 'Stable', 2, 2, 'uniform'])
      assert.ok(g!.authorizedOperations > 0)
      const mb = g!.members.find(m => m.memberId === 'member-b')!
      assert.deepEqual([mb.memberEpoch, mb.rackId, mb.clientHost, mb.subscribedTopicNames], [2, 'rack-1', '/127.0.0.1', ['t']])
      assert.deepEqual(mb.assignment.topicPartitions, [{ topicId: tid, topicName: 't', partitions: [2, 3] }])
      assert.deepEqual(mb.targetAssignment.topicPartitions, [{ topicId: tid, topicName: 't', partitions: [2, 3] }])
      assert.deepEqual([missing!.errorCode, missing!.errorMessage], [ErrorCode.GROUP_ID_NOT_FOUND, 'Group missing not found.'])
      assert.equal(empty!.errorCode, ErrorCode.INVALID_GROUP_ID)

      const list = await c.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: ['consumer'] })
      assert.deepEqual(list.groups.map(x => [x.groupId, x.protocolType, x.groupState, x.groupType]), [['g', 'consumer', 'Stable', 'consumer']])

      // OffsetCommit v9 checks the member epoch; v8 is refused for a consumer group member.
      const commit = async (v: number, memberId: string, epoch: number): Promise<number> => {
        const r = await c.request(OffsetCommitApi, v, { groupId: 'g', generationIdOrMemberEpoch: epoch, memberId, groupInstanceId: null, topics: [{ name: 't', partitions: [{ partitionIndex: 2, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null }] }] })
        return r.topics[0]!.partitions[0]!.errorCode
      }
      assert.equal(await commit(9, 'member-b', 2), ErrorCode.NONE)
      assert.equal(await commit(9, 'member-b', 1), ErrorCode.STALE_MEMBER_EPOCH)
      assert.equal(await commit(9, 'nobody', 2), ErrorCode.UNKNOWN_MEMBER_ID)
      assert.equal(await commit(8, 'member-b', 2), ErrorCode.UNSUPPORTED_VERSION)
      const f = await c.request(OffsetFetchApi, 9, { groups: [{ groupId: 'g', memberId: 'member-b', memberEpoch: 2, topics: [{ name: 't', partitionIndexes: [2] }] }], requireStable: false })
      assert.deepEqual([f.groups[0]!.errorCode, f.groups[0]!.topics[0]!.partitions[0]!.committedOffset], [ErrorCode.NONE, 5n])
      const stale = await c.request(OffsetFetchApi, 9, { groups: [{ groupId: 'g', memberId: 'member-b', memberEpoch: 7, topics: [{ name: 't', partitionIndexes: [2] }] }], requireStable: false })
      assert.equal(stale.groups[0]!.errorCode, ErrorCode.STALE_MEMBER_EPOCH)

      // DeleteGroups: not while members are in it.
      assert.equal((await c.request(DeleteGroupsApi, 2, { groupsNames: ['g'] })).results[0]!.errorCode, ErrorCode.NON_EMPTY_GROUP)
      for (const [v, id, epoch] of [[0, a.memberId!, 2], [1, 'member-b', 2]] as const) {
        const left = await c.request(ConsumerGroupHeartbeatApi, v, { groupId: 'g', memberId: id, memberEpoch: -1, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: null })
        assert.deepEqual([left.errorCode, left.memberEpoch], [ErrorCode.NONE, -1], `leave ${epoch}`)
      }
      assert.equal((await c.request(ListGroupsApi, 5, { statesFilter: ['empty'], typesFilter: [] })).groups.length, 1)
      assert.equal((await c.request(DeleteGroupsApi, 2, { groupsNames: ['g'] })).results[0]!.errorCode, ErrorCode.NONE)
      assert.equal((await c.request(ConsumerGroupDescribeApi, 0, { groupIds: ['g'], includeAuthorizedOperations: false })).groups[0]!.errorCode, ErrorCode.GROUP_ID_NOT_FOUND)
      void broker
    })
  })

  test('request errors: invalid requests, unknown members, bad regexes, unknown assignors', async () => {
    await withBroker(OPTS, async c => {
      await createTopics(c, [{ name: 't', partitions: 1 }])
      await coordinator(c, 'g')
      const hb = async (v: number, req: Record<string, unknown>): Promise<[number, string | null]> => {
        const r = await c.request(ConsumerGroupHeartbeatApi, v, { groupId: 'g', memberId: 'm', memberEpoch: 0, rebalanceTimeoutMs: 60000, subscribedTopicNames: ['t'], topicPartitions: [], ...req })
        return [r.errorCode, r.errorMessage]
      }
      assert.deepEqual(await hb(1, { memberId: '' }), [ErrorCode.INVALID_REQUEST, 'MemberId can\'t be empty.'])
      assert.deepEqual(await hb(1, { groupId: '' }), [ErrorCode.INVALID_REQUEST, 'GroupId can\'t be empty.'])
      assert.equal((await hb(1, { subscribedTopicNames: null, subscribedTopicRegex: '[a-' }))[0], ErrorCode.INVALID_REGULAR_EXPRESSION)
      assert.equal((await hb(1, { serverAssignor: 'cooperative-sticky' }))[0], ErrorCode.UNSUPPORTED_ASSIGNOR)
      assert.deepEqual(await hb(1, { memberEpoch: 3 }), [ErrorCode.GROUP_ID_NOT_FOUND, 'Consumer group g not found.'])
      assert.deepEqual(await hb(1, {}), [ErrorCode.NONE, null])
      assert.equal((await hb(1, { memberId: 'other', memberEpoch: 3, topicPartitions: null }))[0], ErrorCode.UNKNOWN_MEMBER_ID)
      assert.equal((await hb(1, { memberEpoch: 9, topicPartitions: null }))[0], ErrorCode.FENCED_MEMBER_EPOCH)
    })
  })

  test('a classic group with members is not a consumer group; once empty, a consumer member replaces it', async () => {
    await withBroker({ ...OPTS, 'group.initial.rebalance.delay.ms': 0 }, async c => {
      await createTopics(c, [{ name: 't', partitions: 2 }])
      await coordinator(c, 'g')
      const joined = await c.request(JoinGroupApi, 3, { groupId: 'g', sessionTimeoutMs: 30000, rebalanceTimeoutMs: 30000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] })
      assert.equal(joined.errorCode, ErrorCode.NONE)
      const hb = await c.request(ConsumerGroupHeartbeatApi, 1, join0('g', 'm', ['t']))
      assert.deepEqual([hb.errorCode, hb.errorMessage], [ErrorCode.GROUP_ID_NOT_FOUND, 'Group g is not a consumer group.'])
      const d = await c.request(ConsumerGroupDescribeApi, 0, { groupIds: ['g'], includeAuthorizedOperations: false })
      assert.deepEqual([d.groups[0]!.errorCode, d.groups[0]!.errorMessage], [ErrorCode.GROUP_ID_NOT_FOUND, 'Group g is not a consumer group.'])
      assert.equal((await c.request(LeaveGroupApi, 0, { groupId: 'g', memberId: joined.memberId })).errorCode, ErrorCode.NONE)
      const again = await c.request(ConsumerGroupHeartbeatApi, 1, join0('g', 'm', ['t']))
      assert.deepEqual([again.errorCode, again.memberEpoch], [ErrorCode.NONE, 1])
      const list = await c.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: [] })
      assert.deepEqual(list.groups.map(x => [x.groupId, x.groupType]), [['g', 'consumer']])
      // And back: a JoinGroup is refused while the consumer group has members, and replaces it once empty.
      const join = async () => await c.request(JoinGroupApi, 3, { groupId: 'g', sessionTimeoutMs: 30000, rebalanceTimeoutMs: 30000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] })
      assert.equal((await join()).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
      await c.request(ConsumerGroupHeartbeatApi, 1, { groupId: 'g', memberId: 'm', memberEpoch: -1, rebalanceTimeoutMs: -1, subscribedTopicNames: null, subscribedTopicRegex: null, topicPartitions: null })
      assert.equal((await join()).errorCode, ErrorCode.NONE)
      const after = await c.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: [] })
      assert.deepEqual(after.groups.map(x => [x.groupId, x.groupType]), [['g', 'classic']])
    })
  })

  test('with the consumer protocol off (group.coordinator.rebalance.protocols=classic) the answer is UNSUPPORTED_VERSION', async () => {
    await withBroker({ ...OPTS, 'group.coordinator.rebalance.protocols': 'classic' }, async c => {
      await coordinator(c, 'g')
      const r = await c.request(ConsumerGroupHeartbeatApi, 1, join0('g', 'm', ['t']))
      assert.equal(r.errorCode, ErrorCode.UNSUPPORTED_VERSION)
      const d = await c.request(ConsumerGroupDescribeApi, 0, { groupIds: ['g'], includeAuthorizedOperations: false })
      assert.equal(d.groups[0]!.errorCode, ErrorCode.UNSUPPORTED_VERSION)
    })
  })

  test('the group survives a broker restart: members keep their epochs and assignments', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tributary-consumer-groups-'))
    try {
      let tid = ''
      let before: unknown
      {
        const broker = await startBroker({ port: 0, dataDir, ...OPTS })
        const c = await RawClient.connect(broker.port)
        ;[tid] = await createTopics(c, [{ name: 't', partitions: 3 }]) as [string]
        await coordinator(c, 'g')
        const a = await c.request(ConsumerGroupHeartbeatApi, 1, join0('g', 'a', ['t'], { instanceId: 'ia' }))
        assert.equal(a.errorCode, ErrorCode.NONE)
        before = (await c.request(ConsumerGroupDescribeApi, 0, { groupIds: ['g'], includeAuthorizedOperations: false })).groups
        c.close()
        await broker.close()
      }
      const broker = await startBroker({ port: 0, dataDir, ...OPTS })
      const c = await RawClient.connect(broker.port)
      try {
        let after: any
        for (let i = 0; i < 50; i++) {
          after = (await c.request(ConsumerGroupDescribeApi, 0, { groupIds: ['g'], includeAuthorizedOperations: false })).groups
          if (after[0].errorCode !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS && after[0].errorCode !== ErrorCode.NOT_COORDINATOR) break
          await new Promise(resolve => setTimeout(resolve, 50))
        }
        assert.deepEqual(after, before)
        const hb = await c.request(ConsumerGroupHeartbeatApi, 1, { groupId: 'g', memberId: 'a', memberEpoch: 1, instanceId: 'ia', rebalanceTimeoutMs: -1, subscribedTopicNames: null, subscribedTopicRegex: null, topicPartitions: [{ topicId: tid, partitions: [0, 1, 2] }] })
        assert.deepEqual([hb.errorCode, hb.memberEpoch], [ErrorCode.NONE, 1])
      } finally {
        c.close()
        await broker.close()
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
