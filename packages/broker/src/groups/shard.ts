import type { MetadataStore } from '@tributary/metadata'
import { ErrorCode, decodeRecordBatchSync, decodeTransactionMarker, encodeRecordBatchSync, splitBatches } from '@tributary/protocol'
import type { Logger } from '../network/index.js'
import type { Partition } from '../partitions/partition.js'
import { GroupWriteError, type GroupManager, type GroupType, type ShardContext } from './group-manager.js'
import { OffsetStore } from './offsets/offset-store.js'
import { decodeGroupRecord, encodeGroupRecord, type GroupRecord, type OffsetRecord } from './records/index.js'
import type { GroupSettings } from './settings.js'
import { Timers } from './timers.js'

export type ManagerFactory = (ctx: ShardContext) => GroupManager

const LOAD_CHUNK_BYTES = 1 << 20

/**
 * One partition of `__consumer_offsets` and the groups that hash to it
 * (Kafka's coordinator shard). It is a state machine over the partition's
 * records: `load()` replays the log into the offset store and the group
 * managers; a request's records are appended, made durable and replayed
 * before its response goes out (DESIGN.md §1 principle 4).
 */
export class GroupShard implements ShardContext {
  readonly offsets = new OffsetStore()
  readonly timers = new Timers()
  readonly managers: GroupManager[]
  state: 'loading' | 'active' | 'closed' = 'loading'
  /**
   * TxnOffsetCommit offsets by producer id, written in the producer's
   * transaction and invisible until its COMMIT marker reaches this
   * partition (dropped on ABORT), as Kafka's pendingTransactionalOffsets.
   */
  readonly pendingTxnOffsets = new Map<bigint, OffsetRecord[]>()
  /** Replays of written records, chained so that they apply in log order. */
  private applied: Promise<void> = Promise.resolve()

  constructor (
    readonly partition: number,
    private readonly log_: Partition,
    readonly settings: GroupSettings,
    readonly log: Logger,
    readonly metadata: MetadataStore,
    factories: readonly ManagerFactory[]
  ) {
    this.managers = factories.map(f => f(this))
  }

  now (): number { return Date.now() }

  manager (type: GroupType): GroupManager | undefined {
    return this.managers.find(m => m.type === type)
  }

  groupType (groupId: string): GroupType | undefined {
    for (const m of this.managers) if (m.has(groupId)) return m.type
    return undefined
  }

  /** Replays the partition from its log start to its end, then starts the managers' timers. */
  async load (): Promise<void> {
    const log = this.log_.log
    let offset = log.logStartOffset()
    const end = log.logEndOffset()
    let count = 0
    while (offset < end && this.state === 'loading') {
      const read = await log.read(offset, LOAD_CHUNK_BYTES)
      if (read.nextOffset <= offset) break
      for (const batch of splitBatches(read.records).batches) {
        const decoded = decodeRecordBatchSync(batch)
        const h = decoded.header
        if (h.isControl) {
          // A transaction marker makes the producer's pending offsets visible (COMMIT) or drops them (ABORT).
          try {
            const marker = decodeTransactionMarker(decoded)
            this.completeTransaction(marker.producerId, marker.commit, false)
          } catch {}
          continue
        }
        for (const rec of decoded.records) {
          if (rec.offset < offset || rec.key === null) continue
          const record = this.decode(rec.key, rec.value, rec.offset)
          if (record === null) continue
          if (h.isTransactional && h.producerId >= 0n && record.kind === 'offset') this.addPending(h.producerId, record)
          else this.replay(record, false)
          count++
        }
      }
      offset = read.nextOffset
    }
    if (this.state !== 'loading') return
    this.state = 'active'
    for (const m of this.managers) m.onLoaded()
    this.log.info({ partition: this.partition, records: count }, 'group coordinator partition loaded')
  }

  private decode (key: Buffer, value: Buffer | null, offset: bigint): GroupRecord | null {
    try {
      return decodeGroupRecord(Buffer.from(key), value === null ? null : Buffer.from(value))
    } catch (err) {
      // A record we cannot read is skipped, as Kafka's loader does for unknown keys: one bad record must not take the coordinator down.
      this.log.warn({ partition: this.partition, offset: String(offset), err: (err as Error).message }, 'skipping an unreadable __consumer_offsets record')
      return null
    }
  }

  private replay (record: GroupRecord, live: boolean): void {
    if (record.kind === 'offset') this.offsets.replay(record)
    for (const m of this.managers) m.replay(record, live)
  }

