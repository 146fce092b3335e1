import { ErrorCode } from '@tributary/protocol'
import type { CommitMember, GroupListing, GroupManager, ShardContext } from '../group-manager.js'
import type { GroupMetadataValue, GroupRecord } from '../records/index.js'
import { describeClassicGroup } from './describe.js'
import { ClassicGroup } from './group.js'
import { ClassicMember } from './member.js'
import { validateClassicOffsetCommit } from './offset-checks.js'
import { groupFromRecord, groupRecord, newGroupRecord } from './records.js'
import { NO_MEMBER, errorCodeOf, joinError, syncError } from './responses.js'
import { canRebalance } from './state.js'
import {
  EMPTY_ASSIGNMENT,
  type DescribedGroup, type HeartbeatParams, type JoinParams, type JoinResponse, type LeaveIdentity, type LeaveMemberResult,
  type LeaveResult, type SyncParams, type SyncResponse
} from './types.js'

/**
 * How long a new member's parked JoinGroup may wait before it is dropped
 * (Kafka's classic new-member join timeout, 5 minutes): a client that
 * timed out and retried must not leave defunct members behind.
 */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60_000

/**
 * Kafka's classic group protocol (JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup) for the groups of one coordinator shard: the state machine
 * Empty → PreparingRebalance → CompletingRebalance → Stable, generations,
 * protocol selection, session and rebalance timeouts, the initial
 * rebalance delay, group.max.size, KIP-394 member ids and KIP-345 static
 * membership.
 *
 * Members, parked requests and timers live in memory; what must survive a
 * restart (the generation, the members and the assignments the leader sent)
 * is written as the group's metadata record when a rebalance completes, and
 * `replay` rebuilds the group from it (Stable, or Empty without members).
 */
export class ClassicGroupManager implements GroupManager {
  readonly type = 'classic' as const
  private readonly groups = new Map<string, ClassicGroup>()
  /** Writes started by the current operation (an empty group's record), awaited by LeaveGroup. */
  private opWrites: Array<Promise<void>> = []
  private closed = false

  constructor (private readonly ctx: ShardContext) {}

  // ---- keys of the shard's timers --------------------------------------

  private static heartbeatKey (groupId: string, memberId: string): string { return `classic\u0000hb\u0000${groupId}\u0000${memberId}` }
  private static joinKey (groupId: string): string { return `classic\u0000join\u0000${groupId}` }
  private static syncKey (groupId: string): string { return `classic\u0000sync\u0000${groupId}` }

  // ---- GroupManager ------------------------------------------------------

  replay (record: GroupRecord, live: boolean): void {
    if (record.kind !== 'group') return
    if (record.value === null) {
      this.dropGroup(record.group)
      return
    }
    // A live record is one this manager just wrote: its effect is already in memory.
    if (live) return
    this.loadGroup(record.group, record.value)
  }

  onLoaded (): void {
    for (const group of this.groups.values()) {
      for (const m of group.members.values()) this.rescheduleHeartbeat(group, m)
      if (group.members.size > this.ctx.settings.groupMaxSize) {
        // group.max.size was lowered since the group formed: a rebalance lets the extra members commit and be dropped.
        this.runDetached(() => this.prepareRebalance(group, `loaded group is over group.max.size ${this.ctx.settings.groupMaxSize}`))
      }
    }
  }

  has (groupId: string): boolean { return this.groups.has(groupId) }

  * list (): Iterable<GroupListing> {
    for (const g of this.groups.values()) yield { groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state, type: 'classic' }
  }

  /** Classic groups do not check members on OffsetFetch; only a Dead group (being unloaded) is not found, as in Kafka. */
  validateOffsetFetch (groupId: string, _memberId: string | null, _memberEpoch: number): number {
    return this.groups.get(groupId)?.is('Dead') === true ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.NONE
  }

  /** Kafka's ClassicGroup.validateOffsetCommit (offset-checks.ts). */
  validateOffsetCommit (groupId: string, member: CommitMember, _apiVersion: number, transactional = false): number {
    return validateClassicOffsetCommit(this.groups.get(groupId), member, transactional)
  }

  isEmpty (groupId: string): boolean {
    const g = this.groups.get(groupId)
    return g === undefined || g.is('Empty')
  }

  isSubscribedTo (groupId: string, topic: string): boolean {
    return this.groups.get(groupId)?.isSubscribedTo(topic) ?? false
  }

  deletionRecords (groupId: string): GroupRecord[] {
    return [{ kind: 'group', group: groupId, value: null }]
  }

