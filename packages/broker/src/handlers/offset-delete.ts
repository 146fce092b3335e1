// OffsetDelete (key 47), v0 (KIP-496). Deletes committed offsets of a group
// that no longer consumes the topic; the top-level error is for the group
// (GROUP_ID_NOT_FOUND, coordinator errors), the rest per partition.
import { ErrorCode, type Input } from '@tributary/protocol'
import { OffsetDeleteApi, type OffsetDeleteResponse } from '@tributary/protocol/apis/offset-delete'
import { deleteOffsets } from '../groups/offsets/delete.js'
import { defineHandler } from './define.js'

export default defineHandler({
  api: OffsetDeleteApi,
  minVersion: 0,
  maxVersion: 0,
  async handle (req, ctx): Promise<Input<OffsetDeleteResponse>> {
    if (req.groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, throttleTimeMs: 0, topics: [] }
    const lookup = ctx.broker.groups?.shardFor(req.groupId) ?? { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
    if (lookup.shard === undefined) return { errorCode: lookup.errorCode, throttleTimeMs: 0, topics: [] }
    const r = await deleteOffsets(lookup.shard, req.groupId, req.topics.map(t => ({ name: t.name, partitions: t.partitions.map(p => p.partitionIndex) })))
    return { errorCode: r.errorCode, throttleTimeMs: 0, topics: r.topics }
  }
})
