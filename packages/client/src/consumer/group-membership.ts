import type { TopicPartition } from './types.js'

/**
 * What the consumer needs from a group protocol, so that classic groups
 * (JoinGroup/SyncGroup/Heartbeat) and KIP-848 groups
 * (ConsumerGroupHeartbeat) can plug into the same fetch loop. The consumer
 * calls `join` with its subscription, fetches what the membership assigns,
 * and commits with the identity the membership reports (generation or
 * member epoch), so that the coordinator can fence zombie members.
 */
export interface GroupMembership {
  readonly groupId: string
  /** Joins (or rejoins) and resolves with the first assignment. */
  join (subscription: readonly string[]): Promise<readonly TopicPartition[]>
  /** Called whenever the assignment changes (rebalance); the consumer moves its fetch positions. */
  onAssignmentChange (listener: (assigned: readonly TopicPartition[], revoked: readonly TopicPartition[]) => Promise<void> | void): void
  /** The identity OffsetCommit carries: generation id (classic) or member epoch (KIP-848), and the member id. */
  commitIdentity (): { generationIdOrMemberEpoch: number, memberId: string, groupInstanceId: string | null }
  /** Leaves the group (LeaveGroup, or a heartbeat with epoch -1). */
  leave (): Promise<void>
}
