import { LogError } from './errors.js'

/**
 * Per-partition producer state for idempotent producers (Kafka's
 * ProducerStateManager, KIP-98 / KIP-360): for each producer id its epoch
 * and the sequence and offset ranges of its last batches, so that a retried
 * batch is recognised and answered with its original offsets instead of
 * being written twice, and a gap in the sequence is refused.
 *
 * This class is pure state; snapshots and recovery are in
 * producer-snapshot.ts and producer-recovery.ts. Callers check a whole
 * append with `prepare` before the write and `commit` the plan right after
 * the (synchronous) write, so that no other append can interleave.
 */

/** How many batches per producer are remembered for duplicate detection (Kafka's NUM_BATCHES_TO_RETAIN). */
export const BATCHES_TO_RETAIN = 5
const INT32_MAX = 0x7fffffff

/** The producer fields of a batch header, with the offset delta that gives its last sequence. */
export interface ProducerBatch {
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  lastOffsetDelta: number
  maxTimestamp: bigint
  isTransactional: boolean
}

/** One remembered batch of a producer. */
export interface BatchMetadata {
  firstSeq: number
  lastSeq: number
  firstOffset: bigint
  lastOffset: bigint
  timestamp: bigint
}

export interface ProducerEntry {
  producerId: bigint
  producerEpoch: number
  /** Oldest first, at most BATCHES_TO_RETAIN. */
  batches: BatchMetadata[]
  /** Max timestamp of the last batch; expiry counts from it (Kafka's lastTimestamp). */
  lastTimestamp: bigint
  /** -1 until the transaction coordinator writes markers (issue 6, part 2). */
  coordinatorEpoch: number
  /** First offset of the open transaction, -1n when none (filled by the transactions part). */
  currentTxnFirstOffset: bigint
}

export type AppendCheck =
  | { kind: 'append', plan: ProducerAppendPlan }
  /** The append repeats a batch that is in the log already: answer with its offsets, write nothing. */
  | { kind: 'duplicate', producerId: bigint, batch: BatchMetadata }

/** The last sequence of a batch, wrapping past Int32.MAX to 0 as the producer does. */
export function lastSequence (baseSequence: number, lastOffsetDelta: number): number {
  return baseSequence > INT32_MAX - lastOffsetDelta ? lastOffsetDelta - (INT32_MAX - baseSequence) - 1 : baseSequence + lastOffsetDelta
}

function inSequence (lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX)
}


/**
 * A producer's entry after one more batch: the last BATCHES_TO_RETAIN
 * batches of its current epoch (a new epoch starts the list afresh).
 */
function withBatch (entry: ProducerEntry | undefined, b: ProducerBatch, meta: BatchMetadata): ProducerEntry {
  const kept = entry !== undefined && entry.producerEpoch === b.producerEpoch ? entry.batches.slice(-(BATCHES_TO_RETAIN - 1)) : []
  return {
    producerId: b.producerId,
    producerEpoch: b.producerEpoch,
    batches: [...kept, meta],
    lastTimestamp: b.maxTimestamp,
    coordinatorEpoch: entry?.coordinatorEpoch ?? -1,
    currentTxnFirstOffset: txnFirstOffset(entry, b, meta.firstOffset)
  }
}

/** The entries an append would leave, computed before the write; `commit` installs them. */
export class ProducerAppendPlan {
  constructor (private readonly state: ProducerStateManager, readonly updated: ReadonlyMap<bigint, ProducerEntry>) {}
  commit (): void { this.state.install(this.updated) }
}

export class ProducerStateManager {
  private readonly entries = new Map<bigint, ProducerEntry>()
  /** Producers with an open transaction: first offset of the transaction (the last stable offset bound). */
  private readonly ongoing = new Map<bigint, bigint>()

  get size (): number { return this.entries.size }
  get (producerId: bigint): ProducerEntry | undefined { return this.entries.get(producerId) }
  /** Every active producer, by id. */
  all (): IterableIterator<ProducerEntry> { return this.entries.values() }