  /**
   * The shard unloads (broker shutdown): every parked JoinGroup and
   * SyncGroup answers NOT_COORDINATOR, as Kafka's onUnloaded does, so no
   * request and no shutdown waits on a group.
   */
  close (): void {
    this.closed = true
    for (const group of this.groups.values()) {
      group.transitionTo('Dead', this.ctx.now())
      for (const m of group.members.values()) {
        m.completeJoin(joinError(ErrorCode.NOT_COORDINATOR, m.memberId))
        m.completeSync(syncError(ErrorCode.NOT_COORDINATOR))
      }
    }
  }

  // ---- what the handlers use --------------------------------------------

  /** group.min/max.session.timeout.ms bound the session timeout a member may ask for. */
  sessionTimeoutError (sessionTimeoutMs: number): number {
    const s = this.ctx.settings
    return sessionTimeoutMs < s.groupMinSessionTimeoutMs || sessionTimeoutMs > s.groupMaxSessionTimeoutMs ? ErrorCode.INVALID_SESSION_TIMEOUT : ErrorCode.NONE
  }

  /** The group for DescribeGroups, or null if this manager does not hold it (Kafka answers Dead). */
  describe (groupId: string): DescribedGroup | null {
    const g = this.groups.get(groupId)
    return g === undefined ? null : describeClassicGroup(g)
  }

  /** Read-only view of a group for tests and diagnostics. */
  group (groupId: string): ClassicGroup | undefined { return this.groups.get(groupId) }

  /**
   * JoinGroup. Resolves when the member has its answer: at once for errors
   * and MEMBER_ID_REQUIRED, otherwise when the join phase of the rebalance
   * completes (or the shard closes).
   */
  join (p: JoinParams): Promise<JoinResponse> {
    return this.answerOnce(respond => this.doJoin(p, respond), () => joinError(ErrorCode.UNKNOWN_SERVER_ERROR, p.memberId))
  }

  sync (p: SyncParams): Promise<SyncResponse> {
    return this.answerOnce(respond => this.doSync(p, respond), () => syncError(ErrorCode.UNKNOWN_SERVER_ERROR))
  }

  /**
   * Runs a request that answers through a callback, possibly much later (a
   * parked JoinGroup or SyncGroup): the first answer wins, and a bug in the
   * state machine answers UNKNOWN_SERVER_ERROR instead of leaving it parked.
   */
  private answerOnce<R> (run: (respond: (r: R) => void) => void, onBug: () => R): Promise<R> {
    return new Promise<R>(resolve => {
      let done = false
      const once = (r: R): void => { if (!done) { done = true; resolve(r) } }
      try {
        run(once)
      } catch (err) {
        this.logBug(err)
        once(onBug())
      }
    })
  }

  heartbeat (p: HeartbeatParams): number {
    const group = this.groups.get(p.groupId)
    if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    const code = group.validateMember(p.memberId, p.groupInstanceId)
    if (code !== ErrorCode.NONE) return code
    if (p.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION
    const member = group.member(p.memberId)!
    switch (group.state) {
      case 'Empty':
        return ErrorCode.UNKNOWN_MEMBER_ID
      case 'PreparingRebalance':
        this.rescheduleHeartbeat(group, member)
        return ErrorCode.REBALANCE_IN_PROGRESS
      default:
        // Members may heartbeat between their JoinGroup and SyncGroup answers (CompletingRebalance): a normal heartbeat.
        this.rescheduleHeartbeat(group, member)
        return ErrorCode.NONE
    }
  }

  /** LeaveGroup, one result per member (v3+ batches them, KIP-345). */
  async leave (groupId: string, identities: readonly LeaveIdentity[]): Promise<LeaveResult> {
    const group = this.groups.get(groupId)
    if (group === undefined) {
      return { errorCode: ErrorCode.NONE, members: identities.map(i => ({ memberId: i.memberId, groupInstanceId: i.groupInstanceId, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })) }
    }
    if (group.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] }
    const writes = this.collectWrites(() => {
      const results: LeaveMemberResult[] = []
      const ok = (i: LeaveIdentity): void => { results.push({ memberId: i.memberId, groupInstanceId: i.groupInstanceId, errorCode: ErrorCode.NONE }) }
      const fail = (i: LeaveIdentity, errorCode: number): void => { results.push({ memberId: i.memberId, groupInstanceId: i.groupInstanceId, errorCode }) }
      for (const i of identities) {
        if (i.memberId === NO_MEMBER) {
          // An admin may remove a static member by its instance id alone (KIP-345).
          const id = i.groupInstanceId === null ? undefined : group.staticMemberId(i.groupInstanceId)
          if (id === undefined) { fail(i, ErrorCode.UNKNOWN_MEMBER_ID); continue }
          this.removeCurrentMember(group, id)
          ok(i)
        } else if (group.pendingJoinMembers.has(i.memberId)) {
          group.remove(i.memberId)
          this.ctx.timers.cancel(ClassicGroupManager.heartbeatKey(groupId, i.memberId))
          ok(i)
        } else {
          const code = group.validateMember(i.memberId, i.groupInstanceId)
          if (code !== ErrorCode.NONE) { fail(i, code); continue }
          this.removeCurrentMember(group, i.memberId)
          ok(i)
        }
      }
      if (results.some(r => r.errorCode === ErrorCode.NONE)) {
        if (group.is('Stable') || group.is('CompletingRebalance')) this.maybePrepareRebalanceOrCompleteJoin(group, 'members left')
        else if (group.is('PreparingRebalance')) this.maybeCompleteJoinPhase(group)
      }
      return results
    })
    try {
      await Promise.all(writes.pending)
    } catch (err) {
      return { errorCode: errorCodeOf(err), members: [] }
    }
    return { errorCode: ErrorCode.NONE, members: writes.result }
  }

