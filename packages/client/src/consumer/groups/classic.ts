import { ErrorCode, KafkaError } from '@tributary/protocol'
import { HeartbeatApi } from '@tributary/protocol/apis/heartbeat'
import { JoinGroupApi } from '@tributary/protocol/apis/join-group'
import { LeaveGroupApi } from '@tributary/protocol/apis/leave-group'
import { SyncGroupApi } from '@tributary/protocol/apis/sync-group'
import type { Cluster } from '../../cluster/cluster.js'
import { backoffMs } from '../../cluster/retry.js'
import { isRetriableError } from '../../errors.js'
import type { AssignmentListener, CommitIdentity, GroupMembership } from '../group-membership.js'
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './consumer-protocol.js'
import { InterruptibleSleep } from './interruptible-sleep.js'
import { rangeAssign } from './range-assignor.js'

export interface ClassicGroupOptions {
  /** Kafka's `session.timeout.ms` (45000). */
  sessionTimeoutMs?: number
  /** Kafka's `max.poll.interval.ms`, sent as the rebalance timeout (300000). */
  rebalanceTimeoutMs?: number
  /** Kafka's `heartbeat.interval.ms` (3000). */
  heartbeatIntervalMs?: number
  /** Kafka's `group.instance.id`: a static member (KIP-345). */
  groupInstanceId?: string
}

/** Errors after which the member must join again; UNKNOWN_MEMBER_ID also loses the member id. */
const REJOIN = new Set<number>([ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_MEMBER_ID])

/**
 * A member of a classic consumer group (Kafka's ConsumerCoordinator with
 * the eager protocol): JoinGroup (again with the assigned member id after
 * MEMBER_ID_REQUIRED, KIP-394), the leader computes a range assignment and
 * hands it over in SyncGroup, then Heartbeat every interval until the
 * coordinator asks for a rebalance. Before rejoining, every partition is
 * revoked, so that no two members fetch one partition.
 */
export class ClassicGroupMembership implements GroupMembership {
  private memberId = ''
  private generationId = -1
  private topics: readonly string[] = []
  private listener: AssignmentListener = async () => {}
  private readonly errorListeners: Array<(err: Error) => void> = []
  private rejoinNeeded = true
  private stopped = false
  private loop: Promise<void> | undefined
  private readonly sleeper = new InterruptibleSleep()
  private readonly sessionTimeoutMs: number
  private readonly rebalanceTimeoutMs: number
  private readonly heartbeatIntervalMs: number
  private readonly groupInstanceId: string | null

  constructor (private readonly cluster: Cluster, readonly groupId: string, opts: ClassicGroupOptions = {}) {
    this.sessionTimeoutMs = opts.sessionTimeoutMs ?? 45_000
    this.rebalanceTimeoutMs = opts.rebalanceTimeoutMs ?? 300_000
    this.heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 3000
    this.groupInstanceId = opts.groupInstanceId ?? null
  }

  async start (topics: readonly string[], onAssignment: AssignmentListener): Promise<void> {
    this.topics = [...topics]
    this.listener = onAssignment
    await this.joinAndSync()
    this.loop = this.heartbeatLoop()
  }

  updateSubscription (topics: readonly string[]): void {
    this.topics = [...topics]
    this.rejoinNeeded = true
    this.sleeper.wake()
  }

  commitIdentity (): CommitIdentity {
    return { generationIdOrMemberEpoch: this.generationId, memberId: this.memberId, groupInstanceId: this.groupInstanceId }
  }

  onError (listener: (err: Error) => void): void { this.errorListeners.push(listener) }

  async leave (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.sleeper.wake()
    // A JoinGroup in flight can be held by the coordinator up to the
    // rebalance timeout; LeaveGroup is what releases it, so do not wait long.
    const loopDone = this.loop?.catch(() => {})
    await Promise.race([loopDone, new Promise(resolve => setTimeout(resolve, 1000).unref())])
    // A static member keeps its place through restarts: it does not leave (KIP-345).
    if (this.memberId === '' || this.groupInstanceId !== null) return
    try {
      const conn = await this.cluster.node(await this.cluster.coordinator(this.groupId))
      const version = conn.versionFor(LeaveGroupApi)
      await conn.send(LeaveGroupApi, version >= 3
        ? { groupId: this.groupId, members: [{ memberId: this.memberId, groupInstanceId: null, reason: 'the consumer is closing' }] }
        : { groupId: this.groupId, memberId: this.memberId }, { version })
    } catch {
      // Leaving is a courtesy: the session timeout removes the member anyway.
    }
    this.memberId = ''
  }

