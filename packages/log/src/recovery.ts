import { closeSync, fstatSync, openSync, readdirSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { scanSegment } from './batch-scan.js'
import { readCleanShutdown, type CleanShutdownState } from './clean-shutdown.js'
import { renameIfExists, unlinkIfExists } from './io.js'
import { LeaderEpochCache } from './leader-epoch-cache.js'
import { LogSegment, type SegmentSettings } from './segment.js'
import { TxnIndexReplay } from './txn-replay.js'
import {
  CLEANED_SUFFIX, DELETED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX, SWAP_SUFFIX, TIME_INDEX_SUFFIX, TMP_SUFFIX, TXN_INDEX_SUFFIX,
  parseOffsetFileName, segmentFilePath
} from './segment-files.js'

/** Where the log reports what recovery found and did. */
export interface LogLogger {
  warn: (message: string) => void
  info?: (message: string) => void
}

export interface LoadOptions {
  /** Offset below which every segment is known synced (recovery-point-offset-checkpoint). Default 0: scan everything after an unclean stop. */
  recoveryPoint?: bigint
  /** From log-start-offset-checkpoint. */
  logStartOffset?: bigint
  /** From replication-offset-checkpoint. */
  highWatermark?: bigint
  /** From cleaner-offset-checkpoint. */
  cleanerCheckpoint?: bigint
}

export interface LoadedLog {
  segments: LogSegment[]
  logEndOffset: bigint
  logStartOffset: bigint
  highWatermark: bigint
  epochs: LeaderEpochCache
  cleanerCheckpoint: bigint | null
  /** The previous close was clean (its marker was found and trusted). */
  cleanShutdown: boolean
  /** Recovery changed files or found them unsynced: the log must sync everything before serving. */
  needsFullSync: boolean
  /** Bytes cut from damaged tails and segments dropped, for reports and tests. */
  truncatedBytes: number
  droppedSegments: number
  rebuiltIndexes: number
}

/**
 * Leftovers of interrupted work, handled as Kafka's LogLoader does:
 * `.deleted` files (their deletion was pending), `.cleaned` files (a
 * cleaning that never reached its swap) and `.tmp` files (checkpoints
 * being replaced) are removed; a `.log.swap` is a cleaned segment whose
 * swap was under way: the segments it replaces are removed and it is
 * renamed live (its offset and time indexes are rebuilt, its transaction
 * index kept); index files without a `.log` are removed.
 */
export function cleanUpDirectory (dir: string, logger: LogLogger): boolean {
  let changed = false
  const swaps: bigint[] = []
  for (const name of readdirSync(dir)) {
    if (name.endsWith(DELETED_SUFFIX) || name.endsWith(CLEANED_SUFFIX) || name.endsWith(TMP_SUFFIX)) {
      unlinkIfExists(join(dir, name))
      changed = true
    } else if (name.endsWith(LOG_SUFFIX + SWAP_SUFFIX)) {
      const parsed = parseOffsetFileName(name)
      if (parsed !== null) swaps.push(parsed.offset)
    }
  }
  for (const base of swaps) {
    completeSwap(dir, base, logger)
    changed = true
  }
  const names = readdirSync(dir)
  const logs = new Set(names.filter(n => n.endsWith(LOG_SUFFIX)).map(n => n.slice(0, -LOG_SUFFIX.length)))
  for (const name of names) {
    if (name.endsWith(SWAP_SUFFIX)) {
      // Index files of a swap whose log was handled above, or of one that never got its log.
      unlinkIfExists(join(dir, name))
      changed = true
      continue
    }
    for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX]) {
      if (name.endsWith(suffix) && parseOffsetFileName(name) !== null && !logs.has(name.slice(0, -suffix.length))) {
        unlinkIfExists(join(dir, name))
        changed = true
      }
    }
  }
  return changed
}

