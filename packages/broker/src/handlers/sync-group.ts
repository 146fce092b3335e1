// SyncGroup (key 14), v0-5: the leader sends the assignments it computed,
// every member gets its own. v1-2: throttle time. v3: group.instance.id
// (KIP-345). v4: flexible. v5: protocol type and name in request and
// response, checked against the group's (KIP-559).
//
// The assignments are opaque bytes to the broker; they are written to
// `__consumer_offsets` with the group before anyone gets an answer. A group
// id of another type (a KIP-848 consumer group) has no classic members:
// UNKNOWN_MEMBER_ID, as Kafka answers a member it does not know there.
import { ErrorCode, type Input } from '@tributary/protocol'
import { SyncGroupApi, type SyncGroupResponse } from '@tributary/protocol/apis/sync-group'
import { routeClassic } from '../groups/classic/route.js'
import type { SyncResponse } from '../groups/classic/types.js'
import { defineHandler } from './define.js'

function toResponse (r: SyncResponse, version: number): Input<SyncGroupResponse> {
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    protocolType: version >= 5 ? r.protocolType : null,
    protocolName: version >= 5 ? r.protocolName : null,
    assignment: r.assignment
  }
}

const error = (errorCode: number): Input<SyncGroupResponse> => ({ throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) })

export default defineHandler({
  api: SyncGroupApi,
  minVersion: 0,
  maxVersion: 5,
  async handle (req, ctx): Promise<Input<SyncGroupResponse>> {
    const v = ctx.version
    if (req.groupId === '') return error(ErrorCode.INVALID_GROUP_ID)
    const route = routeClassic(ctx.broker.groups, req.groupId)
    if (route.errorCode !== undefined) return error(route.errorCode)
    if (route.otherType !== undefined) return error(ErrorCode.UNKNOWN_MEMBER_ID)
    const r = await route.manager.sync({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: v >= 3 ? req.groupInstanceId : null,
      protocolType: v >= 5 ? req.protocolType : null,
      protocolName: v >= 5 ? req.protocolName : null,
      assignments: req.assignments.map(a => ({ memberId: a.memberId, assignment: Buffer.from(a.assignment) }))
    })
    return toResponse(r, v)
  }
})
