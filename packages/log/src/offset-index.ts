import { EntryIndex } from './entry-index.js'

export const OFFSET_INDEX_ENTRY_SIZE = 8

/**
 * The sparse offset index of a segment (`.index`), Kafka's format: 8-byte
 * entries of (offset relative to the segment's base offset: int32, byte
 * position of a batch in the `.log` file: int32), big-endian. An entry is
 * added every index.interval.bytes of appended data; as in Kafka its offset
 * is the last offset of the batch that starts at the position, so a lookup
 * of the largest entry <= target gives a batch at or before the one that
 * holds the target.
 *
 * Invariant: offsets and positions strictly increase.
 */
export class OffsetIndex extends EntryIndex {
  constructor (path: string, maxIndexBytes: number, contents?: Buffer) {
    super(path, OFFSET_INDEX_ENTRY_SIZE, maxIndexBytes, contents)
  }

  relativeOffsetAt (i: number): number { return this.buf.readInt32BE(i * OFFSET_INDEX_ENTRY_SIZE) }
  positionAt (i: number): number { return this.buf.readInt32BE(i * OFFSET_INDEX_ENTRY_SIZE + 4) }

  /** Adds an entry; false (and nothing added) when full or not increasing. */
  append (relativeOffset: number, position: number): boolean {
    if (this.isFull()) return false
    if (this.count > 0 && (relativeOffset <= this.relativeOffsetAt(this.count - 1) || position <= this.positionAt(this.count - 1))) return false
    const at = this.slot()
    this.buf.writeInt32BE(relativeOffset, at)
    this.buf.writeInt32BE(position, at + 4)
    this.count++
    return true
  }

  /** Index of the last entry whose offset is <= relativeOffset, or -1. */
  floorEntry (relativeOffset: number): number {
    let lo = 0
    let hi = this.count - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (this.relativeOffsetAt(mid) <= relativeOffset) { found = mid; lo = mid + 1 } else hi = mid - 1
    }
    return found
  }

  /** Index of the last entry whose position is <= position, or -1. */
  floorEntryByPosition (position: number): number {
    let lo = 0
    let hi = this.count - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (this.positionAt(mid) <= position) { found = mid; lo = mid + 1 } else hi = mid - 1
    }
    return found
  }

  /** Index of the first entry whose offset is >= relativeOffset, or `entries` if none. */
  ceilingEntry (relativeOffset: number): number {
    let lo = 0
    let hi = this.count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.relativeOffsetAt(mid) < relativeOffset) lo = mid + 1; else hi = mid
    }
    return lo
  }

  /** Removes the entries whose offset is >= relativeOffset (Kafka's OffsetIndex.truncateTo). */
  truncateToOffset (relativeOffset: number): void {
    this.truncateEntries(this.ceilingEntry(relativeOffset))
  }

  /** Removes the entries whose position is >= position. */
  truncateToPosition (position: number): void {
    let n = this.count
    while (n > 0 && this.positionAt(n - 1) >= position) n--
    this.truncateEntries(n)
  }

  /**
   * Structural check of a loaded index (Kafka's sanityCheck, stricter):
   * whole entries, offsets and positions strictly increasing, positions
   * inside the log file. Entries that pass can still be wrong (a flipped
   * bit that keeps the order); readers verify the batch an entry points at.
   */
  isConsistent (logSize: number): boolean {
    if (this.hasPartialEntry) return false
    let prevOffset = -1
    let prevPosition = -1
    for (let i = 0; i < this.count; i++) {
      const o = this.relativeOffsetAt(i)
      const p = this.positionAt(i)
      if (o <= prevOffset || p <= prevPosition || o < 0 || p >= logSize) return false
      prevOffset = o
      prevPosition = p
    }
    return true
  }
}