function completeSwap (dir: string, base: bigint, logger: LogLogger): void {
  const swapPath = segmentFilePath(dir, base, LOG_SUFFIX + SWAP_SUFFIX)
  const fd = openSync(swapPath, 'r')
  let next: bigint
  try {
    const outcome = scanSegment(fd, 0, fstatSync(fd).size, { verifyCrc: false, segmentBase: base, minBaseOffset: base }, () => {})
    next = outcome.lastOffset === null ? base + 1n : outcome.lastOffset + 1n
  } finally {
    closeSync(fd)
  }
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(LOG_SUFFIX)) continue
    const parsed = parseOffsetFileName(name)
    if (parsed === null || parsed.offset < base || parsed.offset >= next) continue
    for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX]) unlinkIfExists(segmentFilePath(dir, parsed.offset, suffix))
  }
  renameSync(swapPath, segmentFilePath(dir, base, LOG_SUFFIX))
  renameIfExists(segmentFilePath(dir, base, TXN_INDEX_SUFFIX + SWAP_SUFFIX), segmentFilePath(dir, base, TXN_INDEX_SUFFIX))
  logger.info?.(`${dir}: completed the swap of cleaned segment ${base} (offsets below ${next})`)
}

/** Index of the last segment whose base offset is <= offset, or -1. */
export function floorSegment (segments: readonly LogSegment[], offset: bigint): number {
  let lo = 0
  let hi = segments.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    if (segments[mid]!.baseOffset <= offset) { found = mid; lo = mid + 1 } else hi = mid - 1
  }
  return found
}

/**
 * Opens a partition directory and brings it to a consistent state (Kafka's
 * LogLoader):
 *
 * 1. leftovers are cleaned up (see cleanUpDirectory);
 * 2. every `<base>.log` becomes a segment (indexes load lazily);
 * 3. after a clean close (marker present and valid) only the active
 *    segment's tail is checked, from its last index entry; after an unclean
 *    stop every segment from the one holding the recovery point to the end
 *    is recovered: each batch validated (length, magic, CRC, offsets
 *    increasing across segments), indexes rebuilt, the file cut after the
 *    last valid batch, and every later segment dropped, since a log must
 *    not continue past a hole; epochs found in the batches and missing
 *    from the leader epoch checkpoint are added; the transaction indexes
 *    are rebuilt from the ABORT markers and the producer state
 *    (txn-replay.ts);
 * 4. the log end, log start and high watermark follow from the segments and
 *    the saved offsets; the leader epoch cache is cut to them.
 *
 * Damaged files never make it throw (only I/O errors do) and never cost a
 * valid batch that precedes the damage.
 */
