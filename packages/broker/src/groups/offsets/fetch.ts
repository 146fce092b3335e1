// Reading committed offsets (Kafka's OffsetMetadataManager.fetchOffsets /
// fetchAllOffsets), shared by the single-group (v0-7) and multi-group (v8+)
// forms of OffsetFetch.
import { ErrorCode } from '@tributary/protocol'
import type { GroupCoordinator } from '../coordinator.js'

export interface FetchedPartition {
  partitionIndex: number
  committedOffset: bigint
  committedLeaderEpoch: number
  metadata: string | null
  errorCode: number
}

export interface FetchedGroup {
  errorCode: number
  topics: Array<{ name: string, partitions: FetchedPartition[] }>
}

export interface GroupFetch {
  groupId: string
  /** null: every partition the group has an offset for. */
  topics: Array<{ name: string, partitionIndexes: number[] }> | null
  /** KIP-848 (v9+): the fetching member, checked against the group. */
  memberId: string | null
  memberEpoch: number
  /** KIP-447 (v7+): a partition with offsets pending in a transaction answers UNSTABLE_OFFSET_COMMIT. */
  requireStable?: boolean
}

/** Kafka answers a partition without a committed offset with -1 and empty metadata. */
function none (partitionIndex: number, errorCode: number = ErrorCode.NONE): FetchedPartition {
  return { partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode }
}

export function fetchGroupOffsets (groups: GroupCoordinator | undefined, req: GroupFetch): FetchedGroup {
  const failed = (errorCode: number): FetchedGroup => ({ errorCode, topics: (req.topics ?? []).map(t => ({ name: t.name, partitions: t.partitionIndexes.map(p => none(p, errorCode)) })) })
  if (req.groupId === '') return failed(ErrorCode.INVALID_GROUP_ID)
  const lookup = groups?.shardFor(req.groupId) ?? { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
  if (lookup.shard === undefined) return failed(lookup.errorCode)
  const shard = lookup.shard
  if (req.memberId !== null || req.memberEpoch >= 0) {
    const type = shard.groupType(req.groupId)
    if (type === undefined) return failed(ErrorCode.GROUP_ID_NOT_FOUND)
    const code = shard.manager(type)!.validateOffsetFetch(req.groupId, req.memberId, req.memberEpoch)
    if (code !== ErrorCode.NONE) return failed(code)
  }
  const unstable = (topic: string, partition: number): boolean => req.requireStable === true && shard.hasPendingOffset(req.groupId, topic, partition)
  if (req.topics === null) {
    const byTopic = new Map<string, FetchedPartition[]>()
    for (const c of shard.offsets.all(req.groupId)) {
      let list = byTopic.get(c.topic)
      if (list === undefined) { list = []; byTopic.set(c.topic, list) }
      list.push(unstable(c.topic, c.partition) ? none(c.partition, ErrorCode.UNSTABLE_OFFSET_COMMIT) : { partitionIndex: c.partition, committedOffset: c.value.offset, committedLeaderEpoch: c.value.leaderEpoch, metadata: c.value.metadata, errorCode: ErrorCode.NONE })
    }
    const topics = [...byTopic].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
      .map(([name, partitions]) => ({ name, partitions: partitions.sort((a, b) => a.partitionIndex - b.partitionIndex) }))
    return { errorCode: ErrorCode.NONE, topics }
  }
  return {
    errorCode: ErrorCode.NONE,
    topics: req.topics.map(t => ({
      name: t.name,
      partitions: t.partitionIndexes.map(p => {
        if (unstable(t.name, p)) return none(p, ErrorCode.UNSTABLE_OFFSET_COMMIT)
        const v = shard.offsets.get(req.groupId, t.name, p)
        return v === undefined ? none(p) : { partitionIndex: p, committedOffset: v.offset, committedLeaderEpoch: v.leaderEpoch, metadata: v.metadata, errorCode: ErrorCode.NONE }
      })
    }))
  }
}