  /**
   * Checks the idempotent batches of an append whose first batch will get
   * `firstOffset`. Throws LogError TRIB_LOG_INVALID_PRODUCER_EPOCH /
   * TRIB_LOG_OUT_OF_ORDER_SEQUENCE, as Kafka 4's ProducerAppendInfo does.
   * `offsets[i]` are the first and last offset batch i will get.
   */
  prepare (batches: readonly ProducerBatch[], offsets: ReadonlyArray<readonly [bigint, bigint]>): AppendCheck {
    const staged = new Map<bigint, ProducerEntry>()
    for (let i = 0; i < batches.length; i++) {
      const b = batches[i]!
      if (b.producerId < 0n) continue
      const firstSeq = b.baseSequence
      const lastSeq = lastSequence(firstSeq, b.lastOffsetDelta)
      // Duplicates are looked for among the batches already in the log (Kafka's findDuplicateBatch).
      const current = this.entries.get(b.producerId)
      if (current !== undefined && current.producerEpoch === b.producerEpoch) {
        const dup = current.batches.find(m => m.firstSeq === firstSeq && m.lastSeq === lastSeq)
        if (dup !== undefined) return { kind: 'duplicate', producerId: b.producerId, batch: dup }
      }
      const entry = staged.get(b.producerId) ?? current
      checkSequence(entry, b, firstSeq)
      const [firstOffset, lastOffset] = offsets[i]!
      const meta: BatchMetadata = { firstSeq, lastSeq, firstOffset, lastOffset, timestamp: b.maxTimestamp }
      staged.set(b.producerId, withBatch(entry, b, meta))
    }
    return { kind: 'append', plan: new ProducerAppendPlan(this, staged) }
  }

  /** Replays a batch found in the log (recovery): no checks, the log is the truth. */
  replay (b: ProducerBatch, firstOffset: bigint, lastOffset: bigint): void {
    if (b.producerId < 0n) return
    const entry = this.entries.get(b.producerId)
    const meta: BatchMetadata = { firstSeq: b.baseSequence, lastSeq: lastSequence(b.baseSequence, b.lastOffsetDelta), firstOffset, lastOffset, timestamp: b.maxTimestamp }
    this.entries.set(b.producerId, withBatch(entry, b, meta))
    this.track(b.producerId)
  }

  /** @internal Installs a plan's entries. */
  install (updated: ReadonlyMap<bigint, ProducerEntry>): void {
    for (const [id, e] of updated) { this.entries.set(id, e); this.track(id) }
  }

  /** Puts an entry loaded from a snapshot. */
  load (entry: ProducerEntry): void { this.entries.set(entry.producerId, entry); this.track(entry.producerId) }

  clear (): void { this.entries.clear(); this.ongoing.clear() }

  private track (producerId: bigint): void {
    const first = this.entries.get(producerId)?.currentTxnFirstOffset ?? -1n
    if (first >= 0n) this.ongoing.set(producerId, first)
    else this.ongoing.delete(producerId)
  }

  /**
   * A COMMIT or ABORT marker of the producer was written (or replayed) at
   * `markerOffset`: its transaction is over. Returns the first offset of
   * the transaction it ended (-1n when none was open), which an ABORT
   * records in the transaction index. A marker's epoch may be higher than
   * the producer's (the coordinator fenced it): the entry takes it, so that
   * the fenced producer's later batches are refused (Kafka's
   * appendEndTxnMarker).
   */
  completeTxn (producerId: bigint, producerEpoch: number, coordinatorEpoch: number, markerTimestamp: bigint): bigint {
    const entry = this.entries.get(producerId)
    if (entry === undefined) {
      this.entries.set(producerId, { producerId, producerEpoch, batches: [], lastTimestamp: markerTimestamp, coordinatorEpoch, currentTxnFirstOffset: -1n })
      return -1n
    }
    const first = entry.currentTxnFirstOffset
    const bumped = producerEpoch > entry.producerEpoch
    this.entries.set(producerId, {
      ...entry,
      producerEpoch: Math.max(entry.producerEpoch, producerEpoch),
      batches: bumped ? [] : entry.batches,
      lastTimestamp: markerTimestamp > entry.lastTimestamp ? markerTimestamp : entry.lastTimestamp,
      coordinatorEpoch,
      currentTxnFirstOffset: -1n
    })
    this.ongoing.delete(producerId)
    return first
  }

