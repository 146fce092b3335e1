import { existsSync, ftruncateSync, readFileSync } from 'node:fs'
import {
  BASE_OFFSET_OFFSET, CURRENT_MAGIC, LAST_OFFSET_DELTA_OFFSET, LENGTH_OFFSET, LOG_OVERHEAD, MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET, MIN_BATCH_LENGTH, RECORD_BATCH_OVERHEAD
} from '@tributary/protocol'
import { LogError } from './errors.js'
import { FileRef } from './file-ref.js'
import { isNotFound, readAt, renameIfExists, unlinkIfExists, writeFully } from './io.js'
import { OffsetIndex } from './offset-index.js'
import { scanSegment, type ScanOutcome, type ScannedBatch } from './batch-scan.js'
import {
  DELETED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX, segmentFilePath
} from './segment-files.js'
import { TimeIndex } from './time-index.js'
import { TxnIndex } from './txn-index.js'

/** A batch found by a lookup: where it is and what it holds. */
export interface LocatedBatch {
  position: number
  size: number
  baseOffset: bigint
  lastOffset: bigint
}

/** One batch of an append: where it is in the appended buffer, its size, last offset and max timestamp. */
export interface SegmentAppend {
  at: number
  size: number
  lastOffset: bigint
  maxTimestamp: bigint
}

/** What the owner tells a segment about the log's configuration. */
export interface SegmentSettings {
  indexIntervalBytes: number
  /** segment.index.bytes */
  maxIndexBytes: number
}

const INT32_MAX = 0x7fffffff
/** Enough of a header to walk: baseOffset, length, epoch, magic, crc, attributes, lastOffsetDelta. */
const WALK_HEADER = LAST_OFFSET_DELTA_OFFSET + 4
const WALK_WINDOW = 8192
/** Scratch for header walks; every walk is synchronous and none nests in another. */
const walkScratch = Buffer.allocUnsafe(WALK_WINDOW)

function corruptRead (segment: LogSegment, position: number, why: string): LogError {
  return new LogError('TRIB_LOG_CORRUPT_BATCH', `segment ${segment.logPath} is damaged at byte ${position}: ${why}`)
}

/**
 * One segment of a partition log: `<base>.log` plus its offset, time and
 * transaction indexes (Kafka's LogSegment).
 *
 * Lifecycle: created empty by a roll (or found on disk at open) -> active
 * (appends) -> closed by the next roll (the time index gets its final
 * entry, index files are written and synced by the next group commit, and
 * their descriptors are then released) -> deleted (files renamed
 * `.deleted`, removed after file.delete.delay.ms).
 *
 * Indexes of a segment found on disk are loaded on first use and checked
 * then; an index that fails the check, or whose entry points at a batch that
 * does not match, is rebuilt from the log. A segment that another component
 * truncates becomes active again (replication truncation).
 *
 * Invariants: `size` is the file size and always ends at a batch boundary
 * of batches this process validated or appended; index entries point at
 * batch starts inside [0, size). Everything runs on the event loop; the
 * only asynchronous work is fsync, which the FileRefs make safe against
 * close and rename.
 */
export class LogSegment {
  readonly baseOffset: bigint
  private readonly log: FileRef
  /** Bytes in the .log file. */
  size: number
  private offsetIdx: OffsetIndex | null = null
  private timeIdx: TimeIndex | null = null
  private txnIdx: TxnIndex | null = null
  private bytesSinceLastIndexEntry = 0
  private maxTs = -1n
  private offsetOfMaxTs = -1n
  /** Offset after the last batch; null until known for a segment loaded without a scan. */
  private next: bigint | null
  /** maxTimestamp of the first batch (Kafka's rollingBasedTimestamp); null = not looked up yet, -1n = none. */
  private firstBatchTs: bigint | null
  /** When this process created or opened the segment, or emptied it (segment.ms falls back to it). */
  createdMs: number
  /** Appended or truncated since the last fsync of the .log. */
  logDirty = false
  /** Release index descriptors once their last sync is done (closed segments). */
  private inactive = false
  private deleted = false
  /** A failed write could not be undone: the file may end in a partial batch. */
  private broken = false

