import type { MetadataStore } from '@tributary/metadata'
import { ErrorCode } from '@tributary/protocol'
import type { Logger } from '../network/index.js'
import type { ReplicaManager } from '../partitions/replica-manager.js'
import { CONSUMER_OFFSETS_TOPIC } from '../topics/internal-topics.js'
import { expireOffsets } from './offsets/expiry.js'
import { partitionForGroup } from './partition-for.js'
import type { GroupSettings } from './settings.js'
import { GroupShard, type ManagerFactory } from './shard.js'

export interface GroupCoordinatorOptions {
  nodeId: number
  settings: GroupSettings
  metadata: MetadataStore
  replicas: ReplicaManager
  logger: Logger
  /** Creates `__consumer_offsets` (auto-creation with its internal-topic settings); error code on failure. */
  createOffsetsTopic: () => Promise<number>
  /**
   * The group type state machines every shard runs (classic, consumer),
   * loaded when the first shard loads: a broker that never sees a group
   * does not compile them at start-up.
   */
  managers: () => Promise<readonly ManagerFactory[]>
}

/** A shard ready for requests, or the Kafka error code a group request gets instead. */
export type ShardLookup = { shard: GroupShard, errorCode?: undefined } | { shard?: undefined, errorCode: number }

/**
 * The group coordinator of this broker: one shard per `__consumer_offsets`
 * partition it leads, loaded from the log when the broker starts (or when
 * the topic is created), routed to by the hash of the group id.
 */
export class GroupCoordinator {
  private readonly shards = new Map<number, GroupShard>()
  private readonly loading = new Map<number, Promise<void>>()
  private creating: Promise<number> | undefined
  private expiryTimer: NodeJS.Timeout | undefined
  private expiring: Promise<unknown> = Promise.resolve()
  private closed = false

  constructor (readonly options: GroupCoordinatorOptions) {}

  get settings (): GroupSettings { return this.options.settings }

  /** Starts loading every partition of `__consumer_offsets` this broker leads (if the topic exists). */
  start (): void {
    this.expiryTimer = setInterval(() => {
      this.expiring = this.expiring.then(async () => await expireOffsets(this.activeShards(), Date.now()))
    }, this.options.settings.offsetsRetentionCheckIntervalMs)
    this.expiryTimer.unref()
    const topic = this.options.metadata.image().topics.get(CONSUMER_OFFSETS_TOPIC)
    if (topic === undefined) return
    for (const p of topic.partitions) {
      if (p.leader === this.options.nodeId) void this.loadShard(p.index)
    }
  }

  /** The partition count of `__consumer_offsets`, creating it first if it does not exist. */
  async ensureTopic (): Promise<{ partitions: number } | { errorCode: number }> {
    const existing = this.options.metadata.image().topics.get(CONSUMER_OFFSETS_TOPIC)
    if (existing !== undefined) return { partitions: existing.partitions.length }
    this.creating ??= this.options.createOffsetsTopic().finally(() => { this.creating = undefined })
    const code = await this.creating
    const created = this.options.metadata.image().topics.get(CONSUMER_OFFSETS_TOPIC)
    if (created === undefined) return { errorCode: code === ErrorCode.NONE ? ErrorCode.COORDINATOR_NOT_AVAILABLE : code }
    for (const p of created.partitions) if (p.leader === this.options.nodeId) void this.loadShard(p.index)
    return { partitions: created.partitions.length }
  }

  /** The partition of `__consumer_offsets` that holds `groupId`, or undefined if the topic does not exist yet. */
  partitionOf (groupId: string): number | undefined {
    const topic = this.options.metadata.image().topics.get(CONSUMER_OFFSETS_TOPIC)
    return topic === undefined ? undefined : partitionForGroup(groupId, topic.partitions.length)
  }

  /**
   * FindCoordinator: creates the topic if needed and makes sure the group's
   * partition loads here; the error code, or NONE when this node coordinates it.
   */
  async findCoordinator (groupId: string): Promise<number> {
    const topic = await this.ensureTopic()
    if ('errorCode' in topic) return topic.errorCode
    const index = partitionForGroup(groupId, topic.partitions)
    const leader = this.options.metadata.image().topics.get(CONSUMER_OFFSETS_TOPIC)?.partitions[index]?.leader
    if (leader !== this.options.nodeId) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    // A fresh partition loads at once; waiting for it spares the client a COORDINATOR_LOAD_IN_PROGRESS retry.
    const load = this.loadShard(index)
    await Promise.race([load, new Promise(resolve => setTimeout(resolve, 100).unref())])
    return ErrorCode.NONE
  }

  /**
   * The loaded shard for a group request: NOT_COORDINATOR when this broker
   * does not own the group's partition (or the topic does not exist yet),
   * COORDINATOR_LOAD_IN_PROGRESS while the partition is being replayed.
   */
  shardFor (groupId: string): ShardLookup {
    if (this.closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
    const index = this.partitionOf(groupId)
    if (index === undefined) return { errorCode: ErrorCode.NOT_COORDINATOR }
    const shard = this.shards.get(index)
    if (shard === undefined) {
      const leader = this.options.metadata.image().topics.get(CONSUMER_OFFSETS_TOPIC)?.partitions[index]?.leader
      if (leader !== this.options.nodeId) return { errorCode: ErrorCode.NOT_COORDINATOR }
      void this.loadShard(index)
      return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS }
    }
    if (shard.state === 'loading') return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS }
    if (shard.state === 'closed') return { errorCode: ErrorCode.NOT_COORDINATOR }
    return { shard }
  }

  /** A transaction marker was written to `__consumer_offsets-<partition>` (transaction coordinator). */
  completeTransaction (partition: number, producerId: bigint, commit: boolean): void {
    const shard = this.shards.get(partition)
    if (shard === undefined || shard.state !== 'active') return
    shard.completeTransaction(producerId, commit)
  }

  /** Every active shard (ListGroups, offsets expiry). */
  activeShards (): GroupShard[] {
    return [...this.shards.values()].filter(s => s.state === 'active')
  }

  /** True while some partition of this broker is still being replayed. */
  isLoading (): boolean {
    for (const s of this.shards.values()) if (s.state === 'loading') return true
    return false
  }

  private loadShard (index: number): Promise<void> {
    const existing = this.loading.get(index)
    if (existing !== undefined) return existing
    const run = (async () => {
      const [partition, factories] = await Promise.all([this.options.replicas.getAsync(CONSUMER_OFFSETS_TOPIC, index), this.options.managers()])
      if (partition === undefined || this.closed) { this.loading.delete(index); return }
      const o = this.options
      const shard = new GroupShard(index, partition, o.settings, o.logger, o.metadata, factories)
      this.shards.set(index, shard)
      try {
        await shard.load()
      } catch (err) {
        o.logger.error({ partition: index, err: (err as Error).message }, 'loading a group coordinator partition failed')
        shard.close()
        this.shards.delete(index)
        this.loading.delete(index)
      }
    })()
    this.loading.set(index, run)
    return run
  }

  async close (): Promise<void> {
    this.closed = true
    clearInterval(this.expiryTimer)
    await this.expiring
    await Promise.allSettled([...this.loading.values()])
    for (const s of this.shards.values()) s.close()
    this.shards.clear()
  }
}
