// JoinGroup (key 11), v0-9: the classic group protocol's first step.
// v1: rebalance timeout (v0 uses the session timeout for it). v2-3: throttle
// time. v4: a new member gets its id with MEMBER_ID_REQUIRED and joins again
// with it (KIP-394). v5: group.instance.id (KIP-345). v6: flexible. v7: the
// protocol type in the response, a nullable protocol name (KIP-559). v8:
// reason (KIP-800). v9: skipAssignment for a static leader rejoining.
//
// The request waits (long poll) until the join phase of the rebalance
// completes; the state machine is groups/classic/. A group id that belongs
// to a KIP-848 consumer group is taken over when that group is empty (as
// Kafka 4 converts it); a non-empty one answers INCONSISTENT_GROUP_PROTOCOL
// (classic members inside consumer groups are not supported here).
import { ErrorCode, type Input } from '@tributary/protocol'
import { JoinGroupApi, type JoinGroupResponse } from '@tributary/protocol/apis/join-group'
import { clientHostOf, routeClassic } from '../groups/classic/route.js'
import type { JoinResponse } from '../groups/classic/types.js'
import { GroupWriteError } from '../groups/group-manager.js'
import { writeErrorToResponseError } from '../groups/classic/responses.js'
import { defineHandler } from './define.js'

function toResponse (r: JoinResponse, version: number): Input<JoinGroupResponse> {
  // Before v7 the protocol name is not nullable: "" stands for none; from v7 "" is sent as null.
  const protocolName = version < 7 ? (r.protocolName ?? '') : (r.protocolName === '' ? null : r.protocolName)
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    generationId: r.generationId,
    protocolType: version >= 7 ? r.protocolType : null,
    protocolName,
    leader: r.leader,
    skipAssignment: version >= 9 ? r.skipAssignment : false,
    memberId: r.memberId,
    members: r.members.map(m => ({ memberId: m.memberId, groupInstanceId: version >= 5 ? m.groupInstanceId : null, metadata: m.metadata }))
  }
}

const error = (errorCode: number, memberId: string, version: number): Input<JoinGroupResponse> =>
  toResponse({ errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId, members: [] }, version)

export default defineHandler({
  api: JoinGroupApi,
  minVersion: 0,
  maxVersion: 9,
  async handle (req, ctx): Promise<Input<JoinGroupResponse>> {
    const v = ctx.version
    if (req.groupId === '') return error(ErrorCode.INVALID_GROUP_ID, req.memberId, v)
    const route = routeClassic(ctx.broker.groups, req.groupId)
    if (route.errorCode !== undefined) return error(route.errorCode, req.memberId, v)
    const sessionError = route.manager.sessionTimeoutError(req.sessionTimeoutMs)
    if (sessionError !== ErrorCode.NONE) return error(sessionError, req.memberId, v)
    if (route.otherType !== undefined) {
      const other = route.shard.manager(route.otherType)
      if (other === undefined || !other.isEmpty(req.groupId)) return error(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, '', v)
      // An empty group of another type is deleted and the id becomes a classic group (Kafka 4's conversion).
      try {
        await route.shard.write(other.deletionRecords(req.groupId))
      } catch (err) {
        return error(err instanceof GroupWriteError ? writeErrorToResponseError(err.errorCode) : ErrorCode.UNKNOWN_SERVER_ERROR, req.memberId, v)
      }
    }
    const r = await route.manager.join({
      groupId: req.groupId,
      memberId: req.memberId,
      groupInstanceId: v >= 5 ? req.groupInstanceId : null,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: v >= 1 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols.map(p => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      clientId: ctx.header.clientId ?? '',
      clientHost: clientHostOf(ctx.conn.remoteAddress),
      requireKnownMemberId: v >= 4,
      supportsSkipAssignment: v >= 9
    })
    return toResponse(r, v)
  }
})