  private async joinAndSync (): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const coordinator = await this.cluster.coordinator(this.groupId)
        const conn = await this.cluster.node(coordinator)
        const join = await conn.send(JoinGroupApi, {
          groupId: this.groupId,
          sessionTimeoutMs: this.sessionTimeoutMs,
          rebalanceTimeoutMs: this.rebalanceTimeoutMs,
          memberId: this.memberId,
          groupInstanceId: this.groupInstanceId,
          protocolType: 'consumer',
          protocols: [{ name: 'range', metadata: encodeSubscription(this.topics) }],
          reason: null
          // The coordinator holds JoinGroup until every member joined, up to the rebalance timeout.
        }, { timeoutMs: this.rebalanceTimeoutMs + this.cluster.requestTimeoutMs })
        if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) { this.memberId = join.memberId; continue }
        if (join.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) { this.memberId = ''; continue }
        if (join.errorCode !== 0) throw KafkaError.fromCode(join.errorCode, `JoinGroup '${this.groupId}'`)
        this.memberId = join.memberId
        this.generationId = join.generationId
        let assignments: Array<{ memberId: string, assignment: Buffer }> = []
        if (join.leader === join.memberId && !join.skipAssignment) assignments = await this.assign(join.members)
        const sync = await conn.send(SyncGroupApi, {
          groupId: this.groupId,
          generationId: this.generationId,
          memberId: this.memberId,
          groupInstanceId: this.groupInstanceId,
          protocolType: 'consumer',
          protocolName: join.protocolName,
          assignments
        }, { timeoutMs: this.rebalanceTimeoutMs + this.cluster.requestTimeoutMs })
        if (REJOIN.has(sync.errorCode)) {
          if (sync.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = ''
          continue
        }
        if (sync.errorCode !== 0) throw KafkaError.fromCode(sync.errorCode, `SyncGroup '${this.groupId}'`)
        this.rejoinNeeded = false
        await this.listener(decodeAssignment(sync.assignment))
        return
      } catch (err) {
        if (!isRetriableError(err) || this.stopped) throw err
        await this.cluster.afterError(err).catch(() => {})
        await this.sleeper.sleep(backoffMs(Math.min(attempt, 10), this.cluster.retryOptions))
      }
    }
  }

  /** The leader's job: a range assignment over the members' subscriptions. */
  private async assign (members: ReadonlyArray<{ memberId: string, metadata: Buffer }>): Promise<Array<{ memberId: string, assignment: Buffer }>> {
    const subs = members.map(m => ({ memberId: m.memberId, topics: decodeSubscription(m.metadata).topics }))
    const topics = [...new Set(subs.flatMap(s => s.topics))]
    const counts = new Map<string, number>()
    await this.cluster.refreshMetadata(topics)
    for (const t of topics) {
      const info = this.cluster.metadata.topics.get(t)
      // A subscribed topic that does not exist (yet) gets no partitions, as in Kafka.
      if (info !== undefined && info.errorCode === 0) counts.set(t, info.partitions.length)
    }
    return [...rangeAssign(subs, counts)].map(([memberId, tps]) => ({ memberId, assignment: encodeAssignment(tps) }))
  }

  private async heartbeatLoop (): Promise<void> {
    let failures = 0
    while (!this.stopped) {
      if (!this.rejoinNeeded) await this.sleeper.sleep(this.heartbeatIntervalMs)
      if (this.stopped) return
      try {
        if (this.rejoinNeeded) {
          // Eager rebalance: give everything up before joining again.
          await this.listener([])
          await this.joinAndSync()
          failures = 0
          continue
        }
        const res = await this.cluster.send(await this.cluster.coordinator(this.groupId), HeartbeatApi, {
          groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.groupInstanceId
        })
        if (REJOIN.has(res.errorCode)) {
          if (res.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = ''
          this.rejoinNeeded = true
        } else if (res.errorCode !== 0) {
          throw KafkaError.fromCode(res.errorCode, `Heartbeat '${this.groupId}'`)
        }
        failures = 0
      } catch (err) {
        if (this.stopped) return
        if (!isRetriableError(err)) {
          for (const l of this.errorListeners) l(err as Error)
          this.rejoinNeeded = true
        } else {
          await this.cluster.afterError(err).catch(() => {})
        }
        await this.sleeper.sleep(backoffMs(Math.min(failures++, 10), this.cluster.retryOptions))
      }
    }
  }
}
