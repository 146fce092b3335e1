import { ErrorCode } from '@tributary/protocol'
import { GroupWriteError } from './group-manager.js'
import type { GroupRecord } from './records/index.js'
import type { GroupShard } from './shard.js'

/** Tombstones for every committed offset of a group. */
export function offsetTombstones (shard: GroupShard, groupId: string): GroupRecord[] {
  return shard.offsets.all(groupId).map(c => ({ kind: 'offset', group: groupId, topic: c.topic, partition: c.partition, value: null }))
}

/**
 * DeleteGroups for one group: only a group without members may go
 * (NON_EMPTY_GROUP), an unknown one is GROUP_ID_NOT_FOUND. Its metadata and
 * offsets are replaced by tombstones, so the deletion survives restarts and
 * compaction removes the records.
 */
export async function deleteGroup (shard: GroupShard, groupId: string): Promise<number> {
  const type = shard.groupType(groupId)
  if (type === undefined && !shard.offsets.hasOffsets(groupId)) return ErrorCode.GROUP_ID_NOT_FOUND
  const manager = type === undefined ? undefined : shard.manager(type)
  if (manager !== undefined && !manager.isEmpty(groupId)) return ErrorCode.NON_EMPTY_GROUP
  const records = [...offsetTombstones(shard, groupId), ...(manager?.deletionRecords(groupId) ?? [])]
  try {
    await shard.write(records)
    return ErrorCode.NONE
  } catch (err) {
    return err instanceof GroupWriteError ? err.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR
  }
}
