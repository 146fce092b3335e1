import type { MetadataStore } from '@tributary/metadata'
import { ErrorCode, decodeRecordBatchSync, encodeRecordBatchSync, splitBatches } from '@tributary/protocol'
import { partitionForGroup } from '../groups/partition-for.js'
import type { Logger } from '../network/index.js'
import { CoordinatorFencedError, type Partition } from '../partitions/partition.js'
import type { ReplicaManager } from '../partitions/replica-manager.js'
import type { ProducerIdManager } from '../producers/producer-ids.js'
import { TRANSACTION_STATE_TOPIC } from '../topics/internal-topics.js'
import type { CoordinatorEpochs } from './coordinator-epochs.js'
import { decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue, type TxnRecordValue } from './records.js'
import { MarkerFencedError, TxnShard, type TopicPartition } from './shard.js'

export interface TransactionSettings {
  /** transaction.max.timeout.ms */
  maxTimeoutMs: number
  /** transactional.id.expiration.ms */
  idExpirationMs: number
  /** How often timed-out transactions and expired ids are looked for (Kafka: transaction.abort.timed.out.transaction.cleanup.interval.ms, 10 s). */
  checkIntervalMs: number
  /** offsets.commit.timeout.ms bounds a write to `__transaction_state`. */
  writeTimeoutMs: number
}

export interface TransactionCoordinatorOptions {
  nodeId: number
  settings: TransactionSettings
  metadata: MetadataStore
  replicas: ReplicaManager
  producerIds: ProducerIdManager
  logger: Logger
  createTopic: () => Promise<number>
  /** Called after a marker reached a `__consumer_offsets` partition: its pending transactional offsets become visible or go. */
  onOffsetsMarker: (partition: number, producerId: bigint, commit: boolean) => void
  /** The persisted coordinator epoch of each `__transaction_state` partition, bumped at every load. */
  epochs: CoordinatorEpochs
  /** Backoff between retries of a failed marker write (Kafka retries markers until written). */
  retryBackoffMs?: number
  retryBackoffMaxMs?: number
}

export type TxnShardLookup = { shard: TxnShard, errorCode?: undefined } | { shard?: undefined, errorCode: number }

const LOAD_CHUNK_BYTES = 1 << 20

/**
 * The transaction coordinator of this broker (KIP-98): one TxnShard per
 * partition of `__transaction_state` it leads, loaded by replaying the
 * partition, routed to by the hash of the transactional id (the same hash
 * as groups). Markers go straight to the local partitions' logs, with the
 * partition's coordinator epoch (coordinator-epochs.ts).
 */
export class TransactionCoordinator {
  private readonly shards = new Map<number, TxnShard>()
  private readonly states = new Map<number, 'loading' | 'active'>()
  private readonly loading = new Map<number, Promise<void>>()
  private creating: Promise<number> | undefined
  private timer: NodeJS.Timeout | undefined
  private closed = false

  constructor (readonly options: TransactionCoordinatorOptions) {}

  get settings (): TransactionSettings { return this.options.settings }

  start (): void {
    this.timer = setInterval(() => { this.sweep() }, this.options.settings.checkIntervalMs)
    this.timer.unref()
    const topic = this.options.metadata.image().topics.get(TRANSACTION_STATE_TOPIC)
    if (topic === undefined) return
    for (const p of topic.partitions) if (p.leader === this.options.nodeId) void this.loadShard(p.index)
  }

  /** Aborts timed-out transactions and removes expired transactional ids. */
  sweep (): void {
    for (const s of this.activeShards()) {
      s.abortTimedOut()
      s.expireIds(this.options.settings.idExpirationMs)
    }
  }

  /** True while some partition of this broker is still being replayed. */
  isLoading (): boolean {
    for (const s of this.states.values()) if (s === 'loading') return true
    return false
  }

