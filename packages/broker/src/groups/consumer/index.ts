// KIP-848 consumer groups: the group type served by ConsumerGroupHeartbeat
// and ConsumerGroupDescribe.
import type { ManagerFactory } from '../shard.js'
import { ConsumerGroupManager } from './manager.js'

export { ConsumerGroupManager, newMemberId, type DescribedGroup, type DescribedMember, type HeartbeatRequest, type HeartbeatResponse } from './manager.js'
export { ASSIGNORS, rangeAssignor, uniformAssignor, type Assignor, type AssignorMember, type AssignorTopic } from './assignors.js'

export const consumerGroupManager: ManagerFactory = ctx => new ConsumerGroupManager(ctx)
