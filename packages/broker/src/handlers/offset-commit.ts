// OffsetCommit (key 8), v0-9. v1: generation, member id, commit timestamp.
// v2-4: retention_time_ms (explicit expiry). v3: throttle time. v5:
// retention field dropped. v6: committed leader epoch. v7: group instance
// id (KIP-345). v8: flexible. v9: member epoch of KIP-848 groups and
// GROUP_ID_NOT_FOUND / STALE_MEMBER_EPOCH.
//
// The group checks the member (generation or member epoch); the offsets are
// appended to the group's partition of __consumer_offsets and the answer
// goes out once they are durable.
import { ErrorCode, type Input } from '@tributary/protocol'
import { OffsetCommitApi, type OffsetCommitResponse } from '@tributary/protocol/apis/offset-commit'
import { commitOffsets, validateCommit, type PartitionCommit } from '../groups/offsets/commit.js'
import { defineHandler } from './define.js'

export default defineHandler({
  api: OffsetCommitApi,
  minVersion: 0,
  maxVersion: 9,
  async handle (req, ctx): Promise<Input<OffsetCommitResponse>> {
    const answer = (codeAt: (topic: number, partition: number) => number): Input<OffsetCommitResponse> => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t, ti) => ({ name: t.name, partitions: t.partitions.map((p, pi) => ({ partitionIndex: p.partitionIndex, errorCode: codeAt(ti, pi) })) }))
    })
    if (req.groupId === '') return answer(() => ErrorCode.INVALID_GROUP_ID)
    const lookup = ctx.broker.groups?.shardFor(req.groupId) ?? { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
    if (lookup.shard === undefined) return answer(() => lookup.errorCode)
    const shard = lookup.shard
    const member = {
      memberId: ctx.version >= 1 ? req.memberId : '',
      generationIdOrMemberEpoch: ctx.version >= 1 ? req.generationIdOrMemberEpoch : -1,
      groupInstanceId: ctx.version >= 7 ? req.groupInstanceId : null
    }
    const groupError = validateCommit(shard, req.groupId, member, ctx.version)
    if (groupError !== ErrorCode.NONE) return answer(() => groupError)
    const commits: PartitionCommit[] = []
    for (const t of req.topics) {
      for (const p of t.partitions) {
        commits.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: ctx.version >= 6 ? p.committedLeaderEpoch : -1, metadata: p.committedMetadata })
      }
    }
    const codes = await commitOffsets(shard, ctx.broker.metadata.image(), req.groupId, commits, {
      retentionTimeMs: ctx.version >= 2 && ctx.version <= 4 ? req.retentionTimeMs : -1n,
      apiVersion: ctx.version
    })
    let i = 0
    const flat = req.topics.map(t => t.partitions.map(() => codes[i++]!))
    return answer((ti, pi) => flat[ti]![pi]!)
  }
})
