import type { AppendResult, DiskLog } from '@tributary/log'

/** Single-node leader epoch until replication brings leader changes. */
export const LEADER_EPOCH = 0

/** What an append wrote, known as soon as the bytes are in the log (acks=1). */
export interface Written {
  firstOffset: bigint
  lastOffset: bigint
  /** The LogAppendTime given to the batches, or -1n for CreateTime. */
  logAppendTime: bigint
  logStartOffset: bigint
}

/**
 * One partition this broker leads: its log and its high watermark.
 *
 * Single node, the high watermark is the end of what is durable under the
 * log's flush policy: with 'fsync' it advances when the group-commit fsync
 * that covers an append completes; with 'pagecache' right after the write
 * (Kafka's behaviour, where the HW follows the write on a one-replica ISR).
 * So a consumer never reads what a crash could take back under the policy
 * the user chose, and acks=-1 is answered exactly when the HW covers it.
 *
 * Fetches waiting for data (max_wait_ms) register a waiter; every HW
 * advance wakes them (DESIGN.md §4: woken by appends, not timers).
 */
export class Partition {
  private readonly waiters = new Set<() => void>()

  constructor (readonly topic: string, readonly index: number, readonly log: DiskLog) {}

  get highWatermark (): bigint { return this.log.highWatermark }
  /** Read_committed bound; transactions come with the exactly-once issue. */
  get lastStableOffset (): bigint { return this.log.highWatermark }
  get logStartOffset (): bigint { return this.log.logStartOffset() }
  get logEndOffset (): bigint { return this.log.logEndOffset() }

  /**
   * Appends `batches` (validated and owned by the log from here). The write
   * happens synchronously inside DiskLog.append, before its first await, so
   * `written` is settled once the write is done; `durable` settles when the
   * data is durable under the flush policy and the HW has moved past it.
   */
  append (batches: Buffer, logAppendTime: boolean): { written: Promise<Written>, durable: Promise<AppendResult> } {
    const first = this.log.logEndOffset()
    const now = BigInt(Date.now())
    const durable = this.log.append(batches, { durable: true, leaderEpoch: LEADER_EPOCH, timestampType: logAppendTime ? 'LogAppendTime' : 'CreateTime', now: () => now })
      .then(r => { this.advanceHighWatermark(r.lastOffset + 1n); return r })
    const end = this.log.logEndOffset()
    const written: Promise<Written> = end === first
      ? durable
      : Promise.resolve({ firstOffset: first, lastOffset: end - 1n, logAppendTime: logAppendTime ? now : -1n, logStartOffset: this.log.logStartOffset() })
    // acks=0/1 callers may not wait for durability: a storage failure is then only seen by later requests.
    durable.catch(() => {})
    return { written, durable }
  }

  private advanceHighWatermark (to: bigint): void {
    if (to <= this.log.highWatermark) return
    this.log.highWatermark = to
    this.wake()
  }

  /** Wakes the fetches waiting on this partition (also after DeleteRecords or deletion). */
  wake (): void {
    if (this.waiters.size === 0) return
    const all = [...this.waiters]
    this.waiters.clear()
    for (const w of all) w()
  }

  /** Registers a one-shot waiter; returns its cancel function. */
  onAdvance (waiter: () => void): () => void {
    this.waiters.add(waiter)
    return () => { this.waiters.delete(waiter) }
  }
}