  activeShards (): TxnShard[] {
    return [...this.shards.entries()].filter(([i]) => this.states.get(i) === 'active').map(([, s]) => s)
  }

  private partitionCount (): number | undefined {
    return this.options.metadata.image().topics.get(TRANSACTION_STATE_TOPIC)?.partitions.length
  }

  partitionOf (transactionalId: string): number | undefined {
    const n = this.partitionCount()
    return n === undefined ? undefined : partitionForGroup(transactionalId, n)
  }

  /** FindCoordinator key type 1: creates `__transaction_state` on first use, as Kafka does, and starts loading the id's partition. */
  async findCoordinator (transactionalId: string): Promise<number> {
    if (this.partitionCount() === undefined) {
      this.creating ??= this.options.createTopic().finally(() => { this.creating = undefined })
      const code = await this.creating
      const created = this.options.metadata.image().topics.get(TRANSACTION_STATE_TOPIC)
      if (created === undefined) return code === ErrorCode.NONE ? ErrorCode.COORDINATOR_NOT_AVAILABLE : code
      for (const p of created.partitions) if (p.leader === this.options.nodeId) void this.loadShard(p.index)
    }
    const index = this.partitionOf(transactionalId)!
    const leader = this.options.metadata.image().topics.get(TRANSACTION_STATE_TOPIC)?.partitions[index]?.leader
    if (leader !== this.options.nodeId) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    await Promise.race([this.loadShard(index), new Promise(resolve => setTimeout(resolve, 100).unref())])
    return ErrorCode.NONE
  }

