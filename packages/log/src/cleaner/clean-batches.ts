import {
  CompressionCodec, NO_TIMESTAMP, TimestampType, decodeRecordBatchSync, encodeRecordBatchSync, lastOffset, readBatchHeader,
  type DecodedRecord, type DecodedRecordBatch, type RecordBatchHeader
} from '@tributary/protocol'
import type { OffsetMap } from './offset-map.js'
import { newCleanerStats, type CleanerStats } from './stats.js'
import { TxnCleaningState, controlRecordType, type AbortedTxnRange } from './txn-state.js'

/**
 * The second phase of a cleaning, one batch at a time and without I/O:
 * rewrite a batch of the cleaned range given the offset map of the dirty
 * range (Kafka's Cleaner.cleanInto with its RecordFilter and
 * MemoryRecords.filterTo).
 *
 * A record is kept iff
 * - its offset is above the map's latest offset (not covered by this round), or
 * - it has no key and the keyless policy retains it, or
 * - it is the latest record of its key (offset >= the map's offset for the
 *   key, or the key is not in the map) and it has a value, or it is a
 *   tombstone whose batch has no delete horizon yet or one that has not
 *   passed (KIP-534).
 *
 * A batch that keeps all its records and needs no new delete horizon is
 * returned as the same Buffer. Otherwise the kept records are re-encoded as
 * a new batch with the original base offset, last offset delta, producer id,
 * epoch and base sequence, partition leader epoch, codec, timestamp type and
 * transactional/control bits; record offsets and timestamps are unchanged.
 * Keeping the last offset delta keeps the producer's last sequence
 * (Kafka's buildRetainedRecordsInto overrides the last offset for that).
 */

export type KeylessPolicy = 'retain' | 'discard'

/** What the producer state says about one producer (Kafka's LastRecord). */
export interface ProducerLastRecord {
  /** Last offset of the producer's last data batch, null if it has written only markers. */
  lastDataOffset: bigint | null
  producerEpoch: number
}

export interface CleanContext {
  map: OffsetMap
  /** Wall clock of this cleaning, ms. */
  now: number
  /** delete.retention.ms */
  deleteRetentionMs: number
  /** Transaction state of this pass; carried from batch to batch in offset order. */
  txns: TxnCleaningState<AbortedTxnRange>
  /**
   * Batches that must survive even when all their records go (Kafka's
   * RETAIN_EMPTY): the last batch of each active producer, which carries the
   * sequence number and epoch the producer state needs after a restart.
   */
  retainEmpty?: (header: RecordBatchHeader) => boolean
  /**
   * A batch whose next offset (last offset + 1) is in this set is kept,
   * possibly empty: Kafka keeps the last batch of a cleaning round so that
   * the last offset is not lost; the scheduler also adds the end of each
   * replaced segment group.
   */
  keepBatchesEndingAt?: ReadonlySet<bigint>
  /**
   * Records without a key in a compacted log (possible only if the topic was
   * switched from delete to compact). Kafka's cleaner drops them; the
   * default here keeps them. See README.
   */
  keyless?: KeylessPolicy
  stats: CleanerStats
}

const INT64_MAX = (1n << 63n) - 1n

/** now + delete.retention.ms, clamped to int64 (Kafka's Long.MAX_VALUE retention means "never"). */
export function deleteHorizonFor (now: number, deleteRetentionMs: number): bigint {
  const h = BigInt(Math.trunc(now)) + BigInt(Math.trunc(Math.max(0, deleteRetentionMs)))
  return h > INT64_MAX ? INT64_MAX : h
}

/** The producer-state rule of Kafka's cleaner as a `retainEmpty` predicate. */
export function retainLastBatchOfProducers (producers: ReadonlyMap<bigint, ProducerLastRecord>): (header: RecordBatchHeader) => boolean {
  return (h) => {
    const last = producers.get(h.producerId)
    if (last === undefined) return false
    if (last.lastDataOffset !== null) return lastOffset(h) === last.lastDataOffset
    return h.isControl && h.producerEpoch === last.producerEpoch
  }
}

/** The record's timestamp as written (baseTimestamp + delta), also for LogAppendTime batches and batches with a delete horizon. */
function writtenTimestamp (h: RecordBatchHeader, r: DecodedRecord): bigint {
  return h.baseTimestamp + r.timestampDelta
}

function shouldRetainRecord (h: RecordBatchHeader, r: DecodedRecord, ctx: CleanContext, now: bigint): boolean {
  if (r.offset > ctx.map.latestOffset) return true
  if (r.key === null) {
    ctx.stats.keylessRecords++
    return ctx.keyless !== 'discard'
  }
  if (r.offset < ctx.map.get(r.key)) {
    ctx.stats.supersededRemoved++
    return false
  }
  if (r.value !== null) return true
  // KIP-534: a tombstone lives until its batch's delete horizon.
  const keep = !h.hasDeleteHorizonMs || now < h.baseTimestamp
  if (!keep) ctx.stats.tombstonesRemoved++
  return keep
}

function rebuild (h: RecordBatchHeader, kept: DecodedRecord[], horizon: bigint | null): Buffer {
  return encodeRecordBatchSync({
    baseOffset: h.baseOffset,
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    compression: h.compression,
    timestampType: h.timestampType,
    transactional: h.isTransactional,
    control: h.isControl,
    hasDeleteHorizonMs: horizon !== null,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    // KIP-534: with a delete horizon the base timestamp is the horizon and
    // the record deltas are taken from it, so record timestamps do not move.
    baseTimestamp: horizon ?? writtenTimestamp(h, kept[0]!),
    // LogAppendTime: readers take maxTimestamp as every record's time.
    maxTimestamp: h.timestampType === TimestampType.LOG_APPEND_TIME ? h.maxTimestamp : undefined,
    lastOffsetDelta: h.lastOffsetDelta,
    records: kept.map(r => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      offsetDelta: r.offsetDelta,
      timestamp: writtenTimestamp(h, r)
    }))
  })
}

