// DescribeGroups (key 15), v0-5: state, protocol type, selected protocol
// and members (client id, host, metadata, assignment) of classic groups.
// v1-2: throttle time. v3: authorized operations when asked (KIP-430).
// v4: group.instance.id of members (KIP-345). v5: flexible.
//
// As Kafka before v6, a group this coordinator does not hold as a classic
// group (unknown, or of another type) is described as Dead with no error;
// the empty group id is looked up like any other (Kafka keeps that for
// compatibility). Member metadata is only shown while the group is Stable,
// as Kafka does.
import { ErrorCode, type Input } from '@tributary/protocol'
import { DescribeGroupsApi, type DescribeGroupsResponse, type DescribeGroupsResponseDescribedGroup } from '@tributary/protocol/apis/describe-groups'
import { GROUP_OPERATIONS, UNSET_OPERATIONS } from '../auth/acl-operations.js'
import { routeClassic } from '../groups/classic/route.js'
import { defineHandler, type RequestContext } from './define.js'

function describe (groupId: string, ctx: RequestContext, withOperations: boolean): Input<DescribeGroupsResponseDescribedGroup> {
  const base = { groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: UNSET_OPERATIONS }
  const route = routeClassic(ctx.broker.groups, groupId)
  if (route.errorCode !== undefined) return { ...base, errorCode: route.errorCode }
  const operations = withOperations ? GROUP_OPERATIONS : UNSET_OPERATIONS
  const g = route.otherType === undefined ? route.manager.describe(groupId) : null
  if (g === null) return { ...base, errorCode: ErrorCode.NONE, groupState: 'Dead', authorizedOperations: operations }
  return {
    errorCode: ErrorCode.NONE,
    groupId,
    groupState: g.groupState,
    protocolType: g.protocolType,
    protocolData: g.protocolData,
    members: g.members.map(m => ({ ...m, groupInstanceId: ctx.version >= 4 ? m.groupInstanceId : null })),
    authorizedOperations: operations
  }
}

export default defineHandler({
  api: DescribeGroupsApi,
  minVersion: 0,
  maxVersion: 5,
  handle (req, ctx): Input<DescribeGroupsResponse> {
    const withOperations = ctx.version >= 3 && req.includeAuthorizedOperations
    return { throttleTimeMs: 0, groups: req.groups.map(id => describe(id, ctx, withOperations)) }
  }
})
