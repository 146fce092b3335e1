// OffsetDelete (KIP-496): removes a group's committed offsets for some
// partitions, refused per partition while the group's members consume the
// topic (GROUP_SUBSCRIBED_TO_TOPIC).
import { ErrorCode } from '@tributary/protocol'
import { GroupWriteError } from '../group-manager.js'
import type { OffsetRecord } from '../records/index.js'
import type { GroupShard } from '../shard.js'

export interface OffsetDeleteResult {
  errorCode: number
  topics: Array<{ name: string, partitions: Array<{ partitionIndex: number, errorCode: number }> }>
}

export async function deleteOffsets (shard: GroupShard, groupId: string, topics: Array<{ name: string, partitions: number[] }>): Promise<OffsetDeleteResult> {
  const type = shard.groupType(groupId)
  if (type === undefined && !shard.offsets.hasOffsets(groupId)) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] }
  const manager = type === undefined ? undefined : shard.manager(type)
  const records: OffsetRecord[] = []
  const result: OffsetDeleteResult['topics'] = topics.map(t => {
    const subscribed = manager !== undefined && !manager.isEmpty(groupId) && manager.isSubscribedTo(groupId, t.name)
    return {
      name: t.name,
      partitions: t.partitions.map(partitionIndex => {
        if (subscribed) return { partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }
        if (shard.offsets.get(groupId, t.name, partitionIndex) !== undefined) {
          records.push({ kind: 'offset', group: groupId, topic: t.name, partition: partitionIndex, value: null })
        }
        return { partitionIndex, errorCode: ErrorCode.NONE }
      })
    }
  })
  try {
    await shard.write(records)
  } catch (err) {
    return { errorCode: err instanceof GroupWriteError ? err.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR, topics: [] }
  }
  return { errorCode: ErrorCode.NONE, topics: result }
}
