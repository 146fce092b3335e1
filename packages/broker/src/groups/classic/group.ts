import { randomUUID } from 'node:crypto'
import { ErrorCode } from '@tributary/protocol'
import { ClassicMember } from './member.js'
import { canTransition, type ClassicState } from './state.js'
import { CONSUMER_PROTOCOL_TYPE, subscriptionTopics } from './consumer-protocol.js'
import type { JoinProtocol, JoinResponseMember } from './types.js'

/**
 * One classic group (Kafka's ClassicGroup): its state, generation, selected
 * protocol, leader and members, with the bookkeeping of a rebalance (who
 * has yet to join, who has yet to sync). The rules of the protocol live in
 * the manager; this class keeps the group's invariants.
 */
export class ClassicGroup {
  state: ClassicState
  previousState: ClassicState = 'Dead'
  stateTimestamp: number
  protocolType: string | null
  protocolName: string | null
  generationId: number
  leaderId: string | null
  /** In join order: when the leader leaves, the first remaining member leads (as Kafka's map iteration does). */
  readonly members = new Map<string, ClassicMember>()
  /** group.instance.id → member id (KIP-345). */
  readonly staticMembers = new Map<string, string>()
  /** Member ids handed out with MEMBER_ID_REQUIRED and not yet rejoined (KIP-394). */
  readonly pendingJoinMembers = new Set<string>()
  /** Members that have not sent SyncGroup for the current generation. */
  readonly pendingSyncMembers = new Set<string>()
  /** Set when a member joins during the initial (delayed) rebalance, to extend the delay. */
  newMemberAdded = false
  /** Topics the members subscribe to, when the protocol type is "consumer" and the subscriptions decode. */
  subscribedTopics: Set<string> | null = null

  constructor (
    readonly groupId: string,
    now: number,
    init: { state?: ClassicState, generationId?: number, protocolType?: string | null, protocolName?: string | null, leaderId?: string | null } = {}
  ) {
    this.state = init.state ?? 'Empty'
    this.stateTimestamp = now
    this.generationId = init.generationId ?? 0
    this.protocolType = init.protocolType ?? null
    this.protocolName = init.protocolName ?? null
    this.leaderId = init.leaderId ?? null
  }

  is (state: ClassicState): boolean { return this.state === state }

  transitionTo (state: ClassicState, now: number): void {
    if (!canTransition(this.state, state)) throw new Error(`group ${this.groupId}: no transition from ${this.state} to ${state}`)
    this.previousState = this.state
    this.state = state
    this.stateTimestamp = now
  }

  member (memberId: string): ClassicMember | undefined { return this.members.get(memberId) }
  has (memberId: string): boolean { return this.members.has(memberId) }
  isLeader (memberId: string): boolean { return this.leaderId === memberId }

