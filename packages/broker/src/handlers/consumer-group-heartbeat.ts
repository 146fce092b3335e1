// ConsumerGroupHeartbeat (key 68), v0-1: the KIP-848 consumer group
// protocol. v0: the coordinator generates the member id on joining. v1:
// SubscribedTopicRegex, and the member generates its own id (KIP-1082).
//
// Epoch 0 joins, a positive epoch heartbeats (and reports owned partitions),
// -1 leaves, -2 is a static member leaving for a while. The state machine is
// groups/consumer/; the answer goes out once its records are durable.
// Without 'consumer' in group.coordinator.rebalance.protocols the answer is
// UNSUPPORTED_VERSION, as Kafka gives when the protocol is off.
import { ErrorCode, type Input } from '@tributary/protocol'
import { ConsumerGroupHeartbeatApi, type ConsumerGroupHeartbeatResponse } from '@tributary/protocol/apis/consumer-group-heartbeat'
import { ConsumerGroupManager } from '../groups/consumer/index.js'
import { defineHandler } from './define.js'

function failed (errorCode: number, errorMessage: string | null = null): Input<ConsumerGroupHeartbeatResponse> {
  return { throttleTimeMs: 0, errorCode, errorMessage, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null }
}

export default defineHandler({
  api: ConsumerGroupHeartbeatApi,
  minVersion: 0,
  maxVersion: 1,
  async handle (req, ctx): Promise<Input<ConsumerGroupHeartbeatResponse>> {
    const groups = ctx.broker.groups
    if (groups === undefined) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    if (!groups.settings.rebalanceProtocols.includes('consumer')) {
      return failed(ErrorCode.UNSUPPORTED_VERSION, 'The new consumer group protocol (group.coordinator.rebalance.protocols) is not enabled.')
    }
    if (req.groupId === '') return failed(ErrorCode.INVALID_REQUEST, 'GroupId can\'t be empty.')
    const lookup = groups.shardFor(req.groupId)
    if (lookup.shard === undefined) return failed(lookup.errorCode)
    const shard = lookup.shard
    const manager = shard.manager('consumer')
    if (!(manager instanceof ConsumerGroupManager)) return failed(ErrorCode.UNSUPPORTED_VERSION)
    const res = await manager.heartbeat({
      groupId: req.groupId,
      memberId: req.memberId,
      memberEpoch: req.memberEpoch,
      instanceId: req.instanceId,
      rackId: req.rackId,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      subscribedTopicNames: req.subscribedTopicNames,
      subscribedTopicRegex: ctx.version >= 1 ? req.subscribedTopicRegex : null,
      serverAssignor: req.serverAssignor,
      topicPartitions: req.topicPartitions,
      clientId: ctx.header.clientId ?? '',
      clientHost: `/${ctx.conn.remoteAddress ?? ''}`,
      apiVersion: ctx.version,
      managerOf: type => shard.manager(type)
    })
    return { throttleTimeMs: 0, ...res }
  }
})
