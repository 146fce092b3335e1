// Heartbeat (key 12), v0-4: a classic group member says it is alive and
// learns whether a rebalance started (REBALANCE_IN_PROGRESS). v1-2:
// throttle time. v3: group.instance.id (KIP-345). v4: flexible.
//
// As in Kafka, a heartbeat while the coordinator partition is still loading
// is answered with no error (the member cannot be checked yet, and must not
// be made to rejoin for it); a group id of another type answers
// UNKNOWN_MEMBER_ID.
import { ErrorCode, type Input } from '@tributary/protocol'
import { HeartbeatApi, type HeartbeatResponse } from '@tributary/protocol/apis/heartbeat'
import { routeClassic } from '../groups/classic/route.js'
import { defineHandler } from './define.js'

export default defineHandler({
  api: HeartbeatApi,
  minVersion: 0,
  maxVersion: 4,
  handle (req, ctx): Input<HeartbeatResponse> {
    const answer = (errorCode: number): Input<HeartbeatResponse> => ({ throttleTimeMs: 0, errorCode })
    if (req.groupId === '') return answer(ErrorCode.INVALID_GROUP_ID)
    const route = routeClassic(ctx.broker.groups, req.groupId)
    if (route.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return answer(ErrorCode.NONE)
    if (route.errorCode !== undefined) return answer(route.errorCode)
    if (route.otherType !== undefined) return answer(ErrorCode.UNKNOWN_MEMBER_ID)
    return answer(route.manager.heartbeat({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: ctx.version >= 3 ? req.groupInstanceId : null
    }))
  }
})