  /** Appended to every file name: '' for a live segment, '.cleaned' or '.swap' while the cleaner's copy is on its way in. */
  private extra: string

  private constructor (readonly dir: string, baseOffset: bigint, log: FileRef, size: number, private settings: SegmentSettings,
    createdMs: number, fresh: boolean, extra = '') {
    this.baseOffset = baseOffset
    this.extra = extra
    this.log = log
    this.size = size
    this.createdMs = createdMs
    this.next = fresh ? baseOffset : null
    this.firstBatchTs = fresh ? -1n : null
    if (fresh) {
      this.offsetIdx = new OffsetIndex(this.filePath(INDEX_SUFFIX), settings.maxIndexBytes)
      this.timeIdx = new TimeIndex(this.filePath(TIME_INDEX_SUFFIX), settings.maxIndexBytes)
      this.txnIdx = new TxnIndex(this.filePath(TXN_INDEX_SUFFIX))
    }
  }

  /**
   * A new empty segment (a roll; with `extra`, the cleaner's copy, named
   * `<base>.log<extra>` etc.). Stale files of the same names are replaced.
   */
  static create (dir: string, baseOffset: bigint, settings: SegmentSettings, nowMs: number, extra = ''): LogSegment {
    for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX]) {
      unlinkIfExists(segmentFilePath(dir, baseOffset, suffix) + extra)
    }
    const log = FileRef.open(segmentFilePath(dir, baseOffset, LOG_SUFFIX) + extra, 'w+')
    const segment = new LogSegment(dir, baseOffset, log, 0, settings, nowMs, true, extra)
    segment.logDirty = true
    return segment
  }

  private filePath (suffix: string): string {
    return segmentFilePath(this.dir, this.baseOffset, suffix) + this.extra
  }

  /** Renames every file of the segment to the new extra suffix (the cleaner's .cleaned -> .swap -> live). */
  renameFiles (extra: string): void {
    const to = (suffix: string): string => segmentFilePath(this.dir, this.baseOffset, suffix) + extra
    this.ensureIndexes()
    this.log.renameTo(to(LOG_SUFFIX))
    this.offsetIdx!.renameTo(to(INDEX_SUFFIX))
    this.timeIdx!.renameTo(to(TIME_INDEX_SUFFIX))
    this.txnIdx!.renameTo(to(TXN_INDEX_SUFFIX))
    this.extra = extra
  }

  /** A segment found on disk; indexes are loaded on first use. */
  static open (dir: string, baseOffset: bigint, settings: SegmentSettings, nowMs: number): LogSegment {
    const log = FileRef.open(segmentFilePath(dir, baseOffset, LOG_SUFFIX), 'r+')
    return new LogSegment(dir, baseOffset, log, log.size(), settings, nowMs, false)
  }

  get logPath (): string { return this.log.path }
  get fd (): number { return this.log.fd }
  get isDeleted (): boolean { return this.deleted }
  get isBroken (): boolean { return this.broken }

  /** A segment found on disk below the active one: closed, its time index already has its final entry. */
  setInactive (): void {
    this.inactive = true
  }

  get isActive (): boolean { return !this.inactive }

  updateSettings (settings: SegmentSettings): void {
    this.settings = settings
  }

  // ---- indexes ---------------------------------------------------------------------------------------------

  private get offsetIndex (): OffsetIndex {
    this.ensureIndexes()
    return this.offsetIdx!
  }

  private get timeIndex (): TimeIndex {
    this.ensureIndexes()
    return this.timeIdx!
  }

  get txnIndex (): TxnIndex {
    this.ensureIndexes()
    return this.txnIdx!
  }

  /** Either index is full: the segment must roll before the next append (Kafka's shouldRoll). */
  get indexFull (): boolean {
    if (this.offsetIdx === null) this.ensureIndexes()
    return this.offsetIdx!.isFull() || this.timeIdx!.isFull()
  }

  /**
   * Loads the index files of a segment found on disk and checks them;
   * rebuilds them from the log when a file is missing or fails the check.
   * Returns true if it had to rebuild.
   */
  ensureIndexes (): boolean {
    if (this.offsetIdx !== null) return false
    const indexPath = this.filePath(INDEX_SUFFIX)
    const timePath = this.filePath(TIME_INDEX_SUFFIX)
    const offsetBytes = readIfExists(indexPath)
    const timeBytes = readIfExists(timePath)
    this.txnIdx = TxnIndex.load(this.filePath(TXN_INDEX_SUFFIX))
    this.offsetIdx = new OffsetIndex(indexPath, this.settings.maxIndexBytes, offsetBytes ?? undefined)
    this.timeIdx = new TimeIndex(timePath, this.settings.maxIndexBytes, timeBytes ?? undefined)
    const usable = (offsetBytes !== null || this.size === 0) && (timeBytes !== null || this.size === 0) &&
      this.offsetIdx.isConsistent(this.size) && this.timeIdx.isConsistent(INT32_MAX) && this.loadMaxTimestampFromIndex()
    if (usable) return false
    this.rebuildIndexes()
    return true
  }

  /**
   * The largest timestamp is the time index's last entry (final since the
   * segment was closed). Checks that entry against the batch it names: a
   * mismatch means the index is not to be trusted.
   */
  private loadMaxTimestampFromIndex (): boolean {
    const t = this.timeIdx!
    if (t.entries === 0) {
      this.maxTs = -1n
      this.offsetOfMaxTs = -1n
      return this.offsetIdx!.entries === 0
    }
    const ts = t.timestampAt(t.entries - 1)
    const offset = this.baseOffset + BigInt(t.relativeOffsetAt(t.entries - 1))
    let batch: LocatedBatch | null
    try {
      batch = this.locateWithIndex(offset, false)
    } catch {
      return false
    }
    if (batch === null || batch.lastOffset !== offset) return false
    const header = Buffer.allocUnsafe(8)
    if (readAt(this.log.fd, header, 0, 8, batch.position + MAX_TIMESTAMP_OFFSET) !== 8 || header.readBigInt64BE(0) !== ts) return false
    this.maxTs = ts
    this.offsetOfMaxTs = offset
    return true
  }

  /** Rebuilds the offset and time indexes from the batches, stopping (without truncating) at the first invalid one. */
  rebuildIndexes (): ScanOutcome {
    return this.scanAndIndex(false)
  }

  /**
   * Kafka's LogSegment.recover: validates every batch (CRC included),
   * rebuilds the indexes and truncates the file after the last valid batch.
   * `minBaseOffset` is where the previous segment ended. Returns the scan's
   * outcome and how many bytes were cut.
   */
  recover (minBaseOffset: bigint, onBatch?: (b: ScannedBatch) => void): { outcome: ScanOutcome, truncatedBytes: number } {
    const outcome = this.scanAndIndex(true, minBaseOffset, onBatch)
    const truncatedBytes = this.size - outcome.validEnd
    if (truncatedBytes > 0) this.cutFileAt(outcome.validEnd)
    this.txnIndex.truncateTo(this.next!)
    return { outcome, truncatedBytes }
  }

  private scanAndIndex (verifyCrc: boolean, minBaseOffset = this.baseOffset, onBatch?: (b: ScannedBatch) => void): ScanOutcome {
    this.offsetIdx ??= new OffsetIndex(this.filePath(INDEX_SUFFIX), this.settings.maxIndexBytes)
    this.timeIdx ??= new TimeIndex(this.filePath(TIME_INDEX_SUFFIX), this.settings.maxIndexBytes)
    this.txnIdx ??= TxnIndex.load(this.filePath(TXN_INDEX_SUFFIX))
    this.offsetIdx.reset()
    this.timeIdx.reset()
    this.maxTs = -1n
    this.offsetOfMaxTs = -1n
    this.bytesSinceLastIndexEntry = 0
    this.firstBatchTs = -1n
    let first = true
    const start = minBaseOffset > this.baseOffset ? minBaseOffset : this.baseOffset
    const outcome = scanSegment(this.log.fd, 0, this.size, { verifyCrc, segmentBase: this.baseOffset, minBaseOffset: start }, b => {
      if (first) {
        this.firstBatchTs = b.maxTimestamp
        first = false
      }
      this.indexBatch(b.position, b.size, b.lastOffset, b.maxTimestamp)
      onBatch?.(b)
    })
    this.next = outcome.lastOffset === null ? this.baseOffset : outcome.lastOffset + 1n
    // A closed segment keeps its final time index entry.
    if (this.inactive && this.offsetOfMaxTs >= 0n) this.timeIdx.maybeAppend(this.maxTs, this.relative(this.offsetOfMaxTs), true)
    return outcome
  }

  /**
   * After a clean shutdown only the tail of the active segment is checked:
   * from its last offset index entry to the end, CRCs included. A damaged
   * tail is cut; an index entry that does not match its batch sends the
   * whole segment through recover().
   */
  recoverTail (): { outcome: ScanOutcome, truncatedBytes: number, rebuilt: boolean } {
    // Index files that fail their check: the segment is not what close left, so check all of it.
    if (this.ensureIndexes()) return { ...this.recover(this.baseOffset), rebuilt: true }
    const idx = this.offsetIdx!
    const i = idx.entries - 1
    const start = i >= 0 ? idx.positionAt(i) : 0
    const expected = i >= 0 ? this.baseOffset + BigInt(idx.relativeOffsetAt(i)) : null
    let mismatch = false
    let first = true
    let since = 0
    const outcome = scanSegment(this.log.fd, start, this.size, { verifyCrc: true, segmentBase: this.baseOffset, minBaseOffset: this.baseOffset }, b => {
      if (first && expected !== null && b.lastOffset !== expected) {
        mismatch = true
        return false
      }
      if (first && start === 0) this.firstBatchTs = b.maxTimestamp
      first = false
      if (b.maxTimestamp > this.maxTs) {
        this.maxTs = b.maxTimestamp
        this.offsetOfMaxTs = b.lastOffset
      }
      since += b.size
    })
    if (mismatch || (expected !== null && outcome.lastOffset === null)) return { ...this.recover(this.baseOffset), rebuilt: true }
    this.bytesSinceLastIndexEntry = since
    this.next = outcome.lastOffset === null ? this.baseOffset : outcome.lastOffset + 1n
    const truncatedBytes = this.size - outcome.validEnd
    if (truncatedBytes > 0) this.cutFileAt(outcome.validEnd)
    this.txnIndex.truncateTo(this.next)
    return { outcome, truncatedBytes, rebuilt: false }
  }

  private relative (offset: bigint): number {
    return Number(offset - this.baseOffset)
  }

  /** Index bookkeeping of one batch written at `position` (Kafka's per-batch step of LogSegment.append). */
  private indexBatch (position: number, size: number, lastOffset: bigint, maxTimestamp: bigint): void {
    if (maxTimestamp > this.maxTs) {
      this.maxTs = maxTimestamp
      this.offsetOfMaxTs = lastOffset
    }
    if (this.bytesSinceLastIndexEntry > this.settings.indexIntervalBytes) {
      this.offsetIdx!.append(this.relative(lastOffset), position)
      if (this.offsetOfMaxTs >= 0n) this.timeIdx!.maybeAppend(this.maxTs, this.relative(this.offsetOfMaxTs))
      this.bytesSinceLastIndexEntry = 0
    }
    this.bytesSinceLastIndexEntry += size
  }

  // ---- appends ---------------------------------------------------------------------------------------------

  /**
   * Writes `buf` (whole, validated batches, offsets already assigned) at the
   * end of the file with one pwrite, then indexes each batch. `batches`
   * lists each batch's position in `buf`, size, last offset and max timestamp.
   * On a failed write the file is cut back, so that a partial batch never
   * stays behind a later append.
   */
  append (buf: Buffer, batches: readonly SegmentAppend[]): void {
    if (this.offsetIdx === null) this.ensureIndexes()
    const start = this.size
    try {
      writeFully(this.log.fd, buf, start)
    } catch (err) {
      try {
        ftruncateSync(this.log.fd, start)
      } catch (cutErr) {
        this.broken = true
        throw new LogError('TRIB_LOG_STORAGE', `cannot write ${this.log.path} nor cut it back to ${start}`, { cause: cutErr })
      }
      throw new LogError('TRIB_LOG_STORAGE', `cannot write ${this.log.path}: ${(err as Error).message}`, { cause: err })
    }
    this.size = start + buf.length
    this.logDirty = true
    if (start === 0 && batches.length > 0) this.firstBatchTs = batches[0]!.maxTimestamp
    for (const b of batches) this.indexBatch(start + b.at, b.size, b.lastOffset, b.maxTimestamp)
    if (batches.length > 0) this.next = batches[batches.length - 1]!.lastOffset + 1n
  }

  // ---- lookups ---------------------------------------------------------------------------------------------

  /** Offset after the last batch (the base offset when empty). */
  nextOffset (): bigint {
    if (this.next !== null) return this.next
    const idx = this.offsetIndex
    if (this.next !== null) return this.next // a rebuild computed it
    const i = idx.entries - 1
    let last: bigint | null = null
    try {
      this.walk(i >= 0 ? idx.positionAt(i) : 0, i >= 0 ? this.baseOffset + BigInt(idx.relativeOffsetAt(i)) : null, b => {
        last = b.lastOffset
        return true
      }, false)
    } catch {
      // A wrong index entry or damaged data: a rebuild walks from the start and ends where the damage starts.
      this.rebuildIndexes()
      return this.next!
    }
    this.next = last === null ? this.baseOffset : (last as bigint) + 1n
    return this.next
  }

  get maxTimestampSoFar (): bigint {
    this.ensureIndexes()
    return this.maxTs
  }

  /** Last offset of the batch where the largest timestamp first appeared, -1n if none. */
  get offsetOfMaxTimestampSoFar (): bigint {
    this.ensureIndexes()
    return this.offsetOfMaxTs
  }

  /** Kafka's largestTimestamp: the largest record timestamp, or the file's mtime when no batch has one. */
  largestTimestamp (): number {
    const ts = this.maxTimestampSoFar
    return ts >= 0n ? Number(ts) : Math.floor(this.log.mtimeMs())
  }

  /** maxTimestamp of the first batch, -1n if the segment is empty. */
  firstBatchTimestamp (): bigint {
    if (this.firstBatchTs !== null) return this.firstBatchTs
    this.firstBatchTs = -1n
    if (this.size >= RECORD_BATCH_OVERHEAD) {
      const buf = Buffer.allocUnsafe(8)
      if (readAt(this.log.fd, buf, 0, 8, MAX_TIMESTAMP_OFFSET) === 8) this.firstBatchTs = buf.readBigInt64BE(0)
    }
    return this.firstBatchTs
  }

  /**
   * The first batch whose last offset is >= `offset`, or null if the
   * segment has none. Starts from the offset index; an entry that does not
   * match its batch makes the index be rebuilt. Damaged data on the way
   * throws TRIB_LOG_CORRUPT_BATCH.
   */
  locate (offset: bigint): LocatedBatch | null {
    this.ensureIndexes()
    try {
      return this.locateWithIndex(offset, true)
    } catch (err) {
      if (!(err instanceof IndexMismatch)) throw err
      this.rebuildIndexes()
      return this.locateWithIndex(offset, false)
    }
  }

  /**
   * Where the batch holding `offset` (or the first after it) starts, from
   * the offset index alone (no I/O): somewhere in [from, to]. `from` is the
   * floor entry's position (0 without one), `expected` the last offset the
   * batch at `from` must have per that entry (null without one: callers
   * check it against the header), `to` the next entry's position (that
   * entry's batch ends at or after `offset`), else the file size, and
   * `toLast` the last offset of the batch at `to` per its entry (null when
   * there is no next entry).
   */
  indexBounds (offset: bigint): { from: number, expected: bigint | null, to: number, toLast: bigint | null } {
    if (this.offsetIdx === null) this.ensureIndexes()
    const idx = this.offsetIdx!
    const rel = offset - this.baseOffset
    const i = rel < 0n ? -1 : idx.floorEntry(rel > BigInt(INT32_MAX) ? INT32_MAX : Number(rel))
    const hasNext = i + 1 < idx.entries
    const to = hasNext ? idx.positionAt(i + 1) : this.size
    const toLast = hasNext ? this.baseOffset + BigInt(idx.relativeOffsetAt(i + 1)) : null
    if (i < 0) return { from: 0, expected: null, to, toLast }
    return { from: idx.positionAt(i), expected: this.baseOffset + BigInt(idx.relativeOffsetAt(i)), to, toLast }
  }

  /**
   * Index entries (no I/O) for cutting a read: the last entries at or below
   * `maxPosition` whose batches end below `maxOffset`, newest first, at
   * most `count` of them, as [position, last offset] pairs. A reader checks
   * the header at an entry before trusting it.
   */
  entriesBefore (maxPosition: number, maxOffset: bigint, count: number): Array<[number, bigint]> {
    if (this.offsetIdx === null) this.ensureIndexes()
    const idx = this.offsetIdx!
    let j = idx.floorEntryByPosition(maxPosition)
    const rel = maxOffset - this.baseOffset
    if (rel <= 0n) return []
    if (rel <= BigInt(INT32_MAX)) j = Math.min(j, idx.ceilingEntry(Number(rel)) - 1)
    const out: Array<[number, bigint]> = []
    for (; j >= 0 && out.length < count; j--) out.push([idx.positionAt(j), this.baseOffset + BigInt(idx.relativeOffsetAt(j))])
    return out
  }

  private locateWithIndex (offset: bigint, indexMayBeWrong: boolean): LocatedBatch | null {
    const idx = this.offsetIdx!
    const rel = offset - this.baseOffset
    const i = rel < 0n ? -1 : idx.floorEntry(rel > BigInt(INT32_MAX) ? INT32_MAX : Number(rel))
    const start = i >= 0 ? idx.positionAt(i) : 0
    const expected = i >= 0 ? this.baseOffset + BigInt(idx.relativeOffsetAt(i)) : null
    let found: LocatedBatch | null = null
    this.walk(start, expected, b => {
      if (b.lastOffset < offset) return true
      found = b
      return false
    }, indexMayBeWrong)
    return found
  }

  /**
   * Walks batch headers from `position` (which must be a batch start),
   * calling `visit` until it returns false or the segment ends. `expected`
   * is the last offset the first batch must have (it came from the index).
   */
  private walk (position: number, expected: bigint | null, visit: (b: LocatedBatch) => boolean, indexMayBeWrong = true): void {
    const fd = this.log.fd
    let winPos = 0
    let winLen = 0
    let pos = position
    while (pos < this.size) {
      if (pos < winPos || pos + WALK_HEADER > winPos + winLen) {
        winPos = pos
        winLen = readAt(fd, walkScratch, 0, Math.min(WALK_WINDOW, this.size - pos), pos)
      }
      const at = pos - winPos
      const bad = (why: string): never => {
        if (expected !== null && indexMayBeWrong) throw new IndexMismatch()
        throw corruptRead(this, pos, why)
      }
      if (winLen - at < WALK_HEADER || this.size - pos < RECORD_BATCH_OVERHEAD) bad('the file ends inside a batch header')
      if (walkScratch.readInt8(at + MAGIC_OFFSET) !== CURRENT_MAGIC) bad('not a v2 batch')
      const length = walkScratch.readInt32BE(at + LENGTH_OFFSET)
      if (length < MIN_BATCH_LENGTH || length + LOG_OVERHEAD > this.size - pos) bad(`batch length ${length}`)
      const baseOffset = walkScratch.readBigInt64BE(at + BASE_OFFSET_OFFSET)
      const lastOffset = baseOffset + BigInt(walkScratch.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET))
      if (expected !== null) {
        if (lastOffset !== expected) bad(`index entry says last offset ${expected}, batch has ${lastOffset}`)
        expected = null
      }
      const size = length + LOG_OVERHEAD
      if (!visit({ position: pos, size, baseOffset, lastOffset })) return
      pos += size
    }
  }

  /**
   * Byte position before which every batch has a last offset < `offset`
   * may lie: the position of the first index entry at or above it (that
   * batch and all after it end at or above `offset`), else the file size.
   * Bounds the bytes a read with maxOffset fetches.
   */
  upperBoundPosition (offset: bigint): number {
    const rel = offset - this.baseOffset
    if (rel <= 0n) return 0
    if (rel > BigInt(INT32_MAX)) return this.size
    const idx = this.offsetIndex
    const j = idx.ceilingEntry(Number(rel))
    return j < idx.entries ? idx.positionAt(j) : this.size
  }

  /** Start position for a search by timestamp: no batch before it has a record at or after `timestamp`. */
  positionForTimestamp (timestamp: bigint): number {
    const t = this.timeIndex
    const i = t.floorEntry(timestamp)
    if (i < 0) return 0
    // Every batch up to the entry's has records <= the entry's timestamp: start at that batch (it may hold an equal one).
    const located = this.locate(this.baseOffset + BigInt(t.relativeOffsetAt(i)))
    return located === null ? 0 : located.position
  }

  /** Position of the index entry at or below `offset` (a batch start at or before the batch holding it). */
  positionOfFloorEntry (offset: bigint): number {
    const idx = this.offsetIndex
    const rel = offset - this.baseOffset
    if (rel < 0n) return 0
    const i = idx.floorEntry(rel > BigInt(INT32_MAX) ? INT32_MAX : Number(rel))
    return i >= 0 ? idx.positionAt(i) : 0
  }

  /** Reads `length` bytes at `position` into `out` at `outOffset`; returns the bytes read. */
  readInto (out: Buffer, outOffset: number, position: number, length: number): number {
    return readAt(this.log.fd, out, outOffset, length, position)
  }

  /**
   * Header-only walk from `position` for callers that need every batch's
   * header (time searches): visit returns false to stop. Validates like
   * a recovery scan but does not check CRCs; damaged data ends the walk.
   */
  scanHeaders (position: number, minBaseOffset: bigint, visit: (b: ScannedBatch) => boolean | void, withBytes = false): ScanOutcome {
    return scanSegment(this.log.fd, position, this.size, { verifyCrc: false, segmentBase: this.baseOffset, minBaseOffset, withBytes }, visit)
  }

  // ---- changes ---------------------------------------------------------------------------------------------

  /**
   * Removes every batch whose last offset is >= `offset` (Kafka's
   * LogSegment.truncateTo): cuts the file at the first such batch and drops
   * the index entries past it. Returns the bytes removed. The segment can
   * take appends afterwards.
   */
  truncateTo (offset: bigint, nowMs: number): number {
    const located = this.locate(offset)
    this.inactive = false
    if (located === null) return 0
    const removed = this.size - located.position
    this.cutFileAt(located.position)
    this.txnIndex.truncateTo(offset)
    this.reloadAfterCut(nowMs)
    return removed
  }

  private cutFileAt (position: number): void {
    ftruncateSync(this.log.fd, position)
    this.size = position
    this.logDirty = true
    this.offsetIdx!.truncateToPosition(position)
  }

  /** After a cut: next offset, largest timestamp and time index from what is left (Kafka's loadLargestTimestamp). */
  private reloadAfterCut (nowMs: number): void {
    let last: bigint | null = null
    let max = -1n
    let offsetOfMax = -1n
    let since = 0
    const idx = this.offsetIdx!
    const lastEntryPos = idx.entries > 0 ? idx.positionAt(idx.entries - 1) : -1
    this.scanHeaders(0, this.baseOffset, b => {
      last = b.lastOffset
      if (b.maxTimestamp > max) {
        max = b.maxTimestamp
        offsetOfMax = b.lastOffset
      }
      if (b.position >= lastEntryPos) since += b.size
    })
    this.next = last === null ? this.baseOffset : (last as bigint) + 1n
    this.timeIdx!.truncateToOffset(this.relative(this.next))
    this.maxTs = max
    this.offsetOfMaxTs = offsetOfMax
    // Kafka resets the counter on truncation; counting from the last entry keeps the spacing exact.
    this.bytesSinceLastIndexEntry = since
    if (this.size === 0) {
      this.firstBatchTs = -1n
      this.createdMs = nowMs
    }
  }

  /** The segment stops taking appends (a roll): final time index entry, index files written. */
  onBecomeInactive (): void {
    this.ensureIndexes()
    this.inactive = true
    // One entry past "full" is allowed here, as Kafka does, so that the last entry is the segment's largest timestamp.
    if (this.maxTs >= 0n) this.timeIdx!.maybeAppend(this.maxTs, this.relative(this.offsetOfMaxTs), true)
    this.writeIndexes()
  }

  /** Writes pending index entries to their files (flush, roll, close). */
  writeIndexes (): void {
    if (this.offsetIdx === null) return
    this.offsetIdx.writePending()
    this.timeIdx!.writePending()
  }

  /**
   * The fsyncs this segment needs, as thunks for the group commit: the
   * .log when written since its last sync, and with `indexes` its index
   * files (written first). Clears the dirty flags now: writes that come
   * after this call are for the next round.
   */
  collectSyncs (indexes: boolean, out: Array<() => Promise<void>>): void {
    if (this.deleted) return
    if (this.logDirty) {
      this.logDirty = false
      const log = this.log
      out.push(async () => {
        try {
          await log.sync()
        } catch (err) {
          this.logDirty = true
          throw err
        }
      })
    }
    if (!indexes || this.offsetIdx === null) return
    this.writeIndexes()
    for (const idx of [this.offsetIdx, this.timeIdx!]) {
      if (!idx.needsSync) continue
      out.push(async () => {
        await idx.sync()
        if (this.inactive && !idx.needsSync) idx.closeFile()
      })
    }
    if (this.txnIdx!.needsSync) {
      const txn = this.txnIdx!
      out.push(() => txn.sync())
    }
  }

  /** True when nothing of this segment waits for an fsync (its indexes included). */
  get isClean (): boolean {
    if (this.logDirty) return false
    if (this.offsetIdx === null) return true
    return !this.offsetIdx.needsSync && !this.timeIdx!.needsSync && !this.txnIdx!.needsSync
  }

  /**
   * Renames the files `<name>.deleted` and releases the descriptors (after
   * pending fsyncs). Returns the renamed paths, for removal after
   * file.delete.delay.ms (Kafka's asynchronous segment deletion).
   */
  markDeleted (): string[] {
    if (this.deleted) return []
    this.deleted = true
    this.log.renameTo(this.log.path + DELETED_SUFFIX)
    this.log.close()
    const paths = [this.log.path]
    const loaded = [this.offsetIdx, this.timeIdx, this.txnIdx]
    const suffixes = [INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX]
    for (let k = 0; k < suffixes.length; k++) {
      const from = this.filePath(suffixes[k]!)
      const to = from + DELETED_SUFFIX
      const idx = loaded[k]
      if (idx !== null && idx !== undefined) {
        idx.renameTo(to)
        idx.closeFile()
      } else {
        renameIfExists(from, to)
      }
      if (existsSync(to)) paths.push(to)
    }
    return paths
  }

  /** Deletes the files at once (an empty segment being replaced). */
  deleteNow (): void {
    for (const path of this.markDeleted()) {
      unlinkIfExists(path)
    }
  }

  /** Releases every descriptor (close of the log). Index entries must have been written and synced before. */
  close (): void {
    this.log.close()
    this.offsetIdx?.closeFile()
    this.timeIdx?.closeFile()
    this.txnIdx?.closeFile()
  }
}

/** An index entry did not match the batch it points at. */
class IndexMismatch extends Error {}

function readIfExists (path: string): Buffer | null {
  try {
    return readFileSync(path)
  } catch (err) {
    if (isNotFound(err)) return null
    throw err
  }
}

