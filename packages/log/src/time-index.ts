import { readInt64BE, writeInt64BE } from '@tributary/protocol'
import { EntryIndex } from './entry-index.js'

export const TIME_INDEX_ENTRY_SIZE = 12

/**
 * The time index of a segment (`.timeindex`), Kafka's format: 12-byte
 * entries of (timestamp: int64, offset relative to the base offset: int32).
 * An entry is added next to each offset index entry, and when the segment
 * is closed, but only when the segment's largest timestamp grew; its offset
 * is the last offset of the batch where that timestamp first appeared.
 * Entries with timestamp <= T therefore say: no record before that batch
 * has a timestamp above the entry's.
 *
 * Invariant: timestamps strictly increase, offsets do not decrease.
 */
export class TimeIndex extends EntryIndex {
  constructor (path: string, maxIndexBytes: number, contents?: Buffer) {
    super(path, TIME_INDEX_ENTRY_SIZE, maxIndexBytes, contents)
  }

  timestampAt (i: number): bigint { return readInt64BE(this.buf, i * TIME_INDEX_ENTRY_SIZE) }
  relativeOffsetAt (i: number): number { return this.buf.readInt32BE(i * TIME_INDEX_ENTRY_SIZE + 8) }

  /**
   * Adds (timestamp, offset) if the timestamp is larger than the last
   * entry's and there is room; `skipFullCheck` lets a closing segment add
   * its final entry past the limit, as Kafka's onBecomeInactiveSegment does.
   */
  maybeAppend (timestamp: bigint, relativeOffset: number, skipFullCheck = false): boolean {
    if (relativeOffset < 0) return false
    if (!skipFullCheck && this.isFull()) return false
    if (this.count > 0) {
      const last = this.count - 1
      if (timestamp <= this.timestampAt(last) || relativeOffset < this.relativeOffsetAt(last)) return false
    }
    const at = this.slot()
    writeInt64BE(this.buf, at, timestamp)
    this.buf.writeInt32BE(relativeOffset, at + 8)
    this.count++
    return true
  }

  /** Index of the last entry whose timestamp is <= timestamp, or -1. */
  floorEntry (timestamp: bigint): number {
    let lo = 0
    let hi = this.count - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (this.timestampAt(mid) <= timestamp) { found = mid; lo = mid + 1 } else hi = mid - 1
    }
    return found
  }

  /** Removes the entries whose offset is >= relativeOffset. */
  truncateToOffset (relativeOffset: number): void {
    let n = this.count
    while (n > 0 && this.relativeOffsetAt(n - 1) >= relativeOffset) n--
    this.truncateEntries(n)
  }

  /** Whole entries, timestamps strictly increasing, offsets non-decreasing within [0, maxRelativeOffset]. */
  isConsistent (maxRelativeOffset: number): boolean {
    if (this.hasPartialEntry) return false
    let prevTs: bigint | null = null
    let prevOffset = 0
    for (let i = 0; i < this.count; i++) {
      const ts = this.timestampAt(i)
      const o = this.relativeOffsetAt(i)
      if ((prevTs !== null && ts <= prevTs) || o < prevOffset || o > maxRelativeOffset) return false
      prevTs = ts
      prevOffset = o
    }
    return true
  }
}
