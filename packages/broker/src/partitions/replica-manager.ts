import { LogManager } from '@tributary/log'
import type { MetadataImage, MetadataStore, TopicImage } from '@tributary/metadata'
import type { BrokerConfig } from '../config/index.js'
import type { Logger } from '../network/index.js'
import { logConfigFor } from './log-config.js'
import { Partition } from './partition.js'

export interface ReplicaManagerOptions {
  logDirs: readonly string[]
  nodeId: number
  metadata: MetadataStore
  /** The configuration in effect now (static plus dynamic broker configs). */
  config: () => BrokerConfig
  logger: Logger
  retentionCheckIntervalMs: number
}

/**
 * The partitions this broker leads (Kafka's ReplicaManager, single node):
 * topic-partition -> Partition, kept in step with the metadata image.
 * A log exists for every partition of every topic once its creation is
 * applied (so that Fetch and ListOffsets of an empty partition work), and
 * is deleted with its topic (BrokerState.onTopicDeleted).
 */
export class ReplicaManager {
  private readonly partitions = new Map<string, Partition>()
  private syncing: Promise<void> = Promise.resolve()
  private unsubscribe: (() => void) | null = null
  private expiryTimer: NodeJS.Timeout | null = null
  private closed = false

  private constructor (private readonly options: ReplicaManagerOptions, private readonly logs: LogManager) {}

  static async open (options: ReplicaManagerOptions): Promise<ReplicaManager> {
    const overridesOf = (topic: string): Readonly<Record<string, string>> => options.metadata.image().topics.get(topic)?.configs ?? {}
    const logs = await LogManager.open({
      logDirs: options.logDirs,
      topicConfig: topic => logConfigFor(options.config(), overridesOf(topic)),
      retentionCheckIntervalMs: options.retentionCheckIntervalMs,
      logger: { warn: message => options.logger.warn({}, message) }
    })
    const manager = new ReplicaManager(options, logs)
    try {
      await manager.sync(options.metadata.image())
    } catch (err) {
      await logs.close().catch(() => {})
      throw err
    }
    manager.unsubscribe = options.metadata.onChange(image => manager.requestSync(image))
    // Kafka's producer-id expiration task: every producer.id.expiration.check.interval.ms.
    manager.expiryTimer = setInterval(() => manager.expireProducers(Date.now()), options.config().getInt('producer.id.expiration.check.interval.ms'))
    manager.expiryTimer.unref()
    return manager
  }

  private key (topic: string, partition: number): string { return `${topic}-${partition}` }

  get (topic: string, partition: number): Partition | undefined {
    return this.partitions.get(this.key(topic, partition))
  }

  /**
   * The partition, waiting for a metadata change in progress to be applied
   * first: a produce right after CreateTopics finds its log.
   */
  async getAsync (topic: string, partition: number): Promise<Partition | undefined> {
    const p = this.get(topic, partition)
    if (p !== undefined) return p
    await this.syncing
    return this.get(topic, partition)
  }

  private requestSync (image: MetadataImage): void {
    if (this.closed) return
    this.syncing = this.syncing.then(async () => await this.sync(image)).catch(err => {
      this.options.logger.error({ err: (err as Error).message }, 'opening partition logs failed')
    })
  }

  /** Opens logs for new partitions of topics this node leads; applies changed topic configs. */
  private async sync (image: MetadataImage): Promise<void> {
    for (const topic of image.topics.values()) {
      let opened = false
      for (const p of topic.partitions) {
        if (p.leader !== this.options.nodeId || this.closed) continue
        const key = this.key(topic.name, p.index)
        if (this.partitions.has(key)) continue
        const log = await this.logs.getOrCreateLog(topic.name, p.index)
        if (this.closed) return
        const partition = await Partition.open(topic.name, p.index, log, this.options.config().getInt('producer.id.expiration.ms'), this.options.logger)
        if (this.closed) return
        this.partitions.set(key, partition)
        opened = true
      }
      if (!opened) this.logs.reconfigure(topic.name)
    }
  }

  /** Drops the state of producers idle for producer.id.expiration.ms in every partition. */
  expireProducers (nowMs: number): void {
    const expirationMs = this.options.config().getInt('producer.id.expiration.ms')
    for (const p of this.partitions.values()) p.expireProducers(nowMs, expirationMs)
  }

  /** Removes a deleted topic's logs (renamed, then removed after file.delete.delay.ms). */
  async deleteTopic (topic: TopicImage): Promise<void> {
    await this.syncing
    for (const p of topic.partitions) {
      const key = this.key(topic.name, p.index)
      const partition = this.partitions.get(key)
      this.partitions.delete(key)
      partition?.wake()
      await this.logs.deleteLog(topic.name, p.index)
    }
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.unsubscribe?.()
    if (this.expiryTimer !== null) clearInterval(this.expiryTimer)
    await this.syncing
    for (const p of this.partitions.values()) p.wake()
    // A clean close snapshots the producer state at the log end, so the next start replays nothing.
    for (const p of this.partitions.values()) p.snapshot()
    await this.logs.close()
  }
}
