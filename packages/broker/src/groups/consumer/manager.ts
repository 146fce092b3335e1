// The KIP-848 consumer group state machine of one coordinator shard
// (Kafka's GroupMetadataManager, consumer part). A heartbeat:
//   1. creates or updates the member; a new member or a changed
//      subscription (topic names, regex, assignor), or a change in the
//      subscribed topics' partitions, bumps the group epoch;
//   2. when the group epoch is ahead of the target assignment epoch, the
//      server-side assignor computes a new target assignment;
//   3. reconciles this member towards its target (reconcile.ts).
// Every change is a record (records.ts) applied to memory at once and
// written before the heartbeat is answered; a failed write undoes the
// change. Operations on one group run one at a time (heartbeats and timers
// alike), so a snapshot taken at the start of one is exact.
import { randomBytes } from 'node:crypto'
import type { MetadataImage } from '@tributary/metadata'
import { ErrorCode } from '@tributary/protocol'
import { GroupWriteError, type CommitMember, type GroupListing, type GroupManager, type GroupType, type ShardContext } from '../group-manager.js'
import type { GroupRecord } from '../records/index.js'
import { EMPTY_ASSIGNMENT, ownedIsSubset, sameAssignment, toTopicPartitions, type Assignment, type OwnedPartitions } from './assignment.js'
import { ASSIGNORS, type AssignorMember, type AssignorTopic } from './assignors.js'
import { ConsumerGroup, EMPTY_METADATA, LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH, type ConsumerMember, type GroupSnapshot } from './group.js'
import { reconcile, sameCurrent } from './reconcile.js'
import { decodeConsumerRecord, encodeConsumerRecord, type ConsumerRecordData, type MemberMetadata, type SubscriptionMetadata, type TopicMetadata } from './records.js'
import { compileTopicRegex } from './regex.js'

export interface HeartbeatRequest {
  groupId: string
  memberId: string
  memberEpoch: number
  instanceId: string | null
  rackId: string | null
  rebalanceTimeoutMs: number
  subscribedTopicNames: readonly string[] | null
  subscribedTopicRegex: string | null
  serverAssignor: string | null
  topicPartitions: OwnedPartitions
  clientId: string
  clientHost: string
  apiVersion: number
  /** The shard's manager of another group type (an empty classic group with this id is replaced). */
  managerOf?: (type: GroupType) => GroupManager | undefined
}

export interface HeartbeatResponse {
  errorCode: number
  errorMessage: string | null
  memberId: string | null
  memberEpoch: number
  heartbeatIntervalMs: number
  assignment: { topicPartitions: Array<{ topicId: string, partitions: number[] }> } | null
}

export interface DescribedTopicPartitions { topicId: string, topicName: string, partitions: number[] }

export interface DescribedMember {
  memberId: string
  instanceId: string | null
  rackId: string | null
  memberEpoch: number
  clientId: string
  clientHost: string
  subscribedTopicNames: string[]
  subscribedTopicRegex: string | null
  assignment: DescribedTopicPartitions[]
  targetAssignment: DescribedTopicPartitions[]
}

export interface DescribedGroup {
  groupId: string
  groupState: string
  groupEpoch: number
  assignmentEpoch: number
  assignorName: string
  members: DescribedMember[]
}

/** An error answer of a heartbeat: thrown inside an operation, which is then undone. */
class HeartbeatError extends Error {
  constructor (readonly errorCode: number, message: string) { super(message) }
}

/** One operation on one group: the records it made (already applied) and how to undo them. */
interface Txn {
  group: ConsumerGroup
  existed: boolean
  snapshot: GroupSnapshot
  records: GroupRecord[]
  /** Records of other group types written in the same batch (an empty classic group replaced). */
  foreign: GroupRecord[]
  /** Timer changes to make once the records are durable. */
  after: Array<() => void>
}

const memberKey = (groupId: string, memberId: string): string => `${groupId}\u0000${memberId}`

/** Kafka's Uuid.randomUuid().toString(): 16 random bytes, URL-safe base64 without padding. */
export function newMemberId (): string {
  return randomBytes(16).toString('base64url')
}

function errorResponse (errorCode: number, errorMessage: string | null): HeartbeatResponse {
  return { errorCode, errorMessage, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null }
}

function sameNames (a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  const s = new Set(a)
  return b.every(n => s.has(n))
}

