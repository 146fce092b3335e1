import type { TopicPartition } from './types.js'

/**
 * Applies a new assignment (the whole set of partitions the member owns
 * from now on). The consumer stops fetching revoked partitions (committing
 * them first when it auto-commits) and starts the new ones; the membership
 * waits for it before telling the coordinator, so that a partition is never
 * fetched by two members at once.
 */
export type AssignmentListener = (assignment: readonly TopicPartition[]) => Promise<void>

/** What OffsetCommit carries so that the coordinator can fence members of old generations. */
export interface CommitIdentity { generationIdOrMemberEpoch: number, memberId: string, groupInstanceId: string | null }

/**
 * What the consumer needs from a group protocol, so that classic groups
 * (JoinGroup/SyncGroup/Heartbeat, `ClassicGroupMembership`) and KIP-848
 * groups (ConsumerGroupHeartbeat, `ConsumerGroupMembership`) plug into the
 * same fetch loop.
 */
export interface GroupMembership {
  readonly groupId: string
  /** Joins with these topic names; resolves once the first assignment was applied. */
  start (topics: readonly string[], onAssignment: AssignmentListener): Promise<void>
  /** The subscription changed (e.g. a regex matched a new topic): rejoin or tell the coordinator. */
  updateSubscription (topics: readonly string[]): void
  commitIdentity (): CommitIdentity
  /** Fatal membership errors (e.g. a fenced static member) reach the consumer's reader through this. */
  onError (listener: (err: Error) => void): void
  /** Leaves the group (LeaveGroup, or a heartbeat with epoch -1) and stops heartbeating. */
  leave (): Promise<void>
}
