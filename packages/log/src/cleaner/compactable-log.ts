import type { AbortedTxn, LogConfig } from '../types.js'
import type { ProducerLastRecord } from './clean-batches.js'
import type { SegmentDescriptor } from './cleanable.js'

/**
 * What a log offers the cleaner. The on-disk log implements it (and any
 * other log that wants compaction); the cleaner owns no file handle and
 * never touches the active segment.
 *
 * Every method is called on the event loop, one cleaning per log at a time.
 * Appends, reads, roll and retention go on meanwhile; replaceSegments is the
 * one point where the cleaner's work becomes visible, and the log decides
 * there whether the work still applies.
 */
export interface CompactableLog {
  /** For diagnostics ("topic-0"). */
  readonly name: string
  /** Current configuration (cleanup.policy, delete.retention.ms, min/max compaction lag, dirty ratio, segment.bytes). */
  config (): Readonly<LogConfig>
  logStartOffset (): bigint
  logEndOffset (): bigint
  /**
   * Upper bound of cleaning: the last stable offset (the first offset of an
   * open transaction, else the high watermark). Until transactions exist,
   * the high watermark.
   */
  lastStableOffset (): bigint
  /**
   * All segments, oldest first, the active one last with isActive set. A
   * snapshot: the cleaner keeps the descriptors and hands them back to
   * readBatches and replaceSegments.
   */
  segments (): readonly SegmentDescriptor[]
  /**
   * The batches of a (non-active) segment, in order, each a whole v2 batch
   * as stored (the cleaner checks CRCs when it decodes). With `fromOffset`,
   * the log may skip batches that end before it (offset index lookup); it
   * may also start earlier. A batch cut short by a concurrent truncation
   * ends the iteration. Buffers may be views of a read chunk, but a chunk
   * must not be reused for the next read: the cleaner holds unchanged
   * batches until it hands them, as they are, to the writer.
   */
  readBatches (segment: SegmentDescriptor, fromOffset?: bigint): AsyncIterable<Buffer>
  /**
   * Aborted transactions with lastOffset >= from and firstOffset < to, from
   * the transaction indexes. An entry lives in the segment holding its ABORT
   * marker, so the search goes on into later segments (the active one too)
   * as Kafka's collectAbortedTransactions does. Empty until transactions
   * exist.
   */
  abortedTransactions (from: bigint, to: bigint): Promise<readonly AbortedTxn[]>
  /**
   * Producer state (Kafka's lastRecordsOfActiveProducers): for each
   * producer still tracked, where its last data batch ends, so the cleaner
   * keeps that batch (maybe empty) and sequence checks survive a restart.
   * Optional: without it the cleaner finds the last batch of every producer
   * id in the cleaned range itself, at the cost of one extra read.
   */
  lastRecordsOfActiveProducers? (): ReadonlyMap<bigint, ProducerLastRecord>
  /**
   * Starts a cleaned segment with this base offset (on disk:
   * `<base>.log.cleaned` and its index files). The cleaner appends the
   * cleaned batches, then calls replaceSegments, or abort.
   */
  createCleanedSegment (baseOffset: bigint): Promise<CleanedSegmentWriter>
  /**
   * Atomically replaces `old` (consecutive, non-active segments, as returned
   * by segments()) by the cleaned segment, which has old[0].baseOffset as
   * its base offset and whose last batch ends at the last old segment's
   * nextOffset (or earlier, if that segment was empty). Returns false
   * without changing anything if the log changed under the cleaner: one of
   * `old` is no longer in the log, or differs (truncated: other nextOffset
   * or size), or became active; the cleaner then aborts the writer. See
   * README for the crash-safe sequence (.cleaned -> .swap -> live).
   */
  replaceSegments (cleaned: CleanedSegmentWriter, old: readonly SegmentDescriptor[]): Promise<boolean>
  /** Where the last completed cleaning ended (Kafka's cleaner-offset-checkpoint), null if never cleaned. */
  cleanerCheckpoint (): bigint | null
  /**
   * Persists the checkpoint. The log must also lower it when it truncates
   * below it (Kafka's maybeTruncateCheckpoint), or records appended after a
   * truncation would be taken for clean ones.
   */
  setCleanerCheckpoint (offset: bigint): Promise<void>
}

/** A cleaned segment being written. */
export interface CleanedSegmentWriter {
  readonly baseOffset: bigint
  /**
   * Appends whole batches, offsets increasing, all at or above baseOffset,
   * with gaps between them. The writer builds the offset and time indexes
   * from the batch headers as for any append (maxTimestamp of each batch).
   */
  append (batches: readonly Buffer[]): Promise<void>
  /**
   * An entry of the cleaned segment's transaction index: an aborted
   * transaction whose ABORT marker is in this segment and was kept. The
   * cleaned `.txnindex` holds exactly these entries, never a copy of the old
   * ones: an entry whose marker is gone would otherwise mark a later
   * transaction of the same producer as aborted.
   */
  addAbortedTxn (txn: AbortedTxn): void
  /** Discards the cleaned files. Idempotent. */
  abort (): Promise<void>
}
