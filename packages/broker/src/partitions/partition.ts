import {
  ProducerStateManager, recoverProducerState, takeProducerSnapshot, type AppendResult, type BatchMetadata, type DiskLog, type ProducerBatch
} from '@tributary/log'
import { channels, type ProduceDuplicateMessage } from '../diagnostics.js'
import { ErrorCode, LENGTH_OFFSET, LOG_OVERHEAD, PRODUCER_ID_OFFSET, RECORD_BATCH_OVERHEAD, encodeControlBatch, readBatchHeader } from '@tributary/protocol'

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
 * A transaction marker from a coordinator older than one that already wrote
 * markers for the producer here (Kafka's TRANSACTION_COORDINATOR_FENCED):
 * nothing is written.
 */
export class CoordinatorFencedError extends Error {
  readonly errorCode = ErrorCode.TRANSACTION_COORDINATOR_FENCED
}

/** Where a partition reports what it could not do in the background (snapshot writes). */
export interface PartitionLogger { warn: (fields: Record<string, unknown>, message: string) => void }

/**
 * One partition this broker leads: its log, its high watermark and its
 * producer state (idempotent producers, issue 6).
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
  /** Kafka's ProducerStateManager for this partition: epochs and the last 5 batches of every producer. */
  readonly producers = new ProducerStateManager()

  constructor (readonly topic: string, readonly index: number, readonly log: DiskLog, private readonly logger?: PartitionLogger) {
    // The cleaner stops below the earliest open transaction.
    log.firstUnstableOffset = () => this.producers.firstUnstableOffset()
  }

  /** Opens the partition over `log`, rebuilding its producer state from the latest snapshot and the log after it. */
  static async open (topic: string, index: number, log: DiskLog, producerIdExpirationMs: number, logger?: PartitionLogger): Promise<Partition> {
    const p = new Partition(topic, index, log, logger)
    // A leader whose ISR is itself moves its HW to its log end on election (Kafka's maybeIncrementLeaderHW).
    // Everything the log holds after open is durable (recovery syncs what it scanned), while the
    // checkpointed HW may lag after a crash: without this, what lies between stays invisible, and a
    // retried batch found there (a duplicate) would wait for an append that may never come.
    p.advanceHighWatermark(log.logEndOffset())
    await recoverProducerState(log, p.producers, { nowMs: Date.now(), expirationMs: producerIdExpirationMs })
    return p
  }

  get highWatermark (): bigint { return this.log.highWatermark }
  /**
   * Read_committed bound (KIP-98): the first offset of the earliest open
   * transaction, or the high watermark when none is open below it.
   */
  get lastStableOffset (): bigint {
    const first = this.producers.firstUnstableOffset()
    const hw = this.log.highWatermark
    return first !== null && first < hw ? first : hw
  }

  /**
   * Appends a transaction marker (a COMMIT or ABORT control batch) for the
   * producer, as Kafka's WriteTxnMarkers does on the partition leader: the
   * producer's open transaction ends, so the last stable offset moves past
   * it; an ABORT is recorded in the transaction index (first offset of the
   * transaction, marker offset, last stable offset) so that read_committed
   * fetches can list it. Resolves when the marker is durable. As Kafka's
   * appendEndTxnMarker, a marker whose coordinator epoch is older than the
   * last one seen for the producer is refused (CoordinatorFencedError).
   */
  writeMarker (producerId: bigint, producerEpoch: number, commit: boolean, coordinatorEpoch: number): Promise<unknown> {
    const seen = this.producers.get(producerId)?.coordinatorEpoch ?? -1
    if (seen > coordinatorEpoch) {
      return Promise.reject(new CoordinatorFencedError(`producer ${producerId} has markers of coordinator epoch ${seen}, this one has ${coordinatorEpoch}`))
    }
    const now = BigInt(Date.now())
    const batch = encodeControlBatch({ producerId, producerEpoch, commit, coordinatorEpoch, timestamp: now })
    const markerOffset = this.log.logEndOffset()
    const durable = this.log.append(batch, { durable: true, leaderEpoch: LEADER_EPOCH, timestampType: 'CreateTime', now: () => now })
      .then(r => { this.advanceHighWatermark(r.lastOffset + 1n); return r })
    const first = this.producers.completeTxn(producerId, producerEpoch, coordinatorEpoch, now)
    if (!commit && first >= 0n) {
      const lso = this.producers.firstUnstableOffset()
      this.log.addAbortedTxn({ producerId, firstOffset: first, lastOffset: markerOffset, lastStableOffset: lso === null || lso > markerOffset ? markerOffset + 1n : lso })
    }
    this.wake()
    return durable
  }

  /**
   * Appends a transactional batch written by a coordinator without
   * sequence numbers (TxnOffsetCommit's offsets in `__consumer_offsets`):
   * it opens the producer's transaction, bypassing sequence checks
   * (Kafka's AppendOrigin.COORDINATOR).
   */
  appendCoordinatorTxn (batch: Buffer, producerId: bigint, producerEpoch: number): Promise<unknown> {
    const now = BigInt(Date.now())
    const first = this.log.logEndOffset()
    const durable = this.log.append(batch, { durable: true, leaderEpoch: LEADER_EPOCH, timestampType: 'CreateTime', now: () => now })
      .then(r => { this.advanceHighWatermark(r.lastOffset + 1n); return r })
    this.producers.beginCoordinatorTxn(producerId, producerEpoch, first, now)
    return durable
  }
  get logStartOffset (): bigint { return this.log.logStartOffset() }
  get logEndOffset (): bigint { return this.log.logEndOffset() }

  /**
   * Appends `batches` (validated and owned by the log from here;
   * `crcVerified` when the caller has checked their CRCs, see AppendOptions). The write
   * happens synchronously inside DiskLog.append, before its first await, so
   * `written` is settled once the write is done; `durable` settles when the
   * data is durable under the flush policy and the HW has moved past it.
   *
   * Idempotent batches (producer id >= 0) are checked against the producer
   * state first, in the same synchronous step as the write, so appends of
   * one partition are checked in the order they are written: a retry of one
   * of the producer's last 5 batches is answered with the original offsets
   * and not written again; an epoch or sequence error throws a LogError
   * (INVALID_PRODUCER_EPOCH / OUT_OF_ORDER_SEQUENCE_NUMBER at the edge).
   */
  append (batches: Buffer, logAppendTime: boolean, crcVerified = false): { written: Promise<Written>, durable: Promise<unknown> } {
    const first = this.log.logEndOffset()
    const now = BigInt(Date.now())
    const idempotent = producerBatchesOf(batches, first, logAppendTime ? now : null)
    let plan = null
    if (idempotent !== null) {
      const check = this.producers.prepare(idempotent.batches, idempotent.offsets)
      if (check.kind === 'duplicate') return this.duplicate(check.producerId, check.batch, logAppendTime)
      plan = check.plan
    }
    const base = this.log.activeSegmentBaseOffset()
    const durable = this.log.append(batches, { durable: true, leaderEpoch: LEADER_EPOCH, timestampType: logAppendTime ? 'LogAppendTime' : 'CreateTime', now: () => now, crcVerified })
      .then(r => { this.advanceHighWatermark(r.lastOffset + 1n); return r })
    const end = this.log.logEndOffset()
    if (end !== first) {
      // The append rolled the log: snapshot the producer state as of the new segment's base, before this append (Kafka snapshots at every roll).
      if (this.log.activeSegmentBaseOffset() !== base) this.snapshot(first)
      plan?.commit()
    }
    const written: Promise<Written> = end === first
      ? durable
      : Promise.resolve({ firstOffset: first, lastOffset: end - 1n, logAppendTime: logAppendTime ? now : -1n, logStartOffset: this.log.logStartOffset() })
    // acks=0/1 callers may not wait for durability: a storage failure is then only seen by later requests.
    durable.catch(() => {})
    return { written, durable }
  }

  /** A retried batch: Kafka answers NONE with the original offsets, once they are as durable as a new append would be. */
  private duplicate (producerId: bigint, batch: BatchMetadata, logAppendTime: boolean): { written: Promise<Written>, durable: Promise<unknown> } {
    if (channels.produceDuplicate.hasSubscribers) {
      const message: ProduceDuplicateMessage = { topic: this.topic, partition: this.index, producerId, firstSequence: batch.firstSeq, firstOffset: batch.firstOffset }
      channels.produceDuplicate.publish(message)
    }
    const written = Promise.resolve({
      firstOffset: batch.firstOffset, lastOffset: batch.lastOffset, logAppendTime: logAppendTime ? batch.timestamp : -1n, logStartOffset: this.log.logStartOffset()
    })
    return { written, durable: this.waitForHighWatermark(batch.lastOffset + 1n) }
  }

  private waitForHighWatermark (offset: bigint): Promise<void> {
    return new Promise(resolve => {
      const check = (): void => {
        // The original append either becomes durable (HW passes it) or fails the log; appends then throw, and the waiter is woken by close.
        if (this.log.highWatermark >= offset || this.log.logEndOffset() < offset) resolve()
        else this.onAdvance(check)
      }
      check()
    })
  }

  /** Writes the producer-state snapshot as of `offset` (a roll, a clean close); a failure costs only replay time at the next start. */
  snapshot (offset: bigint = this.log.logEndOffset()): void {
    try {
      takeProducerSnapshot(this.log, this.producers, offset)
    } catch (err) {
      this.logger?.warn({ topic: this.topic, partition: this.index, err: (err as Error).message }, 'producer state snapshot failed')
    }
  }

  /** Drops producers idle for producer.id.expiration.ms (Kafka's periodic removeExpiredProducers). */
  expireProducers (nowMs: number, expirationMs: number): number {
    return this.producers.removeExpired(nowMs, expirationMs)
  }

  /** Truncates the log (replication) and rebuilds the producer state for what is left, as Kafka's truncateAndReload. */
  async truncateTo (offset: bigint, producerIdExpirationMs: number): Promise<void> {
    await this.log.truncateTo(offset)
    await recoverProducerState(this.log, this.producers, { nowMs: Date.now(), expirationMs: producerIdExpirationMs })
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

/**
 * The producer fields of the batches of an append and the offsets each will
 * get, or null when no batch has a producer id (the common, non-idempotent
 * case costs one 8-byte read per batch). Batches were validated by the
 * produce checks; the log validates them again before writing.
 */
function producerBatchesOf (buf: Buffer, firstOffset: bigint, appendTime: bigint | null): { batches: ProducerBatch[], offsets: Array<[bigint, bigint]> } | null {
  let any = false
  for (let at = 0; at + RECORD_BATCH_OVERHEAD <= buf.length; at += LOG_OVERHEAD + buf.readInt32BE(at + LENGTH_OFFSET)) {
    if (buf.readBigInt64BE(at + PRODUCER_ID_OFFSET) >= 0n) { any = true; break }
    if (buf.readInt32BE(at + LENGTH_OFFSET) <= 0) break
  }
  if (!any) return null
  const batches: ProducerBatch[] = []
  const offsets: Array<[bigint, bigint]> = []
  let next = firstOffset
  for (let at = 0; at < buf.length;) {
    const h = readBatchHeader(buf, at)
    const last = next + BigInt(h.lastOffsetDelta)
    batches.push({ ...h, maxTimestamp: appendTime ?? h.maxTimestamp })
    offsets.push([next, last])
    next = last + 1n
    at += LOG_OVERHEAD + h.batchLength
  }
  return { batches, offsets }
}
