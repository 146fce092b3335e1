// Offsets retention (`offsets.retention.minutes`, KIP-211): the committed
// offsets of a group without members expire once they are older than the
// retention; an offset committed with an explicit retention time
// (OffsetCommit v2-v4) expires at the time it asked for. A group that is
// left with no offsets and no members is deleted with them, and so is an
// empty group that never had offsets, as Kafka's cleanupGroupMetadata does.
import type { GroupRecord } from '../records/index.js'
import type { GroupShard } from '../shard.js'

/** The records that expire what is due at `nowMs` in one shard. */
export function expiredOffsetRecords (shard: GroupShard, nowMs: number): GroupRecord[] {
  const now = BigInt(nowMs)
  const retention = BigInt(shard.settings.offsetsRetentionMs)
  const records: GroupRecord[] = []
  for (const groupId of [...shard.offsets.groupIds()]) {
    const type = shard.groupType(groupId)
    const manager = type === undefined ? undefined : shard.manager(type)
    const empty = manager === undefined || manager.isEmpty(groupId)
    const offsets = shard.offsets.all(groupId)
    let expired = 0
    for (const c of offsets) {
      const explicit = c.value.expireTimestamp >= 0n
      const due = explicit ? c.value.expireTimestamp <= now : empty && c.value.commitTimestamp + retention <= now
      if (!due) continue
      records.push({ kind: 'offset', group: groupId, topic: c.topic, partition: c.partition, value: null })
      expired++
    }
    if (expired === offsets.length && expired > 0 && manager !== undefined && empty) records.push(...manager.deletionRecords(groupId))
  }
  // A group without members and without offsets has nothing left to keep (Kafka's cleanupGroupMetadata).
  for (const manager of shard.managers) {
    for (const g of [...manager.list()]) {
      if (!shard.offsets.hasOffsets(g.groupId) && manager.isEmpty(g.groupId)) records.push(...manager.deletionRecords(g.groupId))
    }
  }
  return records
}

/** Writes the expirations of every active shard; a failed write is retried at the next check. */
export async function expireOffsets (shards: readonly GroupShard[], nowMs: number): Promise<number> {
  let total = 0
  for (const shard of shards) {
    const records = expiredOffsetRecords(shard, nowMs)
    if (records.length === 0) continue
    try {
      await shard.write(records)
      total += records.length
    } catch (err) {
      shard.log.warn({ partition: shard.partition, err: (err as Error).message }, 'expiring committed offsets failed')
    }
  }
  return total
}