export function loadLog (dir: string, settings: SegmentSettings, options: LoadOptions, nowMs: number, logger: LogLogger): LoadedLog {
  const marker: CleanShutdownState | null = readCleanShutdown(dir)
  let needsFullSync = cleanUpDirectory(dir, logger)
  const bases: bigint[] = []
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(LOG_SUFFIX)) continue
    const parsed = parseOffsetFileName(name)
    if (parsed !== null && parsed.suffix === LOG_SUFFIX) bases.push(parsed.offset)
  }
  bases.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const segments = bases.map(base => LogSegment.open(dir, base, settings, nowMs))
  for (let i = 0; i < segments.length - 1; i++) segments[i]!.setInactive()
  let truncatedBytes = 0
  let droppedSegments = 0
  let rebuiltIndexes = 0

  const dropFrom = (i: number): void => {
    for (const seg of segments.splice(i)) {
      seg.deleteNow()
      droppedSegments++
    }
    needsFullSync = true
  }

  const { cache: epochs, damaged } = LeaderEpochCache.load(dir)
  if (damaged !== null) {
    logger.warn(`${dir}: ${damaged.message}; starting with an empty leader epoch cache`)
    needsFullSync = true
  }

  if (marker !== null && segments.length > 0) {
    const active = segments[segments.length - 1]!
    const r = active.recoverTail()
    if (r.rebuilt) rebuiltIndexes++
    if (r.truncatedBytes > 0 || r.rebuilt) {
      truncatedBytes += r.truncatedBytes
      needsFullSync = true
      if (r.truncatedBytes > 0) logger.warn(`${dir}: cut ${r.truncatedBytes} bytes after the last valid batch of ${active.logPath} (${r.outcome.reason ?? r.outcome.stop})`)
    }
  } else if (segments.length > 0) {
    const from = Math.max(0, Math.min(floorSegment(segments, options.recoveryPoint ?? 0n), segments.length - 1))
    let minBase = from > 0 ? safeNextOffset(segments[from - 1]!) : segments[0]!.baseOffset
    // The transaction indexes of the scanned segments are rebuilt from their markers and the producer state.
    const txns = TxnIndexReplay.before(dir, segments, from)
    for (let i = from; i < segments.length; i++) {
      const seg = segments[i]!
      const r = seg.recover(minBase, b => {
        // The epochs the batches carry: an epoch checkpoint that missed the last leader change is completed (KIP-101).
        if (b.partitionLeaderEpoch > epochs.latestEpoch()) epochs.assign(b.partitionLeaderEpoch, b.baseOffset)
        txns.onBatch(b)
      })
      if (seg.txnIndex.replaceAll(txns.take())) logger.info?.(`${dir}: rebuilt the transaction index of ${seg.logPath}`)
      rebuiltIndexes++
      // Whatever recovery read may exist only in the page cache of the crashed process's machine: sync it.
      seg.logDirty = true
      if (r.truncatedBytes > 0) {
        truncatedBytes += r.truncatedBytes
        logger.warn(`${dir}: recovery cut ${r.truncatedBytes} bytes of ${seg.logPath} after the last valid batch (${r.outcome.reason ?? r.outcome.stop})`)
      }
      if (r.outcome.stop !== 'end') {
        if (i + 1 < segments.length) logger.warn(`${dir}: recovery dropped ${segments.length - i - 1} segments after the damage in ${seg.logPath}`)
        dropFrom(i + 1)
        break
      }
      minBase = seg.nextOffset()
    }
    needsFullSync = true
  }

  if (segments.length === 0) {
    const base = marker?.logStartOffset ?? options.logStartOffset ?? 0n
    segments.push(LogSegment.create(dir, base < 0n ? 0n : base, settings, nowMs))
    needsFullSync = true
  }
  const active = segments[segments.length - 1]!
  const activeNext = active.nextOffset()
  const logEndOffset = activeNext > active.baseOffset ? activeNext : active.baseOffset
  const firstBase = segments[0]!.baseOffset
  // A clean close says where the start was exactly (it may lie below the first segment when a
  // truncation emptied it); otherwise the checkpoint, never below the first segment.
  let logStartOffset = marker !== null
    ? marker.logStartOffset
    : (options.logStartOffset !== undefined && options.logStartOffset > firstBase ? options.logStartOffset : firstBase)
  if (logStartOffset > logEndOffset) logStartOffset = logEndOffset
  if (logStartOffset < 0n) logStartOffset = 0n
  let highWatermark = marker?.highWatermark ?? options.highWatermark ?? logStartOffset
  if (highWatermark > logEndOffset) highWatermark = logEndOffset
  if (highWatermark < logStartOffset) highWatermark = logStartOffset
  epochs.truncateFromEnd(logEndOffset)
  epochs.truncateFromStart(logStartOffset)

  return {
    segments,
    logEndOffset,
    logStartOffset,
    highWatermark,
    epochs,
    cleanerCheckpoint: marker?.cleanerCheckpoint ?? options.cleanerCheckpoint ?? null,
    cleanShutdown: marker !== null,
    needsFullSync,
    truncatedBytes,
    droppedSegments,
    rebuiltIndexes
  }
}

function safeNextOffset (segment: LogSegment): bigint {
  try {
    return segment.nextOffset()
  } catch {
    return segment.baseOffset
  }
}
