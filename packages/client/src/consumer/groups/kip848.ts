import { randomUUID } from 'node:crypto'
import { ErrorCode, KafkaError } from '@tributary/protocol'
import { ConsumerGroupHeartbeatApi, type ConsumerGroupHeartbeatResponseAssignment } from '@tributary/protocol/apis/consumer-group-heartbeat'
import type { Cluster } from '../../cluster/cluster.js'
import { backoffMs } from '../../cluster/retry.js'
import { isRetriableError } from '../../errors.js'
import type { AssignmentListener, CommitIdentity, GroupMembership } from '../group-membership.js'
import type { TopicPartition } from '../types.js'
import { InterruptibleSleep } from './interruptible-sleep.js'

export interface ConsumerGroupOptions {
  /** Kafka's `max.poll.interval.ms`, sent as the rebalance timeout (300000). */
  rebalanceTimeoutMs?: number
  /** Kafka's `group.instance.id`: a static member. */
  groupInstanceId?: string
  /** Server-side assignor ('uniform' or 'range'); the group's default when left out. */
  serverAssignor?: string
}

/** Member epochs with a meaning of their own (KIP-848). */
const JOIN_EPOCH = 0
const LEAVE_EPOCH = -1
const LEAVE_STATIC_EPOCH = -2

/** Errors that fence the member: it gives up its partitions and joins again with epoch 0. */
const FENCED = new Set<number>([ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.FENCED_MEMBER_EPOCH])

/**
 * A member of a KIP-848 consumer group: one ConsumerGroupHeartbeat request
 * does everything. Epoch 0 joins with the subscription; the coordinator
 * computes the assignment (by topic id) and answers with the member's
 * target; the member applies it and reports what it owns in its next
 * heartbeat, which is how revocations complete. Fields that did not change
 * are sent as null, as the protocol asks.
 */
export class ConsumerGroupMembership implements GroupMembership {
  /**
   * The member generates its own id and keeps it for its lifetime
   * (KIP-1082, required from ConsumerGroupHeartbeat v1); a v0 coordinator
   * may answer with one of its own, which then wins.
   */
  private memberId: string = randomUUID()
  private epoch = JOIN_EPOCH
  private intervalMs = 5000
  private topics: readonly string[] = []
  private subscriptionChanged = true
  private owned: TopicPartition[] = []
  private ownedChanged = true
  private listener: AssignmentListener = async () => {}
  private readonly errorListeners: Array<(err: Error) => void> = []
  private stopped = false
  private loop: Promise<void> | undefined
  private readonly sleeper = new InterruptibleSleep()
  private readonly rebalanceTimeoutMs: number
  private readonly groupInstanceId: string | null
  private readonly serverAssignor: string | null
  private firstAssignment: { resolve: () => void, reject: (e: Error) => void } | undefined

  constructor (private readonly cluster: Cluster, readonly groupId: string, opts: ConsumerGroupOptions = {}) {
    this.rebalanceTimeoutMs = opts.rebalanceTimeoutMs ?? 300_000
    this.groupInstanceId = opts.groupInstanceId ?? null
    this.serverAssignor = opts.serverAssignor ?? null
  }

  async start (topics: readonly string[], onAssignment: AssignmentListener): Promise<void> {
    this.topics = [...topics]
    this.listener = onAssignment
    const first = new Promise<void>((resolve, reject) => { this.firstAssignment = { resolve, reject } })
    this.loop = this.run()
    await first
  }

  updateSubscription (topics: readonly string[]): void {
    this.topics = [...topics]
    this.subscriptionChanged = true
    this.sleeper.wake()
  }

  commitIdentity (): CommitIdentity {
    return { generationIdOrMemberEpoch: this.epoch, memberId: this.memberId, groupInstanceId: this.groupInstanceId }
  }

  onError (listener: (err: Error) => void): void { this.errorListeners.push(listener) }

  async leave (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.sleeper.wake()
    await this.loop?.catch(() => {})
    if (this.epoch <= 0) return
    try {
      await this.cluster.send(await this.cluster.coordinator(this.groupId), ConsumerGroupHeartbeatApi, {
        groupId: this.groupId,
        memberId: this.memberId,
        memberEpoch: this.groupInstanceId === null ? LEAVE_EPOCH : LEAVE_STATIC_EPOCH,
        instanceId: this.groupInstanceId,
        rebalanceTimeoutMs: -1,
        subscribedTopicNames: null,
        topicPartitions: null
      })
    } catch {
      // The session timeout removes the member anyway.
    }
  }