  add (member: ClassicMember): void {
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId)
    if (this.members.size === 0) this.protocolType = member.protocolType
    this.leaderId ??= member.memberId
    this.members.set(member.memberId, member)
    this.pendingJoinMembers.delete(member.memberId)
  }

  /** Removes a member (or a pending one) and picks a new leader if it led. */
  remove (memberId: string): ClassicMember | undefined {
    const m = this.members.get(memberId)
    if (m !== undefined) {
      this.members.delete(memberId)
      if (m.groupInstanceId !== null && this.staticMembers.get(m.groupInstanceId) === memberId) this.staticMembers.delete(m.groupInstanceId)
    }
    if (this.leaderId === memberId) {
      const next = this.members.keys().next()
      this.leaderId = next.done === true ? null : next.value
    }
    this.pendingJoinMembers.delete(memberId)
    this.pendingSyncMembers.delete(memberId)
    return m
  }

  /**
   * A static member rejoined with a new member id (KIP-345): the old id is
   * fenced (its parked requests answer FENCED_INSTANCE_ID) and a member with
   * the new id takes its place, keeping its assignment and leadership.
   */
  replaceStaticMember (groupInstanceId: string, oldMemberId: string, newMemberId: string): ClassicMember {
    const old = this.members.get(oldMemberId)
    if (old === undefined) throw new Error(`group ${this.groupId}: no member ${oldMemberId} to replace`)
    this.members.delete(oldMemberId)
    old.completeJoin({ errorCode: ErrorCode.FENCED_INSTANCE_ID, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId: oldMemberId, members: [] })
    old.completeSync({ errorCode: ErrorCode.FENCED_INSTANCE_ID, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) })
    const fresh = new ClassicMember(newMemberId, old.groupInstanceId, old.clientId, old.clientHost, old.rebalanceTimeoutMs, old.sessionTimeoutMs, old.protocolType, old.protocols, old.assignment)
    this.members.set(newMemberId, fresh)
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId
    this.staticMembers.set(groupInstanceId, newMemberId)
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId)
    return fresh
  }

  staticMemberId (groupInstanceId: string): string | undefined { return this.staticMembers.get(groupInstanceId) }

  /**
   * Kafka's validateMember: a group.instance.id must map to this member id
   * (FENCED_INSTANCE_ID if it maps to another, UNKNOWN_MEMBER_ID if to none),
   * and the member must exist. ErrorCode.NONE when it does.
   */
  validateMember (memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const existing = this.staticMembers.get(groupInstanceId)
      if (existing === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
      if (existing !== memberId) return ErrorCode.FENCED_INSTANCE_ID
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID
  }

  isStaticMemberFenced (groupInstanceId: string, memberId: string): boolean {
    const existing = this.staticMembers.get(groupInstanceId)
    return existing !== undefined && existing !== memberId
  }

  numAwaitingJoin (): number {
    let n = 0
    for (const m of this.members.values()) if (m.awaitingJoin !== null) n++
    return n
  }

  hasAllMembersJoined (): boolean {
    return this.pendingJoinMembers.size === 0 && this.numAwaitingJoin() === this.members.size
  }

  /** The longest rebalance timeout of the members: how long a rebalance waits for them. */
  rebalanceTimeoutMs (): number {
    let max = 0
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs)
    return max
  }

  /** Protocol names every member supports. */
  candidateProtocols (): Set<string> {
    let names: Set<string> | null = null
    for (const m of this.members.values()) {
      const mine = new Set(m.protocols.map(p => p.name))
      names = names === null ? mine : new Set([...names].filter((n: string) => mine.has(n)))
    }
    return names ?? new Set()
  }

  /**
   * Whether a member with these protocols may join: any non-empty type and
   * list while the group is Empty; otherwise the group's type and at least
   * one protocol every current member supports.
   */
  supportsProtocols (protocolType: string, protocols: readonly JoinProtocol[]): boolean {
    if (this.is('Empty')) return protocolType !== '' && protocols.length > 0
    if (this.protocolType !== protocolType) return false
    const candidates = this.candidateProtocols()
    return protocols.some(p => candidates.has(p.name))
  }

  /**
   * Kafka's protocol selection: among the protocols all members support,
   * each member votes for its most preferred; the most votes wins (ties go
   * to the protocol voted for first).
   */
  selectProtocol (): string | null {
    const candidates = this.candidateProtocols()
    const votes = new Map<string, number>()
    for (const m of this.members.values()) {
      const v = m.vote(candidates)
      if (v !== undefined) votes.set(v, (votes.get(v) ?? 0) + 1)
    }
    let best: string | null = null
    let bestVotes = 0
    for (const [name, n] of votes) if (n > bestVotes) { best = name; bestVotes = n }
    return best
  }

  /** The members' subscribed topics when they speak the consumer protocol (OffsetDelete, offset expiry). */
  computeSubscribedTopics (): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null
    if (this.members.size === 0) return new Set()
    if (this.protocolName === null) return null
    const all = new Set<string>()
    for (const m of this.members.values()) {
      const topics = subscriptionTopics(m.metadata(this.protocolName))
      if (topics === null) return null
      for (const t of topics) all.add(t)
    }
    return all
  }

  isSubscribedTo (topic: string): boolean {
    return this.subscribedTopics !== null ? this.subscribedTopics.has(topic) : this.protocolType === CONSUMER_PROTOCOL_TYPE
  }

  /** The next generation: bumps the id and selects the protocol; CompletingRebalance with members, Empty without. */
  initNextGeneration (now: number): void {
    this.generationId++
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol()
      this.subscribedTopics = this.computeSubscribedTopics()
      this.transitionTo('CompletingRebalance', now)
    } else {
      this.protocolName = null
      this.subscribedTopics = this.computeSubscribedTopics()
      this.transitionTo('Empty', now)
    }
    this.pendingSyncMembers.clear()
  }

  /** The member list the leader gets in its JoinGroup response. */
  joinResponseMembers (): JoinResponseMember[] {
    return [...this.members.values()].map(m => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata(this.protocolName) }))
  }

  /** Kafka's member ids: the group.instance.id or client id, a dash and a random UUID. */
  static generateMemberId (clientId: string, groupInstanceId: string | null): string {
    return `${groupInstanceId ?? clientId}-${randomUUID()}`
  }
}
