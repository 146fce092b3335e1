// OffsetCommit, OffsetFetch, OffsetDelete, ListGroups and DeleteGroups in
// every version, through the raw protocol client: field by field, and the
// error codes Kafka gives for each bad request.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@tributary/protocol'
import { DeleteGroupsApi, FindCoordinatorApi, ListGroupsApi, OffsetCommitApi, OffsetDeleteApi, OffsetFetchApi } from '@tributary/protocol/apis'
import { createTopics, findGroupCoordinator, withBroker } from '../admin/helpers.js'
import type { RawClient } from '../raw-client.js'

const OPTS = { 'offsets.topic.num.partitions': 4 }

const findCoordinator = findGroupCoordinator

async function commit (c: RawClient, version: number, group: string, partitions: Array<[number, bigint, string | null]>, extra: { generation?: number, memberId?: string, retentionTimeMs?: bigint, topic?: string } = {}) {
  const r = await c.request(OffsetCommitApi, version, {
    groupId: group,
    generationIdOrMemberEpoch: extra.generation ?? -1,
    memberId: extra.memberId ?? '',
    groupInstanceId: null,
    retentionTimeMs: extra.retentionTimeMs ?? -1n,
    topics: [{ name: extra.topic ?? 't', partitions: partitions.map(([partitionIndex, committedOffset, committedMetadata]) => ({ partitionIndex, committedOffset, committedMetadata, committedLeaderEpoch: 7, commitTimestamp: -1n })) }]
  })
  return r.topics.flatMap(t => t.partitions.map(p => [p.partitionIndex, p.errorCode]))
}

async function fetchOne (c: RawClient, version: number, group: string, topics: Array<{ name: string, partitionIndexes: number[] }> | null) {
  const r = await c.request(OffsetFetchApi, version, { groupId: group, topics, groups: [], requireStable: false })
  return { errorCode: r.errorCode, partitions: r.topics.flatMap(t => t.partitions.map(p => [t.name, p.partitionIndex, p.committedOffset, p.metadata, p.committedLeaderEpoch, p.errorCode])) }
}

