// ListGroups (key 16), v0-5. v1: throttle time. v3: flexible. v4: states
// filter and group state (KIP-518). v5: types filter and group type
// (KIP-848: "classic" or "consumer").
//
// Lists the groups of every coordinator partition this broker has loaded;
// while one is still loading the answer is COORDINATOR_LOAD_IN_PROGRESS
// with the groups known so far, as Kafka does.
import { ErrorCode, type Input } from '@tributary/protocol'
import { ListGroupsApi, type ListGroupsResponse } from '@tributary/protocol/apis/list-groups'
import { listGroups, matchesFilters } from '../groups/listing.js'
import { defineHandler } from './define.js'

export default defineHandler({
  api: ListGroupsApi,
  minVersion: 0,
  maxVersion: 5,
  handle (req, ctx): Input<ListGroupsResponse> {
    const groups = ctx.broker.groups
    if (groups === undefined) return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] }
    const states = ctx.version >= 4 ? req.statesFilter : []
    const types = ctx.version >= 5 ? req.typesFilter : []
    const listed = listGroups(groups).filter(g => matchesFilters(g, states, types))
    return {
      throttleTimeMs: 0,
      errorCode: groups.isLoading() ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE,
      groups: listed.map(g => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: g.type }))
    }
  }
})