  /**
   * A coordinator wrote a transactional batch without sequence numbers
   * (TxnOffsetCommit's records in `__consumer_offsets`, Kafka's
   * AppendOrigin.COORDINATOR): it opens the producer's transaction like any
   * transactional batch, without sequence checks.
   */
  beginCoordinatorTxn (producerId: bigint, producerEpoch: number, firstOffset: bigint, timestamp: bigint): void {
    const entry = this.entries.get(producerId)
    if (entry !== undefined && entry.currentTxnFirstOffset >= 0n) return
    this.entries.set(producerId, {
      producerId,
      producerEpoch: Math.max(producerEpoch, entry?.producerEpoch ?? producerEpoch),
      batches: entry?.batches ?? [],
      lastTimestamp: timestamp,
      coordinatorEpoch: entry?.coordinatorEpoch ?? -1,
      currentTxnFirstOffset: firstOffset
    })
    this.track(producerId)
  }

  /** The first offset of the earliest open transaction (the last stable offset when below the high watermark), or null. */
  firstUnstableOffset (): bigint | null {
    let min: bigint | null = null
    for (const o of this.ongoing.values()) if (min === null || o < min) min = o
    return min
  }

  /** Producer ids with an open transaction and its first offset. */
  openTransactions (): ReadonlyMap<bigint, bigint> { return this.ongoing }

  /**
   * Forgets producers idle for `expirationMs` (producer.id.expiration.ms),
   * counted from their last batch's max timestamp, unless a transaction of
   * theirs is open (Kafka's isProducerExpired). Returns how many went.
   */
  removeExpired (nowMs: number, expirationMs: number): number {
    let removed = 0
    for (const [id, e] of this.entries) {
      if (e.currentTxnFirstOffset < 0n && BigInt(nowMs) - e.lastTimestamp >= BigInt(expirationMs)) {
        this.entries.delete(id)
        this.ongoing.delete(id)
        removed++
      }
    }
    return removed
  }
}

/** A transactional batch opens the producer's transaction unless one is open already (KIP-98). */
function txnFirstOffset (entry: ProducerEntry | undefined, b: ProducerBatch, firstOffset: bigint): bigint {
  const open = entry !== undefined && entry.producerEpoch <= b.producerEpoch ? entry.currentTxnFirstOffset : -1n
  if (open >= 0n) return open
  return b.isTransactional ? firstOffset : -1n
}

function checkSequence (entry: ProducerEntry | undefined, b: ProducerBatch, firstSeq: number): void {
  // An unknown producer (new, expired, or whose batches retention removed) may start at any sequence:
  // Kafka 4 accepts it rather than answering UNKNOWN_PRODUCER_ID (KIP-360).
  if (entry === undefined) return
  if (b.producerEpoch < entry.producerEpoch) {
    // Kafka answers INVALID_PRODUCER_EPOCH here since 2.7 (KIP-588), PRODUCER_FENCED being fatal for the client.
    throw new LogError('TRIB_LOG_INVALID_PRODUCER_EPOCH',
      `Epoch of producer ${b.producerId} is ${b.producerEpoch}, which is smaller than the last seen epoch ${entry.producerEpoch}`)
  }
  if (b.producerEpoch > entry.producerEpoch) {
    // A bumped epoch (KIP-360) starts its sequences again at 0.
    if (firstSeq !== 0) {
      throw new LogError('TRIB_LOG_OUT_OF_ORDER_SEQUENCE',
        `Invalid sequence number for new epoch of producer ${b.producerId}: ${b.producerEpoch} (request epoch), ${firstSeq} (seq. number), ${entry.producerEpoch} (current producer epoch)`)
    }
    return
  }
  const last = entry.batches[entry.batches.length - 1]
  if (last !== undefined && !inSequence(last.lastSeq, firstSeq)) {
    throw new LogError('TRIB_LOG_OUT_OF_ORDER_SEQUENCE',
      `Out of order sequence number for producer ${b.producerId}: ${firstSeq} (incoming seq. number), ${last.lastSeq} (current end sequence number)`)
  }
}