describe('committed offsets over the wire', () => {
  test('OffsetCommit v0-9 each read back by OffsetFetch of the same version', async () => {
    await withBroker(OPTS, async c => {
      await createTopics(c, [{ name: 't', partitions: 2 }])
      for (let v = 0; v <= 9; v++) {
        const group = `g-v${v}`
        await findCoordinator(c, group)
        assert.deepEqual(await commit(c, v, group, [[0, BigInt(10 + v), `meta-${v}`], [1, 3n, null]]), [[0, 0], [1, 0]], `commit v${v}`)
        if (v >= 8) continue
        const got = await fetchOne(c, v, group, [{ name: 't', partitionIndexes: [0, 1] }])
        assert.equal(got.errorCode, ErrorCode.NONE)
        // The leader epoch travels from OffsetCommit v6 and OffsetFetch v5.
        const epoch = v >= 6 ? 7 : -1
        assert.deepEqual(got.partitions, [['t', 0, BigInt(10 + v), `meta-${v}`, epoch, 0], ['t', 1, 3n, '', epoch, 0]], `fetch v${v}`)
      }
      // v8+: several groups in one request, one of them for every partition (null topics).
      const r = await c.request(OffsetFetchApi, 8, {
        groups: [{ groupId: 'g-v8', topics: null, memberId: null, memberEpoch: -1 }, { groupId: 'g-v9', topics: [{ name: 't', partitionIndexes: [0, 5] }], memberId: null, memberEpoch: -1 }],
        requireStable: false
      })
      assert.deepEqual(r.groups.map(g => [g.groupId, g.errorCode, g.topics.flatMap(t => t.partitions.map(p => [t.name, p.partitionIndex, p.committedOffset, p.metadata]))]), [
        ['g-v8', 0, [['t', 0, 18n, 'meta-8'], ['t', 1, 3n, '']]],
        ['g-v9', 0, [['t', 0, 19n, 'meta-9'], ['t', 5, -1n, '']]]
      ])
    })
  })

  test('commit errors: empty group id, unknown topic or partition, metadata too large, member of a group that does not exist', async () => {
    await withBroker({ ...OPTS, 'offset.metadata.max.bytes': 10 }, async c => {
      await createTopics(c, [{ name: 't', partitions: 1 }])
      await findCoordinator(c, 'g')
      assert.deepEqual(await commit(c, 8, '', [[0, 1n, null]]), [[0, ErrorCode.INVALID_GROUP_ID]])
      assert.deepEqual(await commit(c, 8, 'g', [[0, 1n, 'x'.repeat(11)], [3, 1n, null]]), [[0, ErrorCode.OFFSET_METADATA_TOO_LARGE], [3, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
      assert.deepEqual(await commit(c, 8, 'g', [[0, 1n, null]], { topic: 'nope' }), [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
      // A commit that claims membership of a group that does not exist (KIP-848 added GROUP_ID_NOT_FOUND in v9).
      assert.deepEqual(await commit(c, 8, 'g', [[0, 1n, null]], { generation: 3, memberId: 'm-1' }), [[0, ErrorCode.ILLEGAL_GENERATION]])
      assert.deepEqual(await commit(c, 9, 'g', [[0, 1n, null]], { generation: 3, memberId: 'm-1' }), [[0, ErrorCode.GROUP_ID_NOT_FOUND]])
      // Nothing was stored by the failed commits.
      assert.deepEqual((await fetchOne(c, 7, 'g', null)).partitions, [])
    })
  })

  test('group-level OffsetFetch errors: top-level from v2, per partition before; v9 member checks', async () => {
    await withBroker(OPTS, async c => {
      await createTopics(c, [{ name: 't', partitions: 1 }])
      const v1 = await fetchOne(c, 1, '', [{ name: 't', partitionIndexes: [0] }])
      assert.deepEqual(v1.partitions, [['t', 0, -1n, '', -1, ErrorCode.INVALID_GROUP_ID]])
      const v2 = await fetchOne(c, 2, '', [{ name: 't', partitionIndexes: [0] }])
      assert.equal(v2.errorCode, ErrorCode.INVALID_GROUP_ID)
      assert.deepEqual(v2.partitions, [])
      await findCoordinator(c, 'g')
      // A KIP-848 member fetching for a group that does not exist.
      const r = await c.request(OffsetFetchApi, 9, { groups: [{ groupId: 'g', topics: null, memberId: 'm', memberEpoch: 3 }], requireStable: false })
      assert.equal(r.groups[0]!.errorCode, ErrorCode.GROUP_ID_NOT_FOUND)
    })
  })

  test('explicit retention (OffsetCommit v2-4 retention_time_ms) expires offsets at the next retention check', async () => {
    await withBroker({ ...OPTS, 'offsets.retention.check.interval.ms': 50 }, async c => {
      await createTopics(c, [{ name: 't', partitions: 2 }])
      await findCoordinator(c, 'g')
      assert.deepEqual(await commit(c, 2, 'g', [[0, 5n, null]], { retentionTimeMs: 100n }), [[0, 0]])
      assert.deepEqual(await commit(c, 2, 'g', [[1, 6n, null]]), [[1, 0]])
      let remaining: unknown[] = []
      for (let i = 0; i < 100; i++) {
        remaining = (await fetchOne(c, 7, 'g', null)).partitions
        if (remaining.length === 1) break
        await new Promise(resolve => setTimeout(resolve, 50))
      }
      assert.deepEqual(remaining, [['t', 1, 6n, '', -1, 0]])
    })
  })

  test('OffsetDelete, ListGroups v0-5 with filters and DeleteGroups v0-2', async () => {
    await withBroker(OPTS, async c => {
      await createTopics(c, [{ name: 't', partitions: 2 }])
      for (const g of ['a', 'b', 'c', 'd']) {
        await findCoordinator(c, g)
        assert.deepEqual(await commit(c, 8, g, [[0, 1n, null], [1, 2n, null]]), [[0, 0], [1, 0]])
      }
      const del = await c.request(OffsetDeleteApi, 0, { groupId: 'a', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] })
      assert.equal(del.errorCode, ErrorCode.NONE)
      assert.deepEqual(del.topics.flatMap(t => t.partitions.map(p => [p.partitionIndex, p.errorCode])), [[0, 0]])
      assert.deepEqual((await fetchOne(c, 7, 'a', null)).partitions.map(p => p[1]), [1])
      assert.equal((await c.request(OffsetDeleteApi, 0, { groupId: 'zz', topics: [] })).errorCode, ErrorCode.GROUP_ID_NOT_FOUND)

      for (let v = 0; v <= 5; v++) {
        const r = await c.request(ListGroupsApi, v, { statesFilter: [], typesFilter: [] })
        assert.equal(r.errorCode, ErrorCode.NONE)
        assert.deepEqual(r.groups.map(g => g.groupId).sort(), ['a', 'b', 'c', 'd'], `v${v}`)
        // Groups that exist only through offsets are Empty classic groups with no protocol type.
        if (v >= 4) assert.deepEqual([...new Set(r.groups.map(g => g.groupState))], ['Empty'])
        if (v >= 5) assert.deepEqual([...new Set(r.groups.map(g => g.groupType))], ['classic'])
        assert.deepEqual([...new Set(r.groups.map(g => g.protocolType))], [''])
      }
      assert.equal((await c.request(ListGroupsApi, 4, { statesFilter: ['stable'], typesFilter: [] })).groups.length, 0)
      assert.equal((await c.request(ListGroupsApi, 4, { statesFilter: ['EMPTY'], typesFilter: [] })).groups.length, 4)
      assert.equal((await c.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: ['consumer'] })).groups.length, 0)
      assert.equal((await c.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: ['Classic'] })).groups.length, 4)

      for (const [v, group] of [[0, 'a'], [1, 'b'], [2, 'c']] as const) {
        const r = await c.request(DeleteGroupsApi, v, { groupsNames: [group, 'never', ''] })
        assert.deepEqual(r.results.map(x => [x.groupId, x.errorCode]), [[group, 0], ['never', ErrorCode.GROUP_ID_NOT_FOUND], ['', ErrorCode.INVALID_GROUP_ID]])
        assert.deepEqual((await fetchOne(c, 7, group, null)).partitions, [])
      }
      const left = await c.request(ListGroupsApi, 3, { statesFilter: [], typesFilter: [] })
      assert.deepEqual(left.groups.map(g => g.groupId), ['d'])
    })
  })

  test('FindCoordinator v0-6 names this broker and creates __consumer_offsets; unknown key types are INVALID_REQUEST', async () => {
    await withBroker(OPTS, async (c, broker) => {
      for (let v = 0; v <= 3; v++) {
        const r = await c.request(FindCoordinatorApi, v, { key: `g${v}`, keyType: 0 })
        assert.deepEqual([r.errorCode, r.nodeId, r.host, r.port], [0, broker.nodeId, broker.host, broker.port], `v${v}`)
      }
      for (let v = 4; v <= 6; v++) {
        const r = await c.request(FindCoordinatorApi, v, { keyType: 0, coordinatorKeys: ['x', 'y'] })
        assert.deepEqual(r.coordinators.map(k => [k.key, k.errorCode, k.nodeId, k.port]), [['x', 0, broker.nodeId, broker.port], ['y', 0, broker.nodeId, broker.port]])
      }
      const bad = await c.request(FindCoordinatorApi, 4, { keyType: 9, coordinatorKeys: ['x'] })
      assert.equal(bad.coordinators[0]!.errorCode, ErrorCode.INVALID_REQUEST)
    })
  })
})