  async write (records: GroupRecord[]): Promise<void> {
    if (records.length === 0) return
    if (this.state !== 'active') throw new GroupWriteError(ErrorCode.NOT_COORDINATOR, 'this coordinator partition is not active')
    const now = BigInt(this.now())
    const batch = encodeRecordBatchSync({
      baseTimestamp: now,
      records: records.map(r => { const e = encodeGroupRecord(r); return { key: e.key, value: e.value, timestamp: now } })
    })
    let durable: Promise<unknown>
    try {
      durable = this.log_.append(batch, false).durable
    } catch (err) {
      throw new GroupWriteError(ErrorCode.NOT_COORDINATOR, `appending to __consumer_offsets-${this.partition} failed: ${(err as Error).message}`)
    }
    const done = this.applied.then(async () => {
      await durable
      if (this.state === 'closed') return
      for (const r of records) this.replay(r, true)
    })
    this.applied = done.catch(() => {})
    const timeoutMs = this.settings.offsetsCommitTimeoutMs
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new GroupWriteError(ErrorCode.REQUEST_TIMED_OUT, `records were not durable within offsets.commit.timeout.ms (${timeoutMs} ms)`)), timeoutMs)
    })
    try {
      await Promise.race([done, timeout])
    } catch (err) {
      if (err instanceof GroupWriteError) throw err
      // Kafka answers a failed coordinator append with a retriable coordinator error; the client rediscovers the coordinator.
      throw new GroupWriteError(ErrorCode.NOT_COORDINATOR, `appending to __consumer_offsets-${this.partition} failed: ${(err as Error).message}`)
    } finally {
      clearTimeout(timer)
    }
  }

  private addPending (producerId: bigint, record: OffsetRecord): void {
    let list = this.pendingTxnOffsets.get(producerId)
    if (list === undefined) { list = []; this.pendingTxnOffsets.set(producerId, list) }
    list.push(record)
  }

  /**
   * TxnOffsetCommit: the offsets are appended as a transactional batch of
   * the producer (no sequence numbers: Kafka's coordinator-origin append),
   * which also holds back the partition's last stable offset, and kept
   * pending until the transaction's marker.
   */
  async writeTransactional (records: OffsetRecord[], producerId: bigint, producerEpoch: number): Promise<void> {
    if (records.length === 0) return
    if (this.state !== 'active') throw new GroupWriteError(ErrorCode.NOT_COORDINATOR, 'this coordinator partition is not active')
    const now = BigInt(this.now())
    const batch = encodeRecordBatchSync({
      baseTimestamp: now,
      transactional: true,
      producerId,
      producerEpoch,
      baseSequence: -1,
      records: records.map(r => { const e = encodeGroupRecord(r); return { key: e.key, value: e.value, timestamp: now } })
    })
    // Pending at once: a marker that follows this write must find them (markers are ordered after the write in the log).
    for (const r of records) this.addPending(producerId, r)
    let timer: NodeJS.Timeout | undefined
    try {
      const durable = this.log_.appendCoordinatorTxn(batch, producerId, producerEpoch)
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new GroupWriteError(ErrorCode.REQUEST_TIMED_OUT, 'transactional offsets were not durable in time')), this.settings.offsetsCommitTimeoutMs)
      })
      await Promise.race([durable, timeout])
    } catch (err) {
      if (err instanceof GroupWriteError) throw err
      throw new GroupWriteError(ErrorCode.NOT_COORDINATOR, `appending to __consumer_offsets-${this.partition} failed: ${(err as Error).message}`)
    } finally {
      clearTimeout(timer)
    }
  }

  /** The producer's transaction ended on this partition: its pending offsets become committed offsets, or are dropped. */
  completeTransaction (producerId: bigint, commit: boolean, live = true): void {
    const pending = this.pendingTxnOffsets.get(producerId)
    if (pending === undefined) return
    this.pendingTxnOffsets.delete(producerId)
    if (commit) for (const r of pending) this.replay(r, live)
  }

  /** OffsetFetch require_stable (KIP-447): whether a transaction holds an offset of the partition (or of any, when topic is undefined). */
  hasPendingOffset (group: string, topic?: string, partition?: number): boolean {
    for (const list of this.pendingTxnOffsets.values()) {
      for (const r of list) {
        if (r.group === group && (topic === undefined || (r.topic === topic && r.partition === partition))) return true
      }
    }
    return false
  }

  close (): void {
    this.state = 'closed'
    this.timers.close()
    for (const m of this.managers) m.close()
  }
}
