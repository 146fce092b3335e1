// LeaveGroup (key 13), v0-5: members leave a classic group at once instead
// of waiting for their session to expire. v1-2: throttle time. v3: a batch
// of members, each with an optional group.instance.id and its own error
// (KIP-345; an admin may remove a static member by instance id alone). v4:
// flexible. v5: a reason per member (KIP-800).
//
// Before v3 the one member's error is the response's error, as Kafka maps
// it. An unknown group answers UNKNOWN_MEMBER_ID for each member, as does a
// group id of another type (it has no classic members).
import { ErrorCode, type Input } from '@tributary/protocol'
import { LeaveGroupApi, type LeaveGroupResponse } from '@tributary/protocol/apis/leave-group'
import { routeClassic } from '../groups/classic/route.js'
import type { LeaveIdentity, LeaveResult } from '../groups/classic/types.js'
import { defineHandler } from './define.js'

function toResponse (r: LeaveResult, version: number): Input<LeaveGroupResponse> {
  if (version >= 3) return { throttleTimeMs: 0, errorCode: r.errorCode, members: r.members }
  const errorCode = r.errorCode !== ErrorCode.NONE ? r.errorCode : (r.members[0]?.errorCode ?? ErrorCode.NONE)
  return { throttleTimeMs: 0, errorCode, members: [] }
}

export default defineHandler({
  api: LeaveGroupApi,
  minVersion: 0,
  maxVersion: 5,
  async handle (req, ctx): Promise<Input<LeaveGroupResponse>> {
    const v = ctx.version
    const identities: LeaveIdentity[] = v >= 3
      ? req.members.map(m => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: v >= 5 ? m.reason : null }))
      : [{ memberId: req.memberId, groupInstanceId: null, reason: null }]
    if (req.groupId === '') return toResponse({ errorCode: ErrorCode.INVALID_GROUP_ID, members: [] }, v)
    const route = routeClassic(ctx.broker.groups, req.groupId)
    if (route.errorCode !== undefined) return toResponse({ errorCode: route.errorCode, members: [] }, v)
    if (route.otherType !== undefined) {
      return toResponse({ errorCode: ErrorCode.NONE, members: identities.map(i => ({ memberId: i.memberId, groupInstanceId: i.groupInstanceId, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })) }, v)
    }
    return toResponse(await route.manager.leave(req.groupId, identities), v)
  }
})
