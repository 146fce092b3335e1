// DeleteGroups (key 42), v0-2. v1: same as v0. v2: flexible.
//
// Each group is deleted on its own: GROUP_ID_NOT_FOUND when unknown,
// NON_EMPTY_GROUP while it has members, coordinator errors as for any
// group request; otherwise its metadata and offsets get tombstones.
import { ErrorCode, type Input } from '@tributary/protocol'
import { DeleteGroupsApi, type DeleteGroupsResponse } from '@tributary/protocol/apis/delete-groups'
import { deleteGroup } from '../groups/deletion.js'
import { defineHandler } from './define.js'

export default defineHandler({
  api: DeleteGroupsApi,
  minVersion: 0,
  maxVersion: 2,
  async handle (req, ctx): Promise<Input<DeleteGroupsResponse>> {
    const results = await Promise.all(req.groupsNames.map(async groupId => {
      if (groupId === '') return { groupId, errorCode: ErrorCode.INVALID_GROUP_ID }
      const lookup = ctx.broker.groups?.shardFor(groupId) ?? { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
      if (lookup.shard === undefined) return { groupId, errorCode: lookup.errorCode }
      return { groupId, errorCode: await deleteGroup(lookup.shard, groupId) }
    }))
    return { throttleTimeMs: 0, results }
  }
})
