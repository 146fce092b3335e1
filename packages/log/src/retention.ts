import type { LogConfig } from './types.js'

/** What retention needs to know about a closed segment; largestTimestamp may load its time index, so it is asked lazily. */
export interface RetentionCandidate {
  sizeBytes: number
  /** Largest record timestamp (ms), or the file's mtime when no record has one (Kafka's largestTimestamp). */
  largestTimestamp: () => number
  /** Base offset of the segment after it: everything in it is below that. */
  nextBaseOffset: bigint
}

export interface RetentionDecision {
  /** How many of the oldest closed segments to delete. */
  count: number
  /** Why, for the log: 'retention.ms', 'retention.bytes' or both. */
  reasons: string[]
}

/**
 * Which of the oldest closed segments time and size retention delete, in
 * Kafka's order (UnifiedLog.deleteOldSegments): first those whose largest
 * timestamp is older than retention.ms, then, while the log minus the next
 * segment still exceeds retention.bytes, more. Whole segments only, oldest
 * first, stopping at the first segment that does not qualify; never the
 * active segment (it is not a candidate); never data at or above the high
 * watermark (a segment is deletable only if the next one starts at or
 * below it), as Kafka keeps uncommitted data.
 *
 * `closed` are the non-active segments, oldest first; `totalBytes` is the
 * size of the whole log, active segment included.
 */
export function retentionDeletions (closed: readonly RetentionCandidate[], totalBytes: number,
  config: Pick<LogConfig, 'retentionMs' | 'retentionBytes'>, nowMs: number, highWatermark: bigint): RetentionDecision {
  let count = 0
  const reasons: string[] = []
  const committed = (s: RetentionCandidate): boolean => s.nextBaseOffset <= highWatermark
  if (config.retentionMs >= 0) {
    while (count < closed.length && committed(closed[count]!) && nowMs - closed[count]!.largestTimestamp() > config.retentionMs) count++
    if (count > 0) reasons.push('retention.ms')
  }
  if (config.retentionBytes >= 0 && totalBytes >= config.retentionBytes) {
    let remaining = totalBytes
    for (let i = 0; i < count; i++) remaining -= closed[i]!.sizeBytes
    let diff = remaining - config.retentionBytes
    const before = count
    while (count < closed.length && committed(closed[count]!) && diff - closed[count]!.sizeBytes >= 0) {
      diff -= closed[count]!.sizeBytes
      count++
    }
    if (count > before) reasons.push('retention.bytes')
  }
  return { count, reasons }
}
