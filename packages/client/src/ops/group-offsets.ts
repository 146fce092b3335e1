import { KafkaError } from '@tributary/protocol'
import { OffsetCommitApi } from '@tributary/protocol/apis/offset-commit'
import { OffsetFetchApi } from '@tributary/protocol/apis/offset-fetch'
import type { Cluster } from '../cluster/cluster.js'

export interface OffsetToCommit { topic: string, partition: number, offset: bigint, metadata?: string | null, leaderEpoch?: number }
export interface CommittedOffset { topic: string, partition: number, offset: bigint, metadata: string | null, leaderEpoch: number }

/** Who commits: a simple (group-less) consumer or admin uses generation -1 and no member id, as Kafka allows for groups without members. */
export interface CommitIdentity { generationIdOrMemberEpoch: number, memberId: string, groupInstanceId: string | null }
export const SIMPLE_COMMIT: CommitIdentity = { generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null }

/** The member a consume-transform-produce loop commits for in a transaction (Kafka's ConsumerGroupMetadata, KIP-447); left out, the commit is group-less. */
export interface ConsumerGroupMetadata { generationId?: number, memberId?: string, groupInstanceId?: string | null }

function byTopic<T extends { topic: string }> (items: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>()
  for (const i of items) {
    const l = m.get(i.topic) ?? []
    l.push(i)
    m.set(i.topic, l)
  }
  return m
}

/** OffsetCommit to the group's coordinator, retried (and the coordinator looked up again) on retriable errors. */
export async function commitOffsets (cluster: Cluster, groupId: string, offsets: readonly OffsetToCommit[], who: CommitIdentity = SIMPLE_COMMIT): Promise<void> {
  if (offsets.length === 0) return
  await cluster.retry(`OffsetCommit for group '${groupId}'`, async () => {
    const coordinator = await cluster.coordinator(groupId)
    const res = await cluster.send(coordinator, OffsetCommitApi, {
      groupId,
      ...who,
      retentionTimeMs: -1n,
      topics: [...byTopic(offsets)].map(([name, ps]) => ({
        name,
        partitions: ps.map(p => ({ partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: p.leaderEpoch ?? -1, committedMetadata: p.metadata ?? null }))
      }))
    })
    for (const t of res.topics) {
      for (const p of t.partitions) {
        if (p.errorCode !== 0) throw KafkaError.fromCode(p.errorCode, `OffsetCommit of ${t.name}-${p.partitionIndex} for group '${groupId}'`)
      }
    }
  })
}

/**
 * The committed offsets of a group (all of its partitions when `partitions`
 * is null). Offset -1 means nothing committed. OffsetFetch v8+ carries
 * groups in a list (KIP-709); older versions one group id.
 */
export async function fetchOffsets (cluster: Cluster, groupId: string, partitions: ReadonlyArray<{ topic: string, partition: number }> | null, requireStable = false): Promise<CommittedOffset[]> {
  return await cluster.retry(`OffsetFetch for group '${groupId}'`, async () => {
    const coordinator = await cluster.coordinator(groupId)
    const conn = await cluster.node(coordinator)
    const version = conn.versionFor(OffsetFetchApi)
    const topics = partitions === null ? null : [...byTopic(partitions)].map(([name, ps]) => ({ name, partitionIndexes: ps.map(p => p.partition) }))
    const res = await conn.send(OffsetFetchApi, version >= 8
      ? { groups: [{ groupId, memberId: null, memberEpoch: -1, topics }], requireStable }
      : { groupId, topics, requireStable: version >= 7 ? requireStable : undefined }, { version })
    const group = version >= 8 ? res.groups[0] : { errorCode: res.errorCode, topics: res.topics }
    if (group === undefined) throw new KafkaError(-1, `OffsetFetch for group '${groupId}' returned no group`)
    if (group.errorCode !== 0) throw KafkaError.fromCode(group.errorCode, `OffsetFetch for group '${groupId}'`)
    const out: CommittedOffset[] = []
    for (const t of group.topics) {
      for (const p of t.partitions) {
        if (p.errorCode !== 0) throw KafkaError.fromCode(p.errorCode, `OffsetFetch of ${t.name}-${p.partitionIndex} for group '${groupId}'`)
        out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.metadata, leaderEpoch: p.committedLeaderEpoch })
      }
    }
    return out
  })
}
