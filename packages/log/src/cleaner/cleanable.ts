import type { LogConfig } from '../types.js'

/**
 * Which part of a log a cleaning may touch and whether it is worth it,
 * from segment metadata only (Kafka's LogCleanerManager.cleanableOffsets,
 * calculateCleanableBytes, maxCompactionDelay and LogToClean).
 */

/** What the cleaner needs to know about one segment. */
export interface SegmentDescriptor {
  baseOffset: bigint
  /** Offset after the segment's last batch (its last offset + 1); baseOffset when empty. */
  nextOffset: bigint
  sizeBytes: number
  /** Largest record timestamp in the segment, -1n if none (Kafka's largestTimestamp). */
  maxTimestamp: bigint
  /**
   * maxTimestamp of the segment's first batch (Kafka's
   * LogSegment.getFirstBatchTimestamp), for max.compaction.lag.ms (KIP-354);
   * when absent, maxTimestamp is used, which can only delay a forced cleaning.
   */
  firstBatchTimestamp?: bigint
  /** The segment appends go to; never cleaned. */
  isActive: boolean
}

export type CleanableConfig = Pick<LogConfig, 'minCleanableDirtyRatio' | 'minCompactionLagMs' | 'maxCompactionLagMs'>

export interface CleanableInput {
  /** All segments, oldest first, the active one last. */
  segments: readonly SegmentDescriptor[]
  logStartOffset: bigint
  logEndOffset: bigint
  /** The cleaner never cleans at or above it (Kafka: the last stable offset, itself at most the high watermark). */
  lastStableOffset: bigint
  /** Where the last cleaning ended (the cleaner checkpoint), null if never cleaned. */
  checkpoint: bigint | null
  now: number
  config: CleanableConfig
}

export interface CleanableRange {
  /** Where the dirty section starts. */
  firstDirtyOffset: bigint
  /** True when the checkpoint was outside [logStart, logEnd] and was reset to the log start. */
  checkpointReset: boolean
  /** Base offset of the first segment the cleaner must not touch; the dirty section is [firstDirtyOffset, this). */
  firstUncleanableOffset: bigint
  /** Bytes of the segments below firstDirtyOffset (already clean). */
  cleanBytes: number
  /** Bytes of the segments in the cleanable dirty section. */
  cleanableBytes: number
  totalBytes: number
  /** cleanableBytes / totalBytes (0 for an empty log). */
  dirtyRatio: number
  /** How far past max.compaction.lag.ms the oldest dirty segment is, ms; 0 if not. */
  compactionDelayMs: number
  /** KIP-354: a dirty record is older than max.compaction.lag.ms. */
  needCompactionNow: boolean
  /** Kafka's selection rule: (forced and something to clean) or dirty ratio above min.cleanable.dirty.ratio. */
  shouldClean: boolean
}

function min (a: bigint, b: bigint): bigint { return a < b ? a : b }

/** The segment an offset falls in: the last one whose base is <= offset, or the first one. */
function floorIndex (segments: readonly SegmentDescriptor[], offset: bigint): number {
  let lo = 0
  let hi = segments.length - 1
  let found = 0
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (segments[mid]!.baseOffset <= offset) { found = mid; lo = mid + 1 } else hi = mid - 1
  }
  return found
}

/** Segments overlapping [from, to): the one holding `from` and every later one starting below `to` (Kafka's logSegments(from, to)). */
export function segmentsInRange (segments: readonly SegmentDescriptor[], from: bigint, to: bigint): SegmentDescriptor[] {
  if (segments.length === 0 || from >= to) return []
  const out: SegmentDescriptor[] = []
  for (let i = floorIndex(segments, from); i < segments.length && segments[i]!.baseOffset < to; i++) out.push(segments[i]!)
  return out
}

/** Non-active segments from the one holding `from` (Kafka's nonActiveLogSegmentsFrom). */
export function nonActiveSegmentsFrom (segments: readonly SegmentDescriptor[], from: bigint): SegmentDescriptor[] {
  const active = segments.find(s => s.isActive)
  const activeBase = active?.baseOffset ?? (segments.at(-1)?.nextOffset ?? 0n)
  if (from > activeBase) return []
  return segmentsInRange(segments, from, activeBase).filter(s => !s.isActive)
}

function sumBytes (segments: readonly SegmentDescriptor[]): number {
  let n = 0
  for (const s of segments) n += s.sizeBytes
  return n
}