/** A header-only batch keeping the offsets, producer fields and max timestamp (Kafka's writeEmptyHeader). */
function emptyBatch (h: RecordBatchHeader): Buffer {
  return encodeRecordBatchSync({
    baseOffset: h.baseOffset,
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    compression: CompressionCodec.NONE,
    timestampType: h.timestampType,
    transactional: h.isTransactional,
    control: h.isControl,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    baseTimestamp: NO_TIMESTAMP,
    maxTimestamp: h.maxTimestamp,
    lastOffsetDelta: h.lastOffsetDelta,
    records: []
  })
}

type Retention = 'delete' | 'retain-empty' | 'delete-empty'

/**
 * Cleans one batch. Returns `batch` itself when it is kept unchanged, a new
 * Buffer when it is rewritten, null when it is dropped. Batches must be
 * passed in offset order (the transaction state depends on it).
 */
export function cleanBatch (batch: Buffer, ctx: CleanContext): Buffer | null {
  const h = readBatchHeader(batch)
  const { stats } = ctx
  const now = BigInt(Math.trunc(ctx.now))
  stats.batchesRead++
  stats.bytesRead += batch.length

  let decoded: DecodedRecordBatch | null = null
  let canDiscard: boolean
  if (h.isControl) {
    decoded = decodeRecordBatchSync(batch)
    canDiscard = ctx.txns.onControlBatch(h, controlRecordType(decoded.records[0]))
  } else {
    canDiscard = ctx.txns.onDataBatch(h)
  }
  const horizon = h.hasDeleteHorizonMs ? h.baseTimestamp : null
  // Markers piggy-back on the tombstone horizon: a discardable marker goes only after it.
  const discardRecords = h.isControl ? canDiscard && horizon !== null && horizon <= now : canDiscard
  const markerOfFinishedTxn = canDiscard && h.isControl

  const next = lastOffset(h) + 1n
  let retention: Retention
  if (h.producerId >= 0n && ctx.retainEmpty?.(h) === true) retention = 'retain-empty'
  else if (ctx.keepBatchesEndingAt?.has(next) === true) retention = 'retain-empty'
  else if (discardRecords) retention = 'delete'
  else retention = 'delete-empty'

  if (retention === 'delete') {
    stats.recordsRead += h.recordsCount
    if (h.isControl) stats.markersRemoved += h.recordsCount
    else stats.abortedRecordsRemoved += h.recordsCount
    return null
  }

  decoded ??= decodeRecordBatchSync(batch)
  const records = decoded.records
  stats.recordsRead += records.length
  const kept: DecodedRecord[] = []
  let tombstones = false
  for (const r of records) {
    let keep: boolean
    if (discardRecords) {
      keep = false
      if (h.isControl) stats.markersRemoved++
      else stats.abortedRecordsRemoved++
    } else {
      keep = h.isControl || shouldRetainRecord(h, r, ctx, now)
    }
    if (keep) {
      kept.push(r)
      if (r.value === null) tombstones = true
    }
  }

  if (kept.length > 0) {
    stats.recordsRetained += kept.length
    stats.batchesWritten++
    const needHorizon = (tombstones || markerOfFinishedTxn) && horizon === null
    if (kept.length === records.length && !needHorizon) {
      stats.bytesWritten += batch.length
      return batch
    }
    let newHorizon = horizon
    if (needHorizon) {
      newHorizon = deleteHorizonFor(ctx.now, ctx.deleteRetentionMs)
      stats.deleteHorizonsSet++
    }
    const out = rebuild(h, kept, newHorizon)
    stats.batchesRewritten++
    stats.bytesWritten += out.length
    return out
  }
  if (retention === 'retain-empty') {
    stats.batchesWritten++
    stats.emptyBatchesRetained++
    const out = records.length === 0 ? batch : emptyBatch(h)
    if (out !== batch) stats.batchesRewritten++
    stats.bytesWritten += out.length
    return out
  }
  return null
}

export interface CleanBatchesOptions extends Omit<CleanContext, 'txns' | 'stats'> {
  /** Aborted transactions overlapping the batches (from the transaction index). */
  abortedTxns?: Iterable<AbortedTxnRange>
  stats?: CleanerStats
}

export interface CleanBatchesResult {
  batches: Buffer[]
  stats: CleanerStats
  /** Aborted transactions whose ABORT marker was kept: the cleaned transaction index. */
  retainedAbortedTxns: AbortedTxnRange[]
}

/** Cleans a sequence of batches in one go (for tests, small logs and the memory log). */
export function cleanBatches (batches: Iterable<Buffer>, opts: CleanBatchesOptions): CleanBatchesResult {
  const stats = opts.stats ?? newCleanerStats()
  const txns = new TxnCleaningState(opts.abortedTxns ?? [])
  const ctx: CleanContext = { ...opts, txns, stats }
  const out: Buffer[] = []
  for (const b of batches) {
    const c = cleanBatch(b, ctx)
    if (c !== null) out.push(c)
  }
  return { batches: out, stats, retainedAbortedTxns: txns.takeRetainedAborted() }
}
