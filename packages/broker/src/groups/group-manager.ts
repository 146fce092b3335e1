import type { MetadataStore } from '@tributary/metadata'
import type { Logger } from '../network/index.js'
import type { OffsetStore } from './offsets/offset-store.js'
import type { GroupRecord } from './records/index.js'
import type { GroupSettings } from './settings.js'
import type { Timers } from './timers.js'

/** Kafka 4's group types: classic (JoinGroup/SyncGroup) and consumer (KIP-848). */
export type GroupType = 'classic' | 'consumer'

/** One row of ListGroups. */
export interface GroupListing {
  groupId: string
  protocolType: string
  /** Kafka's state names: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead; Assigning, Reconciling for consumer groups. */
  state: string
  type: GroupType
}

/** The member fields of an OffsetCommit (or TxnOffsetCommit) that the group checks. */
export interface CommitMember {
  memberId: string
  /** Generation (classic) or member epoch (consumer); -1 for a commit from outside the group. */
  generationIdOrMemberEpoch: number
  groupInstanceId: string | null
}

/**
 * What a shard gives its group managers: a durable write of records, timers,
 * the settings and the metadata image (assignors need partition counts).
 */
export interface ShardContext {
  /** The `__consumer_offsets` partition this shard is. */
  readonly partition: number
  readonly settings: GroupSettings
  readonly log: Logger
  readonly timers: Timers
  readonly metadata: MetadataStore
  readonly offsets: OffsetStore
  now (): number
  /**
   * Appends the records as one batch to the shard's partition, waits until
   * they are durable, replays them into every manager (live = true) and
   * resolves. A response that depends on them is sent only after this
   * resolves (DESIGN.md §1 principle 4). Rejects with a GroupWriteError.
   */
  write (records: GroupRecord[]): Promise<void>
  /** The type of a group id in this shard, if any manager holds it. */
  groupType (groupId: string): GroupType | undefined
}

/**
 * The state machine of one group type in one shard (Kafka's
 * GroupMetadataManager, split by type). State is rebuilt by `replay` when
 * the shard loads; live requests may change in-memory-only state (members
 * joining, timers) directly and persist what must survive through
 * `ShardContext.write`.
 */
export interface GroupManager {
  readonly type: GroupType
  /**
   * Applies one record of the shard. `live` is false while the shard loads
   * from the log, true for records this shard just wrote (the manager may
   * already hold their effect). Records of other types are ignored.
   */
  replay (record: GroupRecord, live: boolean): void
  /** The shard finished loading: start the timers that loaded state needs (session expiry). */
  onLoaded (): void
  has (groupId: string): boolean
  list (): Iterable<GroupListing>
  /**
   * Kafka's validateOffsetCommit for a group of this type: ErrorCode.NONE or
   * the code to return. `transactional` is set for TxnOffsetCommit, which
   * Kafka checks differently (no CompletingRebalance check for classic
   * groups; ILLEGAL_GENERATION and no OffsetCommit version check for
   * consumer groups).
   */
  validateOffsetCommit (groupId: string, member: CommitMember, apiVersion: number, transactional?: boolean): number
  /** OffsetFetch v9+ member checks (KIP-848): ErrorCode.NONE or the code. */
  validateOffsetFetch (groupId: string, memberId: string | null, memberEpoch: number): number
  /** No members: its offsets may expire, and DeleteGroups may delete it. */
  isEmpty (groupId: string): boolean
  /** Whether the group's members consume `topic` (OffsetDelete answers GROUP_SUBSCRIBED_TO_TOPIC). */
  isSubscribedTo (groupId: string, topic: string): boolean
  /** Records that remove the group's own metadata (tombstones); offsets are removed by the caller. */
  deletionRecords (groupId: string): GroupRecord[]
  close (): void
}

/** A failed coordinator write, with the Kafka error code the request gets. */
export class GroupWriteError extends Error {
  constructor (readonly errorCode: number, message: string) {
    super(message)
    this.name = 'GroupWriteError'
  }
}
