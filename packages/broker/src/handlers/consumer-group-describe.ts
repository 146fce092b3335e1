// ConsumerGroupDescribe (key 69), v0: KIP-848 consumer groups as their
// coordinator holds them: state, group and assignment epochs, the assignor
// the group uses, and every member with its current and target assignment.
// An unknown group, or one of another type, is GROUP_ID_NOT_FOUND with
// Kafka's messages.
import { ErrorCode, type Input } from '@tributary/protocol'
import { ConsumerGroupDescribeApi, type ConsumerGroupDescribeResponse, type ConsumerGroupDescribeResponseDescribedGroup } from '@tributary/protocol/apis/consumer-group-describe'
import { GROUP_OPERATIONS, UNSET_OPERATIONS } from '../auth/acl-operations.js'
import { ConsumerGroupManager } from '../groups/consumer/index.js'
import { defineHandler } from './define.js'

type Described = Input<ConsumerGroupDescribeResponseDescribedGroup>

export default defineHandler({
  api: ConsumerGroupDescribeApi,
  minVersion: 0,
  maxVersion: 0,
  handle (req, ctx): Input<ConsumerGroupDescribeResponse> {
    const fail = (groupId: string, errorCode: number, errorMessage: string | null = null): Described =>
      ({ groupId, errorCode, errorMessage, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [], authorizedOperations: UNSET_OPERATIONS })
    const groups = ctx.broker.groups
    const out = req.groupIds.map((groupId): Described => {
      if (groups === undefined) return fail(groupId, ErrorCode.COORDINATOR_NOT_AVAILABLE)
      if (!groups.settings.rebalanceProtocols.includes('consumer')) {
        return fail(groupId, ErrorCode.UNSUPPORTED_VERSION, 'The new consumer group protocol (group.coordinator.rebalance.protocols) is not enabled.')
      }
      if (groupId === '') return fail(groupId, ErrorCode.INVALID_GROUP_ID)
      const lookup = groups.shardFor(groupId)
      if (lookup.shard === undefined) return fail(groupId, lookup.errorCode)
      const manager = lookup.shard.manager('consumer')
      const g = manager instanceof ConsumerGroupManager ? manager.describe(groupId) : undefined
      if (g === undefined) {
        const other = lookup.shard.groupType(groupId)
        return fail(groupId, ErrorCode.GROUP_ID_NOT_FOUND, other !== undefined && other !== 'consumer' ? `Group ${groupId} is not a consumer group.` : `Group ${groupId} not found.`)
      }
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        ...g,
        members: g.members.map(m => ({
          ...m,
          assignment: { topicPartitions: m.assignment },
          targetAssignment: { topicPartitions: m.targetAssignment }
        })),
        authorizedOperations: req.includeAuthorizedOperations ? GROUP_OPERATIONS : UNSET_OPERATIONS
      }
    })
    return { throttleTimeMs: 0, groups: out }
  }
})