export function cleanableRange (input: CleanableInput): CleanableRange {
  const { segments, logStartOffset, logEndOffset, now, config } = input
  const cp = input.checkpoint ?? logStartOffset
  // A checkpoint outside the log (truncation, corruption, retention) restarts from the log start.
  const checkpointReset = cp < logStartOffset || cp > logEndOffset
  const firstDirtyOffset = checkpointReset ? logStartOffset : cp

  const active = segments.find(s => s.isActive)
  const activeBase = active?.baseOffset ?? logEndOffset
  // Never past the last stable offset nor into the active segment.
  let uncleanable = min(input.lastStableOffset, activeBase)
  // KIP-58: nor into the first segment holding a record newer than min.compaction.lag.ms.
  const minLag = Math.max(0, config.minCompactionLagMs)
  if (minLag > 0) {
    const limit = BigInt(Math.trunc(now - minLag))
    const young = nonActiveSegmentsFrom(segments, firstDirtyOffset).find(s => s.maxTimestamp > limit)
    if (young !== undefined) uncleanable = min(uncleanable, young.baseOffset)
  }
  if (uncleanable < firstDirtyOffset) uncleanable = firstDirtyOffset
  // Round down to a segment boundary: a segment is cleaned whole or not at all.
  const rest = nonActiveSegmentsFrom(segments, uncleanable)
  const firstUncleanableOffset = rest.length > 0 ? rest[0]!.baseOffset : activeBase

  const cleanBytes = sumBytes(segments.filter(s => s.baseOffset < firstDirtyOffset))
  const cleanableBytes = sumBytes(segmentsInRange(segments, min(firstDirtyOffset, firstUncleanableOffset), firstUncleanableOffset))
  const totalBytes = cleanBytes + cleanableBytes
  const dirtyRatio = totalBytes > 0 ? cleanableBytes / totalBytes : 0

  // KIP-354: force a cleaning when the oldest dirty batch is older than max.compaction.lag.ms.
  let earliest = Infinity
  for (const s of nonActiveSegmentsFrom(segments, firstDirtyOffset)) {
    const t = Number(s.firstBatchTimestamp ?? s.maxTimestamp)
    if (t > 0 && t < earliest) earliest = t
  }
  const cleanUntil = now - Math.max(0, config.maxCompactionLagMs)
  const compactionDelayMs = earliest < cleanUntil ? cleanUntil - earliest : 0
  const needCompactionNow = compactionDelayMs > 0

  const shouldClean = totalBytes > 0 &&
    ((needCompactionNow && cleanableBytes > 0) || dirtyRatio > config.minCleanableDirtyRatio)
  return {
    firstDirtyOffset,
    checkpointReset,
    firstUncleanableOffset,
    cleanBytes,
    cleanableBytes,
    totalBytes,
    dirtyRatio,
    compactionDelayMs,
    needCompactionNow,
    shouldClean
  }
}

const INT32_MAX = 0x7fffffffn

/**
 * Groups consecutive segments to be rewritten into one cleaned segment each
 * (Kafka's groupSegmentsBySize), so that segments shrunk by earlier
 * cleanings merge: a group stays within `maxBytes` (segment.bytes) and its
 * offsets within an int32 of its base (relative offsets in the index).
 * `endOffset` bounds the last segment's offsets.
 */
export function groupSegmentsBySize (segments: readonly SegmentDescriptor[], maxBytes: number, endOffset: bigint): SegmentDescriptor[][] {
  const groups: SegmentDescriptor[][] = []
  let i = 0
  while (i < segments.length) {
    const first = segments[i]!
    const group = [first]
    let bytes = first.sizeBytes
    i++
    while (i < segments.length) {
      const s = segments[i]!
      const lastOffsetBound = (i + 1 < segments.length ? segments[i + 1]!.baseOffset : endOffset) - 1n
      if (bytes + s.sizeBytes > maxBytes) break
      if (s.sizeBytes > 0 && lastOffsetBound - first.baseOffset > INT32_MAX) break
      group.push(s)
      bytes += s.sizeBytes
      i++
    }
    groups.push(group)
  }
  return groups
}

/**
 * The roll interval of a compacted log (Kafka's LogConfig.maxSegmentMs):
 * the active segment is never cleaned, so KIP-354 rolls it after at most
 * max.compaction.lag.ms. The disk log should roll on this, not segment.ms.
 */
export function maxSegmentMs (config: Pick<LogConfig, 'segmentMs' | 'maxCompactionLagMs' | 'cleanupPolicy'>): number {
  if (config.cleanupPolicy.includes('compact') && config.maxCompactionLagMs > 0) return Math.min(config.maxCompactionLagMs, config.segmentMs)
  return config.segmentMs
}