function sameMetadata (a: MemberMetadata, b: MemberMetadata): boolean {
  return a.instanceId === b.instanceId && a.rackId === b.rackId && a.clientId === b.clientId && a.clientHost === b.clientHost &&
    a.rebalanceTimeoutMs === b.rebalanceTimeoutMs && a.serverAssignor === b.serverAssignor &&
    a.subscribedTopicRegex === b.subscribedTopicRegex && sameNames(a.subscribedTopicNames, b.subscribedTopicNames)
}

function sameSubscriptionMetadata (a: SubscriptionMetadata, b: SubscriptionMetadata): boolean {
  if (a === b) return true
  if (a.size !== b.size) return false
  for (const [name, t] of a) {
    const o = b.get(name)
    if (o === undefined || o.id !== t.id || o.partitions !== t.partitions) return false
  }
  return true
}

export class ConsumerGroupManager implements GroupManager {
  readonly type = 'consumer' as const
  private readonly groups = new Map<string, ConsumerGroup>()
  /** Records this manager wrote and already applied: their live replay is skipped. */
  private readonly own = new WeakSet<GroupRecord>()
  private readonly queues = new Map<string, Promise<void>>()
  private readonly sessionDeadlines = new Map<string, number>()
  private readonly metadataCache = new WeakMap<ConsumerGroup, { image: MetadataImage, version: number, value: SubscriptionMetadata }>()
  private closed = false

  constructor (private readonly ctx: ShardContext) {}

  // ---------------------------------------------------------------- records

  replay (record: GroupRecord, live: boolean): void {
    if (record.kind !== 'consumer') return
    if (live && this.own.has(record)) { this.own.delete(record); return }
    let d: ConsumerRecordData | null
    try {
      d = decodeConsumerRecord(record)
    } catch (err) {
      this.ctx.log.warn({ group: record.group, keyVersion: record.keyVersion, err: (err as Error).message }, 'skipping an unreadable consumer group record')
      return
    }
    if (d !== null) this.apply(d)
  }

  private apply (d: ConsumerRecordData): void {
    let g = this.groups.get(d.group)
    const tombstone = (d.type === 'group-epoch' || d.type === 'target-epoch') ? d.epoch === null
      : d.type === 'partition-metadata' ? d.topics === null
        : d.type === 'target' ? d.assignment === null : d.value === null
    if (g === undefined) {
      if (tombstone) return
      g = new ConsumerGroup(d.group)
      this.groups.set(d.group, g)
    }
    const conflicts = g.apply(d)
    if (conflicts.length > 0) {
      this.ctx.log.error({ group: d.group, partitions: conflicts }, 'a consumer group partition is held by two members')
    }
    if (d.type === 'member' && d.value === null) this.cancelTimers(d.group, d.memberId)
    if (d.type === 'group-epoch' && d.epoch === null) {
      for (const id of g.members.keys()) this.cancelTimers(d.group, id)
      this.groups.delete(d.group)
    }
  }

  private emit (tx: Txn, d: ConsumerRecordData): void {
    const rec = encodeConsumerRecord(d)
    this.own.add(rec)
    tx.records.push(rec)
    this.apply(d)
    // A group deleted and created again within one operation keeps its object.
    if (!this.groups.has(tx.group.groupId)) this.groups.set(tx.group.groupId, tx.group)
  }

  // ----------------------------------------------------------- transactions

  private begin (groupId: string): Txn {
    let group = this.groups.get(groupId)
    const existed = group !== undefined
    if (group === undefined) { group = new ConsumerGroup(groupId); this.groups.set(groupId, group) }
    return { group, existed, snapshot: group.snapshot(), records: [], foreign: [], after: [] }
  }

  private rollback (tx: Txn): void {
    // Should the records still become durable, their replay must apply them.
    for (const r of tx.records) this.own.delete(r)
    if (!tx.existed) {
      if (this.groups.get(tx.group.groupId) === tx.group) this.groups.delete(tx.group.groupId)
    } else {
      tx.group.restore(tx.snapshot)
      this.groups.set(tx.group.groupId, tx.group)
      // Applying a member's tombstone cancelled its timers: the restored members need theirs.
      for (const m of tx.group.members.values()) {
        if (!this.ctx.timers.has(this.timerKey('session', tx.group.groupId, m.memberId))) this.scheduleSessionTimeout(tx.group.groupId, m.memberId)
      }
    }
  }

  private async commit (tx: Txn): Promise<void> {
    try {
      await this.ctx.write([...tx.foreign, ...tx.records])
    } catch (err) {
      this.rollback(tx)
      const code = err instanceof GroupWriteError ? err.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR
      throw new HeartbeatError(code, (err as Error).message)
    }
    if (!tx.existed && tx.records.length === 0 && tx.group.members.size === 0) this.groups.delete(tx.group.groupId)
    for (const f of tx.after) f()
  }

