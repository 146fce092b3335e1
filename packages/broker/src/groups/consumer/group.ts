// The state of one KIP-848 consumer group, rebuilt from its records (the
// same `apply` serves the live path and the replay after a restart, so the
// two cannot drift apart). Members are immutable values replaced on change,
// which makes a snapshot (for undoing a failed write) a shallow copy.
import { EMPTY_ASSIGNMENT, partitionsOf, type Assignment } from './assignment.js'
import { INITIAL_ASSIGNMENT, isReconciledTo, type CurrentAssignment } from './reconcile.js'
import type { ConsumerRecordData, MemberMetadata, SubscriptionMetadata } from './records.js'

export interface ConsumerMember extends MemberMetadata, CurrentAssignment {
  readonly memberId: string
}

/** Kafka's ConsumerGroupState names, as ListGroups and ConsumerGroupDescribe give them. */
export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable'

export const LEAVE_GROUP_MEMBER_EPOCH = -1
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2

export const EMPTY_METADATA: MemberMetadata = {
  instanceId: null, rackId: null, clientId: '', clientHost: '', rebalanceTimeoutMs: -1, serverAssignor: null, subscribedTopicRegex: null, subscribedTopicNames: []
}

export interface GroupSnapshot {
  groupEpoch: number
  assignmentEpoch: number
  subscriptionMetadata: SubscriptionMetadata
  members: Map<string, ConsumerMember>
  targets: Map<string, Assignment>
}

const pkey = (topicId: string, partition: number): string => `${topicId}:${partition}`
let versions = 0

export class ConsumerGroup {
  groupEpoch = 0
  assignmentEpoch = 0
  subscriptionMetadata: SubscriptionMetadata = new Map()
  members = new Map<string, ConsumerMember>()
  /** Target assignment per member id. */
  targets = new Map<string, Assignment>()
  /** Changes whenever a member's subscription does (cache key of the subscribed topics). */
  subscriptionVersion = ++versions
  /** Who holds each partition (assigned or pending revocation): "topicId:partition" → member id. */
  private owners = new Map<string, string>()

  constructor (readonly groupId: string) {}

  get state (): ConsumerGroupState {
    if (this.members.size === 0) return 'Empty'
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning'
    for (const m of this.members.values()) if (!isReconciledTo(m, this.assignmentEpoch)) return 'Reconciling'
    return 'Stable'
  }

  staticMember (instanceId: string): ConsumerMember | undefined {
    for (const m of this.members.values()) if (m.instanceId === instanceId) return m
    return undefined
  }

  /** The epoch of the member holding a partition, -1 when nobody does (Kafka's currentPartitionEpoch). */
  partitionEpoch (topicId: string, partition: number): number {
    const owner = this.owners.get(pkey(topicId, partition))
    if (owner === undefined) return -1
    return this.members.get(owner)?.memberEpoch ?? -1
  }

  /** The member holding a partition, if any. */
  ownerOf (topicId: string, partition: number): string | undefined {
    return this.owners.get(pkey(topicId, partition))
  }

  /**
   * Applies one record. Returns the partitions some other member already
   * held when this member took them (always empty when the state machine is
   * right; the caller logs them).
   */
  apply (d: ConsumerRecordData): string[] {
    switch (d.type) {
      case 'group-epoch':
        this.groupEpoch = d.epoch ?? 0
        return []
      case 'target-epoch':
        this.assignmentEpoch = d.epoch ?? 0
        return []
      case 'partition-metadata':
        this.subscriptionMetadata = d.topics ?? new Map()
        return []
      case 'target':
        if (d.assignment === null) this.targets.delete(d.memberId)
        else this.targets.set(d.memberId, d.assignment)
        return []
      case 'member': {
        const old = this.members.get(d.memberId)
        if (d.value === null) {
          if (old !== undefined) { this.release(old); this.members.delete(d.memberId); this.subscriptionVersion = ++versions }
          return []
        }
        const base: CurrentAssignment = old ?? INITIAL_ASSIGNMENT
        this.members.set(d.memberId, { ...base, ...d.value, memberId: d.memberId })
        this.subscriptionVersion = ++versions
        return []
      }
      case 'current': {
        const old = this.members.get(d.memberId)
        const value = d.value ?? { ...INITIAL_ASSIGNMENT, memberEpoch: LEAVE_GROUP_MEMBER_EPOCH }
        if (d.value === null && old === undefined) return []
        if (old !== undefined) this.release(old)
        const member: ConsumerMember = { ...EMPTY_METADATA, ...old, ...value, memberId: d.memberId }
        this.members.set(d.memberId, member)
        return this.hold(member)
      }
    }
  }

  private release (m: ConsumerMember): void {
    for (const a of [m.assigned, m.pendingRevocation]) {
      for (const [t, p] of partitionsOf(a)) if (this.owners.get(pkey(t, p)) === m.memberId) this.owners.delete(pkey(t, p))
    }
  }

  private hold (m: ConsumerMember): string[] {
    const conflicts: string[] = []
    for (const a of [m.assigned, m.pendingRevocation]) {
      for (const [t, p] of partitionsOf(a)) {
        const prev = this.owners.get(pkey(t, p))
        if (prev !== undefined && prev !== m.memberId) conflicts.push(`${pkey(t, p)} of ${prev}`)
        this.owners.set(pkey(t, p), m.memberId)
      }
    }
    return conflicts
  }

  snapshot (): GroupSnapshot {
    return {
      groupEpoch: this.groupEpoch,
      assignmentEpoch: this.assignmentEpoch,
      subscriptionMetadata: this.subscriptionMetadata,
      members: new Map(this.members),
      targets: new Map(this.targets)
    }
  }

  restore (s: GroupSnapshot): void {
    this.groupEpoch = s.groupEpoch
    this.assignmentEpoch = s.assignmentEpoch
    this.subscriptionMetadata = s.subscriptionMetadata
    this.members = new Map(s.members)
    this.targets = new Map(s.targets)
    // Anything derived from subscriptions must be recomputed.
    this.subscriptionVersion = ++versions
    this.owners = new Map()
    for (const m of this.members.values()) this.hold(m)
  }

  targetOf (memberId: string): Assignment {
    return this.targets.get(memberId) ?? EMPTY_ASSIGNMENT
  }
}