  private async run (): Promise<void> {
    let failures = 0
    while (!this.stopped) {
      try {
        await this.heartbeat()
        failures = 0
        // An assignment just applied is acknowledged at once; otherwise wait the coordinator's interval.
        if (!this.ownedChanged && !this.subscriptionChanged) await this.sleeper.sleep(this.intervalMs)
      } catch (err) {
        if (this.stopped) return
        if (!isRetriableError(err)) {
          if (this.firstAssignment !== undefined) { this.firstAssignment.reject(err as Error); this.firstAssignment = undefined; return }
          for (const l of this.errorListeners) l(err as Error)
        } else {
          await this.cluster.afterError(err).catch(() => {})
        }
        await this.sleeper.sleep(backoffMs(Math.min(failures++, 10), this.cluster.retryOptions))
      }
    }
  }

  private async heartbeat (): Promise<void> {
    const joining = this.epoch === JOIN_EPOCH
    const ownedIds = await this.withTopicIds(this.owned)
    const sendSubscription = joining || this.subscriptionChanged
    const sendOwned = joining || this.ownedChanged
    const res = await this.cluster.send(await this.cluster.coordinator(this.groupId), ConsumerGroupHeartbeatApi, {
      groupId: this.groupId,
      memberId: this.memberId,
      memberEpoch: this.epoch,
      instanceId: this.groupInstanceId,
      rackId: null,
      rebalanceTimeoutMs: joining ? this.rebalanceTimeoutMs : -1,
      subscribedTopicNames: sendSubscription ? [...this.topics] : null,
      serverAssignor: joining ? this.serverAssignor : null,
      topicPartitions: sendOwned ? ownedIds : null
    })
    if (FENCED.has(res.errorCode)) {
      // Fenced: everything owned is lost; join again as a new member.
      await this.apply([])
      this.epoch = JOIN_EPOCH
      return
    }
    if (res.errorCode !== 0) throw KafkaError.fromCode(res.errorCode, `ConsumerGroupHeartbeat '${this.groupId}': ${res.errorMessage ?? ''}`)
    if (sendSubscription) this.subscriptionChanged = false
    if (sendOwned) this.ownedChanged = false
    this.memberId = res.memberId ?? this.memberId
    this.epoch = res.memberEpoch
    if (res.heartbeatIntervalMs > 0) this.intervalMs = res.heartbeatIntervalMs
    if (res.assignment !== null) await this.apply(await this.withNames(res.assignment))
    if (this.firstAssignment !== undefined && res.assignment !== null) {
      this.firstAssignment.resolve()
      this.firstAssignment = undefined
    }
  }

  private async apply (target: TopicPartition[]): Promise<void> {
    await this.listener(target)
    this.owned = target
    this.ownedChanged = true
  }

  /** The coordinator names topics by id; the consumer by name. */
  private async withNames (a: ConsumerGroupHeartbeatResponseAssignment): Promise<TopicPartition[]> {
    const out: TopicPartition[] = []
    for (const t of a.topicPartitions) {
      let info = this.cluster.metadata.topicById(t.topicId)
      if (info === undefined) {
        await this.cluster.refreshMetadata(this.topics)
        info = this.cluster.metadata.topicById(t.topicId)
      }
      if (info === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_ID, `assigned topic id ${t.topicId} is not in the metadata`)
      for (const p of t.partitions) out.push({ topic: info.name, partition: p })
    }
    return out
  }

  private async withTopicIds (tps: readonly TopicPartition[]): Promise<Array<{ topicId: string, partitions: number[] }>> {
    const byTopic = new Map<string, number[]>()
    for (const tp of tps) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition])
    const out: Array<{ topicId: string, partitions: number[] }> = []
    for (const [topic, partitions] of byTopic) {
      const info = this.cluster.metadata.topics.get(topic) ?? (await this.cluster.topics([topic]))[0]!
      out.push({ topicId: info.topicId, partitions })
    }
    return out
  }
}