  /** Runs operations on one group one after another. */
  private serialize<T> (groupId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(groupId) ?? Promise.resolve()
    const run = prev.then(fn)
    const tail = run.then(() => {}, () => {})
    this.queues.set(groupId, tail)
    void tail.then(() => { if (this.queues.get(groupId) === tail) this.queues.delete(groupId) })
    return run
  }

  // -------------------------------------------------------------- heartbeat

  /** Kafka's throwIfConsumerGroupHeartbeatRequestIsInvalid, plus the regex and assignor checks. */
  private validate (req: HeartbeatRequest): HeartbeatError | null {
    const invalid = (m: string): HeartbeatError => new HeartbeatError(ErrorCode.INVALID_REQUEST, m)
    if (req.groupId === '') return invalid('GroupId can\'t be empty.')
    if (req.instanceId === '') return invalid('InstanceId can\'t be empty.')
    if (req.rackId === '') return invalid('RackId can\'t be empty.')
    // v1 members generate their id (KIP-1082); v0 members get one on joining.
    if (req.memberId === '' && (req.apiVersion >= 1 || req.memberEpoch !== 0)) return invalid('MemberId can\'t be empty.')
    if (req.memberEpoch === 0) {
      if (req.rebalanceTimeoutMs === -1) return invalid('RebalanceTimeoutMs must be provided in first request.')
      if (req.topicPartitions === null || req.topicPartitions.length > 0) return invalid('TopicPartitions must be empty when (re-)joining.')
      if (req.subscribedTopicNames === null && req.subscribedTopicRegex === null) {
        return invalid('Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.')
      }
    } else if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      if (req.instanceId === null) return invalid('InstanceId can\'t be null.')
    } else if (req.memberEpoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      return invalid('MemberEpoch is invalid.')
    }
    if (req.subscribedTopicRegex !== null && req.subscribedTopicRegex !== '' && compileTopicRegex(req.subscribedTopicRegex) === null) {
      return new HeartbeatError(ErrorCode.INVALID_REGULAR_EXPRESSION, `SubscribedTopicRegex \`${req.subscribedTopicRegex}\` is not a valid regular expression.`)
    }
    const assignors = this.ctx.settings.consumerAssignors
    if (req.serverAssignor !== null && !assignors.includes(req.serverAssignor)) {
      return new HeartbeatError(ErrorCode.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${assignors.join(', ')}.`)
    }
    return null
  }

  /** ConsumerGroupHeartbeat: join (epoch 0), heartbeat, leave (-1) or static leave (-2). */
  async heartbeat (req: HeartbeatRequest): Promise<HeartbeatResponse> {
    const invalid = this.validate(req)
    if (invalid !== null) return errorResponse(invalid.errorCode, invalid.message)
    return await this.serialize(req.groupId, async () => {
      try {
        if (this.closed) return errorResponse(ErrorCode.NOT_COORDINATOR, 'the coordinator partition is unloading')
        if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) return await this.leave(req)
        return await this.joinOrHeartbeat(req)
      } catch (err) {
        if (err instanceof HeartbeatError) return errorResponse(err.errorCode, err.message)
        throw err
      }
    })
  }

  private checkEpoch (m: ConsumerMember, received: number, owned: OwnedPartitions): void {
    // Epoch 0 from a known member is a rejoin after it lost its partitions
    // (fenced, or restarted with the same id): it gets its assignment again.
    if (received === 0) return
    if (received > m.memberEpoch) {
      throw new HeartbeatError(ErrorCode.FENCED_MEMBER_EPOCH, `The consumer group member has a greater member epoch (${received}) than the one known by the group coordinator (${m.memberEpoch}). The member must abandon all its partitions and rejoin.`)
    }
    // The previous epoch with a subset of the assignment: the response that bumped the epoch was lost.
    if (received < m.memberEpoch && (received !== m.previousMemberEpoch || !ownedIsSubset(owned, m.assigned))) {
      throw new HeartbeatError(ErrorCode.FENCED_MEMBER_EPOCH, `The consumer group member has a smaller member epoch (${received}) than the one known by the group coordinator (${m.memberEpoch}). The member must abandon all its partitions and rejoin.`)
    }
  }

  private async joinOrHeartbeat (req: HeartbeatRequest): Promise<HeartbeatResponse> {
    const { groupId } = req
    const settings = this.ctx.settings
    const foreign: GroupRecord[] = []
    if (!this.groups.has(groupId)) {
      if (req.memberEpoch !== 0) throw new HeartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${groupId} not found.`)
      const other = this.ctx.groupType(groupId)
      if (other !== undefined && other !== 'consumer') {
        // Kafka replaces an empty classic group; online upgrade of a classic group with members is not supported.
        const m = req.managerOf?.(other)
        if (m === undefined || !m.isEmpty(groupId)) throw new HeartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`)
        foreign.push(...m.deletionRecords(groupId))
      }
    }
    const tx = this.begin(groupId)
    tx.foreign = foreign
    try {
      const g = tx.group
      if (g.members.size >= settings.consumerMaxSize && (req.memberId === '' || !g.members.has(req.memberId))) {
        throw new HeartbeatError(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${settings.consumerMaxSize} members.`)
      }
      const memberId = req.memberId !== '' ? req.memberId : newMemberId()
      const owned = req.topicPartitions
      let before: ConsumerMember | undefined
      if (req.instanceId === null) {
        before = g.members.get(memberId)
        if (before === undefined) {
          if (req.memberEpoch !== 0) throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${groupId}.`)
        } else {
          this.checkEpoch(before, req.memberEpoch, owned)
        }
      } else {
        const existing = g.staticMember(req.instanceId)
        if (req.memberEpoch === 0) {
          if (existing === undefined || existing.memberId === memberId) {
            before = existing ?? g.members.get(memberId)
          } else {
            if (existing.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
              throw new HeartbeatError(ErrorCode.UNRELEASED_INSTANCE_ID, `Static member ${memberId} with instance id ${req.instanceId} cannot join the group because the instance id is owned by ${existing.memberId} member.`)
            }
            before = this.replaceStaticMember(tx, existing, memberId)
          }
        } else {
          if (existing === undefined) throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${req.instanceId} is unknown.`)
          if (existing.memberId !== memberId) {
            throw new HeartbeatError(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${req.instanceId} was fenced by member ${existing.memberId}.`)
          }
          this.checkEpoch(existing, req.memberEpoch, owned)
          before = existing
        }
      }
      const isNew = before === undefined
      const base: MemberMetadata = before ?? EMPTY_METADATA

      // 1. The member and its subscription; the group epoch.
      const regex = req.subscribedTopicRegex === null ? base.subscribedTopicRegex : req.subscribedTopicRegex === '' ? null : req.subscribedTopicRegex
      const meta: MemberMetadata = {
        instanceId: req.instanceId ?? base.instanceId,
        rackId: req.rackId ?? base.rackId,
        clientId: req.clientId,
        clientHost: req.clientHost,
        rebalanceTimeoutMs: req.rebalanceTimeoutMs === -1 ? base.rebalanceTimeoutMs : req.rebalanceTimeoutMs,
        serverAssignor: req.serverAssignor ?? base.serverAssignor,
        subscribedTopicRegex: regex,
        subscribedTopicNames: req.subscribedTopicNames === null ? base.subscribedTopicNames : [...req.subscribedTopicNames]
      }
      const subscriptionChanged = isNew || regex !== base.subscribedTopicRegex || !sameNames(meta.subscribedTopicNames, base.subscribedTopicNames)
      let bump = g.groupEpoch === 0 || subscriptionChanged || meta.serverAssignor !== base.serverAssignor
      if (isNew || !sameMetadata(base, meta)) this.emit(tx, { type: 'member', group: groupId, memberId, value: meta })
      const topics = this.subscriptionMetadataOf(g)
      if (!sameSubscriptionMetadata(topics, g.subscriptionMetadata)) {
        this.emit(tx, { type: 'partition-metadata', group: groupId, topics })
        bump = true
      }
      if (bump) this.emit(tx, { type: 'group-epoch', group: groupId, epoch: g.groupEpoch + 1 })

      // 2. A new target assignment when the group epoch moved past it.
      if (g.groupEpoch > g.assignmentEpoch) this.updateTargetAssignment(tx)

      // 3. Reconcile this member towards its target.
      const current = g.members.get(memberId)!
      const next = reconcile({
        current,
        targetEpoch: g.assignmentEpoch,
        target: g.targetOf(memberId),
        subscribedTopicIds: this.subscribedTopicIds(g, current),
        hasSubscriptionChanged: subscriptionChanged,
        owned,
        partitionEpoch: (t, p) => g.partitionEpoch(t, p)
      })
      if (next !== current && !sameCurrent(next, current)) {
        this.emit(tx, { type: 'current', group: groupId, memberId, value: next })
        if (next.state === 'unrevoked_partitions') {
          const timeout = current.rebalanceTimeoutMs > 0 ? current.rebalanceTimeoutMs : settings.consumerSessionTimeoutMs
          tx.after.push(() => this.scheduleRebalanceTimeout(groupId, memberId, next.memberEpoch, timeout))
        } else {
          tx.after.push(() => this.ctx.timers.cancel(this.timerKey('rebalance', groupId, memberId)))
        }
      }
      tx.after.push(() => this.scheduleSessionTimeout(groupId, memberId))
      await this.commit(tx)
      if (isNew) this.ctx.log.info({ group: groupId, member: memberId, instanceId: meta.instanceId }, 'member joined the consumer group')

      const after = g.members.get(memberId)
      const memberEpoch = after?.memberEpoch ?? next.memberEpoch
      const assigned = after?.assigned ?? next.assigned
      // Kafka sends the assignment on a full request (joining, or every field
      // sent after an error) and whenever the assigned partitions changed.
      const full = req.memberEpoch === 0 ||
        (req.rebalanceTimeoutMs !== -1 && (req.subscribedTopicNames !== null || req.subscribedTopicRegex !== null) && owned !== null)
      const changed = !sameAssignment(before?.assigned ?? EMPTY_ASSIGNMENT, assigned)
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        memberId,
        memberEpoch,
        heartbeatIntervalMs: settings.consumerHeartbeatIntervalMs,
        assignment: full || changed ? { topicPartitions: toTopicPartitions(assigned) } : null
      }
    } catch (err) {
      // Undo whatever this heartbeat applied (idempotent after a failed commit).
      this.rollback(tx)
      throw err
    }
  }

  /** A static member rejoins under a new member id after leaving with epoch -2: the new id takes its place and partitions. */
  private replaceStaticMember (tx: Txn, old: ConsumerMember, memberId: string): ConsumerMember {
    const g = tx.group
    const target = g.targetOf(old.memberId)
    this.removeMemberRecords(tx, old.memberId)
    const { memberId: _drop, memberEpoch: _e, previousMemberEpoch: _p, state, assigned, pendingRevocation, ...meta } = old
    this.emit(tx, { type: 'member', group: g.groupId, memberId, value: meta })
    this.emit(tx, { type: 'target', group: g.groupId, memberId, assignment: target })
    this.emit(tx, { type: 'current', group: g.groupId, memberId, value: { memberEpoch: 0, previousMemberEpoch: 0, state, assigned, pendingRevocation } })
    tx.after.push(() => this.cancelTimers(g.groupId, old.memberId))
    this.ctx.log.info({ group: g.groupId, instanceId: old.instanceId, member: memberId, replaced: old.memberId }, 'static member rejoined under a new member id')
    return g.members.get(memberId)!
  }

  private removeMemberRecords (tx: Txn, memberId: string): void {
    const groupId = tx.group.groupId
    this.emit(tx, { type: 'current', group: groupId, memberId, value: null })
    this.emit(tx, { type: 'target', group: groupId, memberId, assignment: null })
    this.emit(tx, { type: 'member', group: groupId, memberId, value: null })
  }

  /** Removes a member (leave, session or rebalance timeout): its partitions become free and the group epoch is bumped. */
  private fence (tx: Txn, memberId: string): void {
    const g = tx.group
    this.removeMemberRecords(tx, memberId)
    const topics = this.subscriptionMetadataOf(g)
    if (!sameSubscriptionMetadata(topics, g.subscriptionMetadata)) this.emit(tx, { type: 'partition-metadata', group: g.groupId, topics })
    this.emit(tx, { type: 'group-epoch', group: g.groupId, epoch: g.groupEpoch + 1 })
    tx.after.push(() => this.cancelTimers(g.groupId, memberId))
  }

  private async leave (req: HeartbeatRequest): Promise<HeartbeatResponse> {
    const { groupId, memberId } = req
    const g = this.groups.get(groupId)
    if (g === undefined) throw new HeartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${groupId} not found.`)
    let m: ConsumerMember | undefined
    if (req.instanceId === null) {
      m = g.members.get(memberId)
      if (m === undefined) throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${groupId}.`)
    } else {
      m = g.staticMember(req.instanceId)
      if (m === undefined) throw new HeartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${req.instanceId} is unknown.`)
      if (m.memberId !== memberId) {
        throw new HeartbeatError(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${req.instanceId} was fenced by member ${m.memberId}.`)
      }
    }
    const tx = this.begin(groupId)
    if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      // A static member going away for a while keeps its partitions (nobody
      // else gets them) until it rejoins or its session expires.
      const { memberEpoch: _e, ...rest } = m
      this.emit(tx, { type: 'current', group: groupId, memberId, value: { memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, previousMemberEpoch: rest.previousMemberEpoch, state: rest.state, assigned: rest.assigned, pendingRevocation: EMPTY_ASSIGNMENT } })
      tx.after.push(() => {
        this.ctx.timers.cancel(this.timerKey('rebalance', groupId, memberId))
        this.scheduleSessionTimeout(groupId, memberId)
      })
      await this.commit(tx)
      this.ctx.log.info({ group: groupId, member: memberId, instanceId: req.instanceId }, 'static member left the consumer group temporarily')
      return { errorCode: ErrorCode.NONE, errorMessage: null, memberId, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, heartbeatIntervalMs: 0, assignment: null }
    }
    this.fence(tx, memberId)
    await this.commit(tx)
    this.ctx.log.info({ group: groupId, member: memberId }, 'member left the consumer group')
    return { errorCode: ErrorCode.NONE, errorMessage: null, memberId, memberEpoch: LEAVE_GROUP_MEMBER_EPOCH, heartbeatIntervalMs: 0, assignment: null }
  }

  // -------------------------------------------------------- topics, targets

  /** The topics a member subscribes to (names and regex), as ids of the group's subscription metadata. */
  private subscribedTopicIds (g: ConsumerGroup, m: MemberMetadata): Set<string> {
    const names = new Set(m.subscribedTopicNames)
    const re = m.subscribedTopicRegex === null ? null : compileTopicRegex(m.subscribedTopicRegex)
    const ids = new Set<string>()
    for (const [name, t] of g.subscriptionMetadata) if (names.has(name) || re?.test(name) === true) ids.add(t.id)
    return ids
  }

  /**
   * The subscribed topics that exist, from the current metadata image: by
   * name, or matching a member's regex (internal topics never match a regex).
   * Cached per image and subscription version, since every heartbeat asks.
   */
  private subscriptionMetadataOf (g: ConsumerGroup): SubscriptionMetadata {
    const image = this.ctx.metadata.image()
    const cached = this.metadataCache.get(g)
    if (cached !== undefined && cached.image === image && cached.version === g.subscriptionVersion) return cached.value
    const names = new Set<string>()
    const regexes: RegExp[] = []
    for (const m of g.members.values()) {
      for (const n of m.subscribedTopicNames) names.add(n)
      if (m.subscribedTopicRegex !== null) {
        const re = compileTopicRegex(m.subscribedTopicRegex)
        if (re !== null) regexes.push(re)
      }
    }
    const value = new Map<string, TopicMetadata>()
    for (const name of names) {
      const t = image.topics.get(name)
      if (t !== undefined) value.set(name, { id: t.id, partitions: t.partitions.length })
    }
    if (regexes.length > 0) {
      for (const t of image.topics.values()) {
        if (!t.internal && !value.has(t.name) && regexes.some(re => re.test(t.name))) value.set(t.name, { id: t.id, partitions: t.partitions.length })
      }
    }
    this.metadataCache.set(g, { image, version: g.subscriptionVersion, value })
    return value
  }

  /** Kafka's preferred server assignor: the one most members ask for, else the first configured. */
  private assignorName (g: ConsumerGroup): string {
    const configured = this.ctx.settings.consumerAssignors
    const counts = new Map<string, number>()
    for (const m of g.members.values()) if (m.serverAssignor !== null) counts.set(m.serverAssignor, (counts.get(m.serverAssignor) ?? 0) + 1)
    let best: string | undefined
    for (const name of configured) {
      const c = counts.get(name) ?? 0
      if (c > 0 && (best === undefined || c > counts.get(best)!)) best = name
    }
    return best ?? configured[0] ?? 'uniform'
  }

  private updateTargetAssignment (tx: Txn): void {
    const g = tx.group
    const topics = new Map<string, AssignorTopic>()
    for (const [name, t] of g.subscriptionMetadata) topics.set(t.id, { id: t.id, name, partitions: t.partitions })
    const members: AssignorMember[] = [...g.members.values()].map(m => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      rackId: m.rackId,
      topics: this.subscribedTopicIds(g, m),
      current: g.targetOf(m.memberId)
    }))
    const name = this.assignorName(g)
    const assignor = ASSIGNORS.get(name) ?? ASSIGNORS.get('uniform')!
    const result = assignor.assign(members, topics)
    for (const m of members) {
      const a: Assignment = result.get(m.memberId) ?? EMPTY_ASSIGNMENT
      if (!g.targets.has(m.memberId) || !sameAssignment(a, g.targetOf(m.memberId))) {
        this.emit(tx, { type: 'target', group: g.groupId, memberId: m.memberId, assignment: a })
      }
    }
    for (const id of [...g.targets.keys()]) if (!g.members.has(id)) this.emit(tx, { type: 'target', group: g.groupId, memberId: id, assignment: null })
    this.emit(tx, { type: 'target-epoch', group: g.groupId, epoch: g.groupEpoch })
    this.ctx.log.debug({ group: g.groupId, epoch: g.groupEpoch, assignor: assignor.name }, 'computed a new target assignment')
  }

  // ----------------------------------------------------------------- timers

  private timerKey (kind: 'session' | 'rebalance', groupId: string, memberId: string): string {
    return `consumer-${kind}\u0000${memberKey(groupId, memberId)}`
  }

  private scheduleSessionTimeout (groupId: string, memberId: string): void {
    if (!this.groups.get(groupId)?.members.has(memberId)) return
    const timeout = this.ctx.settings.consumerSessionTimeoutMs
    this.sessionDeadlines.set(memberKey(groupId, memberId), this.ctx.now() + timeout)
    this.ctx.timers.schedule(this.timerKey('session', groupId, memberId), timeout, () => {
      void this.serialize(groupId, async () => await this.expire(groupId, memberId, 'session')).catch(() => {})
    })
  }

  private scheduleRebalanceTimeout (groupId: string, memberId: string, memberEpoch: number, timeoutMs: number): void {
    this.ctx.timers.schedule(this.timerKey('rebalance', groupId, memberId), timeoutMs, () => {
      void this.serialize(groupId, async () => await this.expire(groupId, memberId, 'rebalance', memberEpoch)).catch(() => {})
    })
  }

  private cancelTimers (groupId: string, memberId: string): void {
    this.ctx.timers.cancel(this.timerKey('session', groupId, memberId))
    this.ctx.timers.cancel(this.timerKey('rebalance', groupId, memberId))
    this.sessionDeadlines.delete(memberKey(groupId, memberId))
  }

  /** A member missed its session, or did not revoke its partitions within its rebalance timeout: it is fenced. */
  private async expire (groupId: string, memberId: string, why: 'session' | 'rebalance', memberEpoch?: number): Promise<void> {
    if (this.closed) return
    const m = this.groups.get(groupId)?.members.get(memberId)
    if (m === undefined) return
    if (why === 'session') {
      const deadline = this.sessionDeadlines.get(memberKey(groupId, memberId))
      if (deadline !== undefined && this.ctx.now() < deadline) return
    } else if (m.memberEpoch !== memberEpoch || m.state !== 'unrevoked_partitions') {
      return
    }
    const tx = this.begin(groupId)
    this.fence(tx, memberId)
    try {
      await this.commit(tx)
      this.ctx.log.info({ group: groupId, member: memberId, reason: why === 'session' ? 'session timeout' : 'rebalance timeout' }, 'member fenced from the consumer group')
    } catch (err) {
      // The write failed (the state was restored): try again a little later.
      this.ctx.log.warn({ group: groupId, member: memberId, err: (err as Error).message }, 'fencing an expired member failed')
      this.ctx.timers.schedule(this.timerKey(why, groupId, memberId), 1000, () => {
        void this.serialize(groupId, async () => await this.expire(groupId, memberId, why, memberEpoch)).catch(() => {})
      })
    }
  }

  onLoaded (): void {
    for (const g of this.groups.values()) {
      for (const m of g.members.values()) {
        this.scheduleSessionTimeout(g.groupId, m.memberId)
        if (m.state === 'unrevoked_partitions') {
          this.scheduleRebalanceTimeout(g.groupId, m.memberId, m.memberEpoch, m.rebalanceTimeoutMs > 0 ? m.rebalanceTimeoutMs : this.ctx.settings.consumerSessionTimeoutMs)
        }
      }
    }
  }

  // ------------------------------------------------------------ group views

  has (groupId: string): boolean {
    return this.groups.has(groupId)
  }

  /** The group's state machine, for tests and describe. */
  group (groupId: string): ConsumerGroup | undefined {
    return this.groups.get(groupId)
  }

  * list (): Iterable<GroupListing> {
    for (const g of this.groups.values()) yield { groupId: g.groupId, protocolType: 'consumer', state: g.state, type: 'consumer' }
  }

  describe (groupId: string): DescribedGroup | undefined {
    const g = this.groups.get(groupId)
    if (g === undefined) return undefined
    const byId = this.ctx.metadata.image().topicsById
    const names = new Map<string, string>()
    for (const [name, t] of g.subscriptionMetadata) names.set(t.id, name)
    const topics = (a: Assignment): DescribedTopicPartitions[] =>
      toTopicPartitions(a).map(t => ({ topicId: t.topicId, topicName: byId.get(t.topicId)?.name ?? names.get(t.topicId) ?? '', partitions: t.partitions }))
    return {
      groupId,
      groupState: g.state,
      groupEpoch: g.groupEpoch,
      assignmentEpoch: g.assignmentEpoch,
      assignorName: this.assignorName(g),
      members: [...g.members.values()].map(m => ({
        memberId: m.memberId,
        instanceId: m.instanceId,
        rackId: m.rackId,
        memberEpoch: m.memberEpoch,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: [...m.subscribedTopicNames],
        subscribedTopicRegex: m.subscribedTopicRegex,
        assignment: topics(m.assigned),
        targetAssignment: topics(g.targetOf(m.memberId))
      }))
    }
  }

  /** Kafka's ConsumerGroup.validateOffsetCommit. */
  validateOffsetCommit (groupId: string, member: CommitMember, apiVersion: number, transactional = false): number {
    const g = this.groups.get(groupId)
    if (g === undefined) return ErrorCode.NONE
    // Epoch -1: an admin client or a consumer outside the group; allowed while the group is empty.
    if (member.generationIdOrMemberEpoch < 0 && g.members.size === 0) return ErrorCode.NONE
    const m = g.members.get(member.memberId)
    if (m === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    // TxnOffsetCommit carries the member epoch as its generation id; a stale one is ILLEGAL_GENERATION there.
    if (transactional) return member.generationIdOrMemberEpoch === m.memberEpoch ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION
    // Members of a consumer group must commit with OffsetCommit v9+ (member epochs).
    if (apiVersion < 9) return ErrorCode.UNSUPPORTED_VERSION
    if (member.generationIdOrMemberEpoch !== m.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH
    return ErrorCode.NONE
  }

  /** Kafka's ConsumerGroup.validateOffsetFetch. */
  validateOffsetFetch (groupId: string, memberId: string | null, memberEpoch: number): number {
    if (memberId === null && memberEpoch < 0) return ErrorCode.NONE
    const g = this.groups.get(groupId)
    if (g === undefined) return ErrorCode.GROUP_ID_NOT_FOUND
    const m = memberId === null ? undefined : g.members.get(memberId)
    if (m === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    if (memberEpoch !== m.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH
    return ErrorCode.NONE
  }

  isEmpty (groupId: string): boolean {
    return (this.groups.get(groupId)?.members.size ?? 0) === 0
  }

  isSubscribedTo (groupId: string, topic: string): boolean {
    const g = this.groups.get(groupId)
    if (g === undefined) return false
    for (const m of g.members.values()) {
      if (m.subscribedTopicNames.includes(topic)) return true
      if (m.subscribedTopicRegex !== null && compileTopicRegex(m.subscribedTopicRegex)?.test(topic) === true) return true
    }
    return false
  }

  /** Tombstones for every record of the group (Kafka's createGroupTombstoneRecords). */
  deletionRecords (groupId: string): GroupRecord[] {
    const g = this.groups.get(groupId)
    if (g === undefined) return []
    const out: ConsumerRecordData[] = []
    const ids = new Set([...g.members.keys(), ...g.targets.keys()])
    for (const memberId of ids) out.push({ type: 'current', group: groupId, memberId, value: null })
    for (const memberId of ids) out.push({ type: 'target', group: groupId, memberId, assignment: null })
    out.push({ type: 'target-epoch', group: groupId, epoch: null })
    for (const memberId of ids) out.push({ type: 'member', group: groupId, memberId, value: null })
    out.push({ type: 'partition-metadata', group: groupId, topics: null })
    out.push({ type: 'group-epoch', group: groupId, epoch: null })
    return out.map(encodeConsumerRecord)
  }

  close (): void {
    this.closed = true
    this.sessionDeadlines.clear()
  }
}