  // ---- JoinGroup -----------------------------------------------------------

  private doJoin (p: JoinParams, resolve: (r: JoinResponse) => void): void {
    if (this.closed) { resolve(joinError(ErrorCode.NOT_COORDINATOR, p.memberId)); return }
    const sessionError = this.sessionTimeoutError(p.sessionTimeoutMs)
    if (sessionError !== ErrorCode.NONE) { resolve(joinError(sessionError, p.memberId)); return }
    const isUnknown = p.memberId === NO_MEMBER
    let group = this.groups.get(p.groupId)
    let isNewGroup = false
    if (group === undefined) {
      // Only a member without an id creates a group; a member id for a group that does not exist is unknown.
      if (!isUnknown) { resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId)); return }
      group = new ClassicGroup(p.groupId, this.ctx.now())
      this.groups.set(p.groupId, group)
      isNewGroup = true
    }
    if (!this.acceptJoiningMember(group, p.memberId)) {
      group.remove(p.memberId)
      this.ctx.timers.cancel(ClassicGroupManager.heartbeatKey(group.groupId, p.memberId))
      resolve(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED, NO_MEMBER))
    } else if (isUnknown) {
      this.joinNewMember(group, p, resolve)
    } else {
      this.joinExistingMember(group, p, resolve)
    }
    // Kafka writes a new group's (empty) metadata at once, so that the group exists in the log.
    if (isNewGroup) this.persistNewGroup(group)
  }

  /**
   * Whether the group has room (group.max.size): while preparing a
   * rebalance the members already rejoined count, so that the last to
   * rejoin of an oversized group are the ones turned away; otherwise the
   * members.
   */
  private acceptJoiningMember (group: ClassicGroup, memberId: string): boolean {
    const max = this.ctx.settings.groupMaxSize
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true
      case 'PreparingRebalance':
        return group.member(memberId)?.awaitingJoin != null || group.numAwaitingJoin() < max
      default:
        return group.has(memberId) || group.members.size < max
    }
  }

  private joinNewMember (group: ClassicGroup, p: JoinParams, resolve: (r: JoinResponse) => void): void {
    if (group.is('Dead')) { resolve(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, NO_MEMBER)); return }
    if (!group.supportsProtocols(p.protocolType, p.protocols)) { resolve(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, NO_MEMBER)); return }
    const newMemberId = ClassicGroup.generateMemberId(p.clientId, p.groupInstanceId)
    if (p.groupInstanceId !== null) {
      const existing = group.staticMemberId(p.groupInstanceId)
      if (existing !== undefined) this.replaceStaticMember(group, p, existing, newMemberId, resolve)
      else this.addMemberThenRebalanceOrCompleteJoin(group, p, newMemberId, resolve)
      return
    }
    if (p.requireKnownMemberId) {
      // KIP-394: the member gets its id and joins again with it; until then it is pending, and expires like a session.
      group.pendingJoinMembers.add(newMemberId)
      this.ctx.timers.schedule(ClassicGroupManager.heartbeatKey(group.groupId, newMemberId), p.sessionTimeoutMs, () => this.runDetached(() => this.expireHeartbeat(group.groupId, newMemberId)))
      resolve(joinError(ErrorCode.MEMBER_ID_REQUIRED, newMemberId))
      return
    }
    this.addMemberThenRebalanceOrCompleteJoin(group, p, newMemberId, resolve)
  }

  private joinExistingMember (group: ClassicGroup, p: JoinParams, resolve: (r: JoinResponse) => void): void {
    const memberId = p.memberId
    if (group.is('Dead')) { resolve(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, memberId)); return }
    if (!group.supportsProtocols(p.protocolType, p.protocols)) { resolve(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId)); return }
    if (group.pendingJoinMembers.has(memberId)) {
      // Pending ids are only handed to dynamic members; a group.instance.id with one is a confused client.
      if (p.groupInstanceId !== null) { resolve(joinError(ErrorCode.UNKNOWN_SERVER_ERROR, memberId)); return }
      this.addMemberThenRebalanceOrCompleteJoin(group, p, memberId, resolve)
      return
    }
    const code = group.validateMember(memberId, p.groupInstanceId)
    if (code !== ErrorCode.NONE) { resolve(joinError(code, memberId)); return }
    const member = group.member(memberId)!
    const current = (members = false): JoinResponse => ({
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      skipAssignment: false,
      memberId,
      members: members ? group.joinResponseMembers() : []
    })
    switch (group.state) {
      case 'PreparingRebalance':
        this.updateMemberThenRebalanceOrCompleteJoin(group, member, p, resolve)
        return
      case 'CompletingRebalance':
        // The same metadata again (the member missed its JoinGroup answer): the current generation once more.
        if (member.matches(p.protocols)) resolve(current(group.isLeader(memberId)))
        else this.updateMemberThenRebalanceOrCompleteJoin(group, member, p, resolve)
        return
      case 'Stable':
        // The leader rejoining forces a rebalance (it may see metadata changes the members' subscriptions do not show);
        // so does a member with new metadata. Others get the current generation and go on to SyncGroup.
        if (group.isLeader(memberId) || !member.matches(p.protocols)) this.updateMemberThenRebalanceOrCompleteJoin(group, member, p, resolve)
        else resolve(current())
        return
      default:
        // Empty with a known member cannot happen; the member must reset and join again.
        resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId))
    }
  }

  private addMemberThenRebalanceOrCompleteJoin (group: ClassicGroup, p: JoinParams, memberId: string, resolve: (r: JoinResponse) => void): void {
    const member = new ClassicMember(memberId, p.groupInstanceId, p.clientId, p.clientHost, p.rebalanceTimeoutMs, p.sessionTimeoutMs, p.protocolType, p.protocols)
    member.isNew = true
    // A member joining the initial rebalance extends its delay (Kafka's InitialDelayedJoin).
    if (group.is('PreparingRebalance') && group.previousState === 'Empty') group.newMemberAdded = true
    group.add(member)
    member.awaitingJoin = resolve
    // Its parked JoinGroup cannot heartbeat: if the client gave up and retried, this copy expires (Kafka's new member join timeout).
    this.rescheduleHeartbeat(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS)
    this.maybePrepareRebalanceOrCompleteJoin(group, `member ${memberId} joined`)
  }

  private updateMember (member: ClassicMember, protocols: ClassicMember['protocols'], rebalanceTimeoutMs: number, sessionTimeoutMs: number, resolve: ((r: JoinResponse) => void) | null): void {
    member.protocols = protocols
    member.rebalanceTimeoutMs = rebalanceTimeoutMs
    member.sessionTimeoutMs = sessionTimeoutMs
    member.awaitingJoin = resolve
  }

  private updateMemberThenRebalanceOrCompleteJoin (group: ClassicGroup, member: ClassicMember, p: JoinParams, resolve: (r: JoinResponse) => void): void {
    // A second JoinGroup from the same member replaces the first, which must not stay parked forever: it is told to rejoin.
    const previous = member.awaitingJoin
    this.updateMember(member, p.protocols, p.rebalanceTimeoutMs, p.sessionTimeoutMs, resolve)
    if (previous !== null && previous !== resolve) previous(joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId))
    this.maybePrepareRebalanceOrCompleteJoin(group, `member ${member.memberId} rejoined`)
  }

  /**
   * KIP-345: a static member joined with a new member id. It takes the old
   * member's place; in a Stable group whose selected protocol stays the
   * same, it gets its previous assignment back without a rebalance (once
   * the new member id is in the log); otherwise the group rebalances.
   */
  private replaceStaticMember (group: ClassicGroup, p: JoinParams, oldMemberId: string, newMemberId: string, resolve: (r: JoinResponse) => void): void {
    const instanceId = p.groupInstanceId!
    const currentLeader = group.leaderId ?? ''
    this.ctx.timers.cancel(ClassicGroupManager.heartbeatKey(group.groupId, oldMemberId))
    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId)
    this.rescheduleHeartbeat(group, member)
    const old = { protocols: member.protocols, rebalanceTimeoutMs: member.rebalanceTimeoutMs, sessionTimeoutMs: member.sessionTimeoutMs }
    this.updateMember(member, p.protocols, p.rebalanceTimeoutMs, p.sessionTimeoutMs, resolve)

    if (group.is('Stable')) {
      if ((group.protocolName ?? '') !== (group.selectProtocol() ?? '')) {
        this.maybePrepareRebalanceOrCompleteJoin(group, `static member ${instanceId} rejoined with other protocols`)
        return
      }
      const generation = group.generationId
      this.writeGroup(group).then(() => {
        if (p.supportsSkipAssignment) {
          // v9+: the leader gets the members but must not assign again.
          const isLeader = group.isLeader(newMemberId)
          member.completeJoin({ errorCode: ErrorCode.NONE, generationId: group.generationId, protocolType: group.protocolType, protocolName: group.protocolName, leader: group.leaderId ?? '', skipAssignment: isLeader, memberId: newMemberId, members: isLeader ? group.joinResponseMembers() : [] })
        } else {
          // Older clients are told the old leader id, so that a rejoining leader acts as a follower and only fetches its assignment.
          member.completeJoin({ errorCode: ErrorCode.NONE, generationId: group.generationId, protocolType: group.protocolType, protocolName: group.protocolName, leader: currentLeader, skipAssignment: false, memberId: newMemberId, members: [] })
        }
      }, (err: unknown) => {
        this.ctx.log.warn({ group: group.groupId, instanceId, err: (err as Error).message }, 'persisting a static member failed; reverting to the old member id')
        // Undo the replacement only if nothing else moved the group on meanwhile.
        if (group.members.get(newMemberId) === member && group.generationId === generation && !this.closed) {
          this.updateMember(member, old.protocols, old.rebalanceTimeoutMs, old.sessionTimeoutMs, null)
          this.ctx.timers.cancel(ClassicGroupManager.heartbeatKey(group.groupId, newMemberId))
          const restored = group.replaceStaticMember(instanceId, newMemberId, oldMemberId)
          this.rescheduleHeartbeat(group, restored)
        }
        resolve({ errorCode: errorCodeOf(err), generationId: group.generationId, protocolType: group.protocolType, protocolName: group.protocolName, leader: currentLeader, skipAssignment: false, memberId: NO_MEMBER, members: [] })
      })
    } else if (group.is('CompletingRebalance')) {
      // The leader may have assigned to the old member id already: only a new rebalance keeps ids and assignments consistent.
      this.prepareRebalance(group, `static member ${instanceId} rejoined during CompletingRebalance`)
    } else {
      this.maybeCompleteJoinPhase(group)
    }
  }

  // ---- rebalance -------------------------------------------------------------

  private maybePrepareRebalanceOrCompleteJoin (group: ClassicGroup, reason: string): void {
    if (canRebalance(group.state)) this.prepareRebalance(group, reason)
    else this.maybeCompleteJoinPhase(group)
  }

  private prepareRebalance (group: ClassicGroup, reason: string): void {
    // Members waiting for their assignment must rejoin instead.
    if (group.is('CompletingRebalance')) this.resetAndPropagateAssignmentWithError(group, ErrorCode.REBALANCE_IN_PROGRESS)
    group.pendingSyncMembers.clear()
    this.ctx.timers.cancel(ClassicGroupManager.syncKey(group.groupId))

    const initial = group.is('Empty')
    if (initial) {
      // group.initial.rebalance.delay.ms: a new group waits for more members before its first generation,
      // and each member joining meanwhile extends the wait, within the rebalance timeout.
      const delay = this.ctx.settings.groupInitialRebalanceDelayMs
      const remaining = Math.max(group.rebalanceTimeoutMs() - delay, 0)
      this.scheduleInitialRebalance(group.groupId, delay, delay, remaining)
    }
    group.transitionTo('PreparingRebalance', this.ctx.now())
    this.ctx.log.debug({ group: group.groupId, generation: group.generationId, reason }, 'preparing to rebalance')
    if (!initial) this.maybeCompleteJoinElseSchedule(group)
  }

  private scheduleInitialRebalance (groupId: string, after: number, delay: number, remaining: number): void {
    this.ctx.timers.schedule(ClassicGroupManager.joinKey(groupId), after, () => this.runDetached(() => {
      const group = this.groups.get(groupId)
      if (group === undefined || !group.is('PreparingRebalance')) return
      if (group.newMemberAdded && remaining !== 0) {
        group.newMemberAdded = false
        const next = Math.min(this.ctx.settings.groupInitialRebalanceDelayMs, remaining)
        this.scheduleInitialRebalance(groupId, next, next, Math.max(remaining - delay, 0))
      } else {
        this.completeJoin(group)
      }
    }))
  }

  private maybeCompleteJoinElseSchedule (group: ClassicGroup): void {
    if (group.hasAllMembersJoined()) { this.completeJoin(group); return }
    this.scheduleJoinDeadline(group)
  }

  private scheduleJoinDeadline (group: ClassicGroup): void {
    const groupId = group.groupId
    this.ctx.timers.schedule(ClassicGroupManager.joinKey(groupId), group.rebalanceTimeoutMs(), () => this.runDetached(() => {
      const g = this.groups.get(groupId)
      if (g !== undefined && g.is('PreparingRebalance')) this.completeJoin(g)
    }))
  }

  /** Completes the join phase once everyone rejoined, unless this is the (delayed) initial rebalance. */
  private maybeCompleteJoinPhase (group: ClassicGroup): void {
    if (group.is('PreparingRebalance') && group.previousState !== 'Empty' && group.hasAllMembersJoined()) this.completeJoin(group)
  }

  /**
   * The end of the join phase: dynamic members that did not rejoin within
   * the rebalance timeout are removed (static ones keep their place), the
   * generation is bumped, and every parked JoinGroup is answered (the
   * leader with the members and their metadata). A group left without
   * members becomes Empty and its record says so.
   */
  private completeJoin (group: ClassicGroup): void {
    this.ctx.timers.cancel(ClassicGroupManager.joinKey(group.groupId))
    for (const m of [...group.members.values()]) {
      if (m.awaitingJoin === null && m.groupInstanceId === null) {
        this.removeMember(group, m.memberId)
      }
    }
    if (group.is('Dead')) return
    if (!this.maybeElectNewJoinedLeader(group) && group.members.size > 0) {
      // Nobody rejoined (only static members that did not come back): wait another rebalance timeout for them or for their sessions to end.
      this.scheduleJoinDeadline(group)
      return
    }
    group.initNextGeneration(this.ctx.now())
    if (group.is('Empty')) {
      this.persistEmpty(group)
      return
    }
    for (const m of group.members.values()) {
      m.completeJoin({
        errorCode: ErrorCode.NONE,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leader: group.leaderId ?? '',
        skipAssignment: false,
        memberId: m.memberId,
        members: group.isLeader(m.memberId) ? group.joinResponseMembers() : []
      })
      this.rescheduleHeartbeat(group, m)
      m.isNew = false
      group.pendingSyncMembers.add(m.memberId)
    }
    // Everyone must send SyncGroup within the rebalance timeout.
    const generation = group.generationId
    const groupId = group.groupId
    this.ctx.timers.schedule(ClassicGroupManager.syncKey(groupId), group.rebalanceTimeoutMs(), () => this.runDetached(() => this.expirePendingSync(groupId, generation)))
  }

  /** Keeps the leader if it rejoined, else makes the first rejoined member the leader; false if nobody rejoined. */
  private maybeElectNewJoinedLeader (group: ClassicGroup): boolean {
    if (group.leaderId === null) return false
    const leader = group.member(group.leaderId)
    if (leader?.awaitingJoin != null) return true
    for (const m of group.members.values()) {
      if (m.awaitingJoin !== null) { group.leaderId = m.memberId; return true }
    }
    return false
  }

  private expirePendingSync (groupId: string, generation: number): void {
    const group = this.groups.get(groupId)
    if (group === undefined || group.generationId !== generation) return
    if (!(group.is('CompletingRebalance') || group.is('Stable')) || group.pendingSyncMembers.size === 0) return
    const missing = [...group.pendingSyncMembers]
    for (const id of missing) this.removeMember(group, id)
    this.prepareRebalance(group, `members ${missing.join(', ')} sent no SyncGroup in time`)
  }

  private expireHeartbeat (groupId: string, memberId: string): void {
    const group = this.groups.get(groupId)
    if (group === undefined || group.is('Dead')) return
    if (group.pendingJoinMembers.has(memberId)) {
      group.remove(memberId)
      if (group.is('PreparingRebalance') && group.hasAllMembersJoined()) this.completeJoin(group)
      return
    }
    const member = group.member(memberId)
    if (member === undefined || member.hasSatisfiedHeartbeat()) return
    this.ctx.log.info({ group: groupId, member: memberId }, 'classic group member session expired')
    member.completeJoin(joinError(ErrorCode.UNKNOWN_MEMBER_ID, NO_MEMBER))
    this.removeMember(group, memberId)
    if (group.is('Stable') || group.is('CompletingRebalance')) this.maybePrepareRebalanceOrCompleteJoin(group, `member ${memberId} session expired`)
    else if (group.is('PreparingRebalance') && group.hasAllMembersJoined()) this.completeJoin(group)
  }

  /** LeaveGroup of a current member: its parked JoinGroup answers UNKNOWN_MEMBER_ID, as in Kafka, so an active client joins again. */
  private removeCurrentMember (group: ClassicGroup, memberId: string): void {
    group.member(memberId)?.completeJoin(joinError(ErrorCode.UNKNOWN_MEMBER_ID, NO_MEMBER))
    this.removeMember(group, memberId)
  }

  /** Removes a member and its session timer; a SyncGroup it still has parked is answered so that it never hangs. */
  private removeMember (group: ClassicGroup, memberId: string): void {
    const m = group.remove(memberId)
    this.ctx.timers.cancel(ClassicGroupManager.heartbeatKey(group.groupId, memberId))
    m?.completeSync(syncError(ErrorCode.UNKNOWN_MEMBER_ID))
  }

  private rescheduleHeartbeat (group: ClassicGroup, member: ClassicMember, timeoutMs = member.sessionTimeoutMs): void {
    const groupId = group.groupId
    const memberId = member.memberId
    this.ctx.timers.schedule(ClassicGroupManager.heartbeatKey(groupId, memberId), timeoutMs, () => this.runDetached(() => this.expireHeartbeat(groupId, memberId)))
  }

  // ---- SyncGroup ---------------------------------------------------------------

  private doSync (p: SyncParams, resolve: (r: SyncResponse) => void): void {
    const group = this.groups.get(p.groupId)
    if (group === undefined || group.is('Empty')) { resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID)); return }
    const error = this.validateSync(group, p)
    if (error !== ErrorCode.NONE) { resolve(syncError(error)); return }
    const member = group.member(p.memberId)!
    switch (group.state) {
      case 'PreparingRebalance':
        resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS))
        return
      case 'CompletingRebalance': {
        const previous = member.awaitingSync
        member.awaitingSync = resolve
        if (previous !== null && previous !== resolve) previous(syncError(ErrorCode.REBALANCE_IN_PROGRESS))
        this.removePendingSyncMember(group, p.memberId)
        if (group.isLeader(p.memberId)) this.completeSyncFromLeader(group, p, resolve)
        return
      }
      case 'Stable':
        this.removePendingSyncMember(group, p.memberId)
        resolve({ errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment })
        return
      default:
        resolve(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE))
    }
  }

  private validateSync (group: ClassicGroup, p: SyncParams): number {
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    const code = group.validateMember(p.memberId, p.groupInstanceId)
    if (code !== ErrorCode.NONE) return code
    if (p.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION
    // SyncGroup v5+ names the protocol type and name it expects (KIP-559); a mismatch is inconsistent.
    if (p.protocolType !== null && group.protocolType !== null && p.protocolType !== group.protocolType) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL
    if (p.protocolName !== null && group.protocolName !== null && p.protocolName !== group.protocolName) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL
    return ErrorCode.NONE
  }

  private removePendingSyncMember (group: ClassicGroup, memberId: string): void {
    group.pendingSyncMembers.delete(memberId)
    if (group.pendingSyncMembers.size === 0) this.ctx.timers.cancel(ClassicGroupManager.syncKey(group.groupId))
  }

  /**
   * The leader sent the assignments: they are written with the group's
   * record, and only once that is durable do the members get them and the
   * group become Stable (unless the group moved on meanwhile). A failed
   * write answers everyone with the error and starts over.
   */
  private completeSyncFromLeader (group: ClassicGroup, p: SyncParams, resolve: (r: SyncResponse) => void): void {
    const assignments = new Map<string, Buffer>()
    for (const a of p.assignments) assignments.set(a.memberId, a.assignment)
    for (const id of group.members.keys()) if (!assignments.has(id)) assignments.set(id, EMPTY_ASSIGNMENT)
    const generation = group.generationId
    const stillCurrent = (): boolean => group.is('CompletingRebalance') && group.generationId === generation && this.groups.get(group.groupId) === group
    this.writeGroup(group, assignments).then(() => {
      if (stillCurrent()) {
        for (const m of group.members.values()) m.assignment = assignments.get(m.memberId) ?? EMPTY_ASSIGNMENT
        this.propagateAssignment(group, ErrorCode.NONE)
        group.transitionTo('Stable', this.ctx.now())
      }
      // If the group moved on, the leader was already told to rejoin; this only guards against a leader that left meanwhile.
      resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS))
    }, (err: unknown) => {
      const code = errorCodeOf(err)
      this.ctx.log.warn({ group: group.groupId, generation, err: (err as Error).message }, 'writing the group assignment failed')
      if (stillCurrent()) {
        this.resetAndPropagateAssignmentWithError(group, code)
        this.runDetached(() => this.maybePrepareRebalanceOrCompleteJoin(group, 'the group assignment could not be written'))
      }
      resolve(syncError(code))
    })
  }

  private resetAndPropagateAssignmentWithError (group: ClassicGroup, errorCode: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY_ASSIGNMENT
    this.propagateAssignment(group, errorCode)
  }

  private propagateAssignment (group: ClassicGroup, errorCode: number): void {
    const ok = errorCode === ErrorCode.NONE
    for (const m of group.members.values()) {
      const answered = m.completeSync({
        errorCode,
        protocolType: ok ? group.protocolType : null,
        protocolName: ok ? group.protocolName : null,
        assignment: m.assignment
      })
      // The session restarts from the answer: a member whose session ran out while it waited was not expired for it.
      if (answered) this.rescheduleHeartbeat(group, m)
    }
  }

  // ---- persistence --------------------------------------------------------------

  private writeGroup (group: ClassicGroup, assignments?: ReadonlyMap<string, Buffer>): Promise<void> {
    return this.ctx.write([groupRecord(group, assignments)])
  }

  /**
   * A group left without members: its record says so (no members, the
   * generation it ended at). A failure only means the previous generation
   * comes back after a restart, with members whose sessions then expire.
   */
  private persistEmpty (group: ClassicGroup): void {
    const write = this.writeGroup(group)
    this.opWrites.push(write)
    write.catch((err: unknown) => this.ctx.log.warn({ group: group.groupId, err: (err as Error).message }, 'writing the empty group metadata failed'))
  }

  /** A group created by JoinGroup is written at once (empty), so it exists in the log as in Kafka; if that fails it is forgotten again. */
  private persistNewGroup (group: ClassicGroup): void {
    this.ctx.write([newGroupRecord(group)]).catch((err: unknown) => {
      this.ctx.log.warn({ group: group.groupId, err: (err as Error).message }, 'writing a new group failed')
      if (this.groups.get(group.groupId) === group && group.is('Empty') && group.members.size === 0 && group.pendingJoinMembers.size === 0 && group.generationId === 0) {
        this.groups.delete(group.groupId)
      }
    })
  }

  private loadGroup (groupId: string, value: GroupMetadataValue): void {
    this.dropGroup(groupId)
    this.groups.set(groupId, groupFromRecord(groupId, value, this.ctx.now()))
  }

  /** The group's tombstone (DeleteGroups, offset expiry, a conversion to another type): it is gone. */
  private dropGroup (groupId: string): void {
    const group = this.groups.get(groupId)
    if (group === undefined) return
    this.groups.delete(groupId)
    this.ctx.timers.cancel(ClassicGroupManager.joinKey(groupId))
    this.ctx.timers.cancel(ClassicGroupManager.syncKey(groupId))
    for (const id of [...group.members.keys(), ...group.pendingJoinMembers]) this.ctx.timers.cancel(ClassicGroupManager.heartbeatKey(groupId, id))
    if (!group.is('Dead')) group.transitionTo('Dead', this.ctx.now())
    for (const m of group.members.values()) {
      m.completeJoin(joinError(ErrorCode.UNKNOWN_MEMBER_ID, NO_MEMBER))
      m.completeSync(syncError(ErrorCode.UNKNOWN_MEMBER_ID))
    }
  }

  // ---- plumbing --------------------------------------------------------------------

  /** Runs a state change from a timer or request; a bug in it is logged instead of taking the process down. */
  private runDetached (fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.logBug(err)
    }
  }

  private logBug (err: unknown): void {
    this.ctx.log.error({ err: (err as Error).message, stack: (err as Error).stack }, 'classic group state machine error')
  }

  /** Runs an operation and returns the writes it started (so that LeaveGroup can answer after them). */
  private collectWrites<T> (fn: () => T): { result: T, pending: Array<Promise<void>> } {
    const saved = this.opWrites
    this.opWrites = []
    try {
      const result = fn()
      return { result, pending: this.opWrites }
    } finally {
      this.opWrites = saved
    }
  }
}
