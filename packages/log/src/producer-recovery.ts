import { LOG_OVERHEAD, decodeRecordBatchSync, decodeTransactionMarker, readBatchHeader } from '@tributary/protocol'
import { deleteProducerSnapshot, listProducerSnapshots, readProducerSnapshot, writeProducerSnapshot } from './producer-snapshot.js'
import type { ProducerStateManager } from './producer-state.js'
import type { ReadOptions, ReadResult } from './types.js'

/** What producer-state recovery needs of a log: its directory and reads. */
export interface ProducerLogView {
  readonly dir: string
  logStartOffset (): bigint
  logEndOffset (): bigint
  read (offset: bigint, maxBytes: number, options?: ReadOptions): Promise<ReadResult>
  /** Segment base offsets, oldest first; lets a log without any snapshot replay only its last two segments. */
  segments?: () => ReadonlyArray<{ baseOffset: bigint }>
}

export interface ProducerRecoveryOptions {
  nowMs: number
  /** producer.id.expiration.ms: producers idle longer are not loaded. */
  expirationMs: number
  /** Bytes per read while replaying (default 1 MiB). */
  chunkBytes?: number
}

export interface ProducerRecovery {
  /** The snapshot the state started from, or null (replayed from the log start). */
  snapshotOffset: bigint | null
  replayedBatches: number
}

/**
 * Rebuilds `state` for `log` as Kafka's UnifiedLog does at load and after a
 * truncation: snapshots above the log end are stale (their batches are gone)
 * and removed; the newest snapshot that decodes is loaded (damaged ones are
 * removed); then the batches from there (or from the log start) to the log
 * end are replayed from their headers. Control batches carry no producer
 * sequence and are skipped.
 */
export async function recoverProducerState (log: ProducerLogView, state: ProducerStateManager, options: ProducerRecoveryOptions): Promise<ProducerRecovery> {
  state.clear()
  const end = log.logEndOffset()
  let snapshotOffset: bigint | null = null
  const offsets = listProducerSnapshots(log.dir)
  for (let i = offsets.length - 1; i >= 0; i--) {
    const offset = offsets[i]!
    if (offset > end) { deleteProducerSnapshot(log.dir, offset); continue }
    const entries = readProducerSnapshot(log.dir, offset)
    if (entries === null) { deleteProducerSnapshot(log.dir, offset); continue }
    for (const e of entries) {
      if (e.currentTxnFirstOffset >= 0n || BigInt(options.nowMs) - e.lastTimestamp < BigInt(options.expirationMs)) state.load(e)
    }
    snapshotOffset = offset
    break
  }
  let from = snapshotOffset ?? noSnapshotStart(log)
  if (from < log.logStartOffset()) from = log.logStartOffset()
  let replayedBatches = 0
  const chunk = options.chunkBytes ?? 1024 * 1024
  while (from < end) {
    const r = await log.read(from, chunk)
    if (r.records.length === 0) break
    let at = 0
    let next = from
    while (at < r.records.length) {
      const h = readBatchHeader(r.records, at)
      const last = h.baseOffset + BigInt(h.lastOffsetDelta)
      if (last >= from && !h.isControl && h.producerId >= 0n) {
        state.replay(h, h.baseOffset, last)
        replayedBatches++
      } else if (last >= from && h.isControl && h.producerId >= 0n) {
        // A transaction marker closes the producer's open transaction (the last stable offset moves past it).
        state.completeTxn(h.producerId, h.producerEpoch, markerCoordinatorEpoch(r.records, at, h.batchLength), h.maxTimestamp)
      }
      next = last + 1n
      at += h.batchLength + LOG_OVERHEAD
    }
    if (next <= from) break
    from = next
  }
  state.removeExpired(options.nowMs, options.expirationMs)
  return { snapshotOffset, replayedBatches }
}

/** The coordinator epoch of a transaction marker, restored with the producer's state as Kafka does (-1 if unreadable). */
function markerCoordinatorEpoch (buf: Buffer, at: number, batchLength: number): number {
  try {
    return decodeTransactionMarker(decodeRecordBatchSync(buf.subarray(at, at + LOG_OVERHEAD + batchLength))).coordinatorEpoch
  } catch {
    return -1
  }
}

/**
 * Where to replay from when there is no snapshot at all (a log written
 * before producer state existed, or whose snapshots were lost): Kafka
 * rebuilds only from the last two segments then, so that an upgrade does
 * not scan whole logs; producers older than that are unknown, and Kafka 4
 * accepts an unknown producer at any sequence.
 */
function noSnapshotStart (log: ProducerLogView): bigint {
  const segments = log.segments?.()
  if (segments === undefined || segments.length <= 2) return log.logStartOffset()
  return segments[segments.length - 2]!.baseOffset
}

/**
 * Writes the snapshot of `state` as of `offset` (at a segment roll: the new
 * segment's base; at a clean close: the log end) and removes the snapshots
 * no longer needed (pruneProducerSnapshots).
 */
export function takeProducerSnapshot (log: ProducerLogView, state: ProducerStateManager, offset: bigint): void {
  writeProducerSnapshot(log.dir, offset, state.all())
  pruneProducerSnapshots(log)
}

/**
 * Keeps the newest snapshot and those at the base of a segment at or above
 * the log start; removes the rest: snapshots below the log start, and the
 * close snapshots of earlier runs that a later one supersedes (Kafka's
 * removal of stray snapshots). The newest is kept even below the log
 * start, so producers whose batches retention or DeleteRecords removed
 * stay known until they expire (KIP-360).
 */
export function pruneProducerSnapshots (log: ProducerLogView): void {
  const offsets = listProducerSnapshots(log.dir)
  const start = log.logStartOffset()
  const segments = log.segments?.()
  const bases = segments === undefined ? null : new Set(segments.map(s => s.baseOffset))
  for (let i = 0; i < offsets.length - 1; i++) {
    const o = offsets[i]!
    if (o < start || (bases !== null && !bases.has(o))) deleteProducerSnapshot(log.dir, o)
  }
}
