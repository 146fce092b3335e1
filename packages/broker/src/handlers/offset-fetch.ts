// OffsetFetch (key 9), v0-9. v1: same as v0 (offsets from
// __consumer_offsets). v2: null topics = every partition with an offset,
// top-level error code. v3: throttle time. v5: committed leader epoch.
// v6: flexible. v7: require_stable (KIP-447). v8: several groups in one
// request (KIP-709). v9: member id and epoch of KIP-848 groups.
//
// Before v2 a group-level error is reported in every partition, as those
// versions have no top-level error code; from v2 it is the top-level (or
// group-level) code with no topics.
import { ErrorCode, type Input } from '@tributary/protocol'
import { OffsetFetchApi, type OffsetFetchResponse } from '@tributary/protocol/apis/offset-fetch'
import { fetchGroupOffsets } from '../groups/offsets/fetch.js'
import { defineHandler } from './define.js'

export default defineHandler({
  api: OffsetFetchApi,
  minVersion: 0,
  maxVersion: 9,
  handle (req, ctx): Input<OffsetFetchResponse> {
    const groups = ctx.broker.groups
    if (ctx.version >= 8) {
      return {
        throttleTimeMs: 0,
        groups: req.groups.map(g => {
          const r = fetchGroupOffsets(groups, { groupId: g.groupId, topics: g.topics, memberId: ctx.version >= 9 ? g.memberId : null, memberEpoch: ctx.version >= 9 ? g.memberEpoch : -1, requireStable: req.requireStable })
          return { groupId: g.groupId, errorCode: r.errorCode, topics: r.errorCode === ErrorCode.NONE ? r.topics : [] }
        })
      }
    }
    const r = fetchGroupOffsets(groups, { groupId: req.groupId, topics: req.topics, memberId: null, memberEpoch: -1, requireStable: ctx.version >= 7 && req.requireStable })
    // From v2 a group error is the top-level code alone, with no topics (Kafka's OffsetFetchRequest.getErrorResponse).
    const topics = ctx.version >= 2 && r.errorCode !== ErrorCode.NONE ? [] : r.topics
    return { throttleTimeMs: 0, errorCode: r.errorCode, topics }
  }
})