  /** The loaded shard of a transactional id, else NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS (Kafka's TransactionStateManager). */
  shardFor (transactionalId: string): TxnShardLookup {
    if (this.closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
    const index = this.partitionOf(transactionalId)
    if (index === undefined) return { errorCode: ErrorCode.NOT_COORDINATOR }
    const shard = this.shards.get(index)
    if (shard === undefined) {
      const leader = this.options.metadata.image().topics.get(TRANSACTION_STATE_TOPIC)?.partitions[index]?.leader
      if (leader !== this.options.nodeId) return { errorCode: ErrorCode.NOT_COORDINATOR }
      void this.loadShard(index)
      return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS }
    }
    if (this.states.get(index) !== 'active') return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS }
    return { shard }
  }

  /**
   * KIP-890 part 1: whether a transactional produce of this producer and
   * epoch may go to the partition: NONE, INVALID_PRODUCER_EPOCH for an epoch
   * older than the coordinator's (a fenced producer), else INVALID_TXN_STATE
   * (no ongoing transaction holding the partition).
   */
  verifyProduce (producerId: bigint, producerEpoch: number, tp: TopicPartition): number {
    for (const s of this.activeShards()) {
      const m = s.byProducer(producerId)
      if (m === undefined) continue
      if (producerEpoch < m.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH
      return m.state === 'Ongoing' && producerEpoch === m.producerEpoch && m.partitions.has(`${tp.topic}\u0000${tp.partition}`) ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE
    }
    return ErrorCode.INVALID_TXN_STATE
  }

  private loadShard (index: number): Promise<void> {
    const existing = this.loading.get(index)
    if (existing !== undefined) return existing
    const run = (async () => {
      const partition = await this.options.replicas.getAsync(TRANSACTION_STATE_TOPIC, index)
      if (partition === undefined || this.closed) { this.loading.delete(index); return }
      let coordinatorEpoch: number
      try {
        coordinatorEpoch = this.options.epochs.next(index)
      } catch (err) {
        // Without a new epoch this broker cannot fence older coordinators: the partition stays unloaded (requests get COORDINATOR_LOAD_IN_PROGRESS and retry).
        this.options.logger.error({ partition: index, err: (err as Error).message }, 'persisting the transaction coordinator epoch failed')
        this.loading.delete(index)
        return
      }
      const shard = new TxnShard(index, {
        write: async (id, value) => await this.write(partition, id, value),
        writeMarker: async (tp, pid, epoch, commit) => await this.writeMarker(tp, pid, epoch, commit, coordinatorEpoch),
        allocateProducerId: async () => await this.options.producerIds.generate(),
        now: () => Date.now(),
        onError: (message, err) => { this.options.logger.warn({ partition: index, err: (err as Error).message }, message) },
        retryBackoffMs: this.options.retryBackoffMs,
        retryBackoffMaxMs: this.options.retryBackoffMaxMs
      })
      this.shards.set(index, shard)
      this.states.set(index, 'loading')
      try {
        await this.replayLog(partition, shard)
        if (this.closed) return
        this.states.set(index, 'active')
        shard.resumeCompletions()
        this.options.logger.info({ partition: index, coordinatorEpoch, transactionalIds: shard.txns.size }, 'transaction coordinator partition loaded')
      } catch (err) {
        this.options.logger.error({ partition: index, err: (err as Error).message }, 'loading a transaction coordinator partition failed')
        this.shards.delete(index)
        this.states.delete(index)
        this.loading.delete(index)
      }
    })()
    this.loading.set(index, run)
    return run
  }

  private async replayLog (partition: Partition, shard: TxnShard): Promise<void> {
    const log = partition.log
    let offset = log.logStartOffset()
    const end = log.logEndOffset()
    while (offset < end && !this.closed) {
      const read = await log.read(offset, LOAD_CHUNK_BYTES)
      if (read.nextOffset <= offset) break
      for (const batch of splitBatches(read.records).batches) {
        const decoded = decodeRecordBatchSync(batch)
        if (decoded.header.isControl) continue
        for (const rec of decoded.records) {
          if (rec.offset < offset || rec.key === null) continue
          try {
            shard.replay(decodeTxnKey(Buffer.from(rec.key)), rec.value === null ? null : decodeTxnValue(Buffer.from(rec.value)))
          } catch (err) {
            this.options.logger.warn({ offset: String(rec.offset), err: (err as Error).message }, 'skipping an unreadable __transaction_state record')
          }
        }
      }
      offset = read.nextOffset
    }
  }

  private async write (partition: Partition, transactionalId: string, value: TxnRecordValue | null): Promise<void> {
    const now = BigInt(Date.now())
    const batch = encodeRecordBatchSync({ baseTimestamp: now, records: [{ key: encodeTxnKey(transactionalId), value: value === null ? null : encodeTxnValue(value), timestamp: now }] })
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('__transaction_state write timed out')), this.options.settings.writeTimeoutMs)
    })
    try {
      await Promise.race([partition.append(batch, false).durable, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** One marker (WriteTxnMarkers on the local partition leader); a refusal for an older coordinator epoch stops the round. */
  private async writeMarker (tp: TopicPartition, producerId: bigint, producerEpoch: number, commit: boolean, coordinatorEpoch: number): Promise<'written' | 'deleted'> {
    const p = await this.options.replicas.getAsync(tp.topic, tp.partition)
    // A partition deleted since it joined the transaction gets no marker (Kafka drops markers for unknown partitions).
    if (p === undefined) return 'deleted'
    try {
      await p.writeMarker(producerId, producerEpoch, commit, coordinatorEpoch)
    } catch (err) {
      if (err instanceof CoordinatorFencedError) throw new MarkerFencedError(`${tp.topic}-${tp.partition}: ${err.message}`)
      throw err
    }
    if (tp.topic === '__consumer_offsets') this.options.onOffsetsMarker(tp.partition, producerId, commit)
    return 'written'
  }

  async close (): Promise<void> {
    this.closed = true
    clearInterval(this.timer)
    await Promise.allSettled([...this.loading.values()])
    for (const s of this.shards.values()) s.close()
    await Promise.allSettled([...this.shards.values()].map(async s => await s.settled()))
    this.shards.clear()
  }
}
