import { mkdirSync, existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { LOG_OVERHEAD, setBaseOffset, setLogAppendTime, setPartitionLeaderEpoch, splitBatches } from '@tributary/protocol'
import { scanAppend } from './append-batches.js'
import { removeCleanShutdown, writeCleanShutdown } from './clean-shutdown.js'
import { CleanedSegment } from './cleaned-segment.js'
import type { SegmentDescriptor } from './cleaner/cleanable.js'
import type { CleanedSegmentWriter, CompactableLog } from './cleaner/compactable-log.js'
import { LogError } from './errors.js'
import { GroupCommit } from './flusher.js'
import { fsyncDirectory, fsyncDirectorySync, unlinkIfExists } from './io.js'
import type { LeaderEpochCache } from './leader-epoch-cache.js'
import { readBatches } from './read-path.js'
import { floorSegment, loadLog, type LoadOptions, type LogLogger } from './recovery.js'
import { retentionDeletions } from './retention.js'
import { LogSegment, type SegmentAppend, type SegmentSettings } from './segment.js'
import { CLEANED_SUFFIX, SWAP_SUFFIX } from './segment-files.js'
import { TailCache } from './tail-cache.js'
import { findMaxTimestamp, findOffsetForTimestamp } from './time-search.js'
import {
  DEFAULT_LOG_CONFIG,
  type AbortedTxn, type AppendOptions, type AppendResult, type EpochEntry, type LogConfig, type PartitionLog,
  type ReadOptions, type ReadResult, type TimestampOffset
} from './types.js'

export interface DiskLogOptions extends LoadOptions {
  /** For messages ("orders-3"); defaults to the directory. */
  name?: string
  /** Wall clock in ms (segment.ms, retention, segment creation times). */
  clock?: () => number
  /** Bytes of recent appends kept in memory to serve tail reads (0 disables). Default 1 MiB. */
  tailCacheBytes?: number
  logger?: LogLogger
  /**
   * Called when offsets that the log manager checkpoints changed in a way
   * that must not wait for the periodic checkpoint: the log start moved
   * (DeleteRecords, retention) or a truncation lowered the recovery point.
   */
  onCheckpointNeeded?: (log: DiskLog) => void
  /** Persists the checkpoints now (the log manager writes its files); setCleanerCheckpoint waits for it. */
  persistCheckpoints?: (log: DiskLog) => Promise<void>
}

/** One segment as seen from outside (tests, the cleaner, tools). */
export interface SegmentInfo {
  baseOffset: bigint
  /** Offset after its last batch; the base offset when empty. */
  nextOffset: bigint
  sizeBytes: number
  /** Largest record timestamp, -1n when none. */
  maxTimestamp: bigint
  /** maxTimestamp of the first batch, -1n when empty. */
  firstBatchTimestamp: bigint
  isActive: boolean
  path: string
}

/** Counters for tests and metrics. */
export interface DiskLogStats {
  appends: number
  appendedBytes: number
  /** Group-commit runs that synced at least one file. */
  syncRounds: number
  /** fdatasync calls on segment and index files. */
  fileSyncs: number
  dirSyncs: number
  rolls: number
  deletedSegments: number
  tailCacheHits: number
  /** Reads served from the segment files, and those of them that walked batch headers before their one read (index gap wider than MAX_LEAD, or an index entry that did not match). */
  fileReads: number
  locatedReads: number
  /** What the last open found. */
  recovery: { cleanShutdown: boolean, truncatedBytes: number, droppedSegments: number, rebuiltIndexes: number }
}

const INT32_MAX = 0x7fffffffn
/** setTimeout's limit; larger flush.ms values mean "never" (Kafka's Long.MAX default). */
const MAX_TIMER_MS = 0x7fffffff
const consoleLogger: LogLogger = { warn: message => process.emitWarning(message, 'TributaryLogWarning') }

function outOfRange (offset: bigint, start: bigint, end: bigint): LogError {
  return new LogError('TRIB_LOG_OFFSET_OUT_OF_RANGE', `offset ${offset} is outside the log [${start}, ${end}]`)
}

function settingsOf (config: LogConfig): SegmentSettings {
  return { indexIntervalBytes: config.indexIntervalBytes, maxIndexBytes: config.segmentIndexBytes }
}

/** segment.ms, or for compacted logs at most max.compaction.lag.ms (KIP-354: the active segment is never cleaned). */
function rollIntervalMs (config: LogConfig): number {
  if (config.cleanupPolicy.includes('compact') && config.maxCompactionLagMs > 0) return Math.min(config.maxCompactionLagMs, config.segmentMs)
  return config.segmentMs
}

/**
 * The on-disk partition log: Kafka's log layout (README.md) behind the
 * PartitionLog interface.
 *
 * Lifecycle: DiskLog.open() loads and recovers the directory (recovery.ts),
 * syncs whatever recovery touched and removes the clean-shutdown marker;
 * the log then takes appends until close(), which syncs everything, writes
 * the marker and releases the files. A failed fsync or write puts the log in
 * a failed state: appends and changes are refused with TRIB_LOG_STORAGE
 * (after a failed fsync the page cache can no longer be trusted; Kafka takes
 * the log directory offline), reads go on.
 *
 * Concurrency: everything runs on the event loop. Appends, truncation, roll,
 * retention and reads do their file work synchronously (page cache), so each
 * is atomic with respect to the others and appends apply in call order.
 * Only fsyncs run on the thread pool, through one group commit
 * (flusher.ts): durable appends and flushes wait for it, and every append
 * made while an fsync runs shares the next one.
 *
 * Invariants: segments are sorted by base offset and never empty of an
 * active (last) segment; the log end is at or above the active segment's
 * last batch (above it after a truncation inside a batch, and then the
 * active segment's base offset says so on disk); logStart <= logEnd.
 */
export class DiskLog implements PartitionLog, CompactableLog {
  readonly dir: string
  readonly name: string
  private cfg: LogConfig
  private segs: LogSegment[]
  private leo: bigint
  private start: bigint
  /** Set by the partition layer; stored, lowered by truncation, raised by a new log start, checkpointed. */
  highWatermark: bigint
  private recoveryPointOffset: bigint
  private readonly epochs: LeaderEpochCache
  private readonly commit: GroupCommit
  private readonly tail: TailCache
  private readonly clock: () => number
  private readonly logger: LogLogger
  private readonly onCheckpointNeeded: ((log: DiskLog) => void) | undefined
  private readonly persistCheckpoints: ((log: DiskLog) => Promise<void>) | undefined
  private cleanerCheckpointOffset: bigint | null
  private readonly cleanedWriters = new Set<CleanedSegment>()
  private state: 'open' | 'closing' | 'closed' = 'open'
  private closing: Promise<void> | null = null
  private failure: Error | null = null
  private dirDirty = false
  private fullSyncWanted = false
  /** Bumped by every truncation: a full sync that raced one must not move the recovery point. */
  private truncations = 0
  /** Offsets appended since the last full flush (flush.messages). */
  private unflushed = 0
  private flushTimer: NodeJS.Timeout | null = null
  private readonly pendingDeletes = new Map<NodeJS.Timeout, string[]>()
  readonly stats: DiskLogStats

  private constructor (dir: string, cfg: LogConfig, options: DiskLogOptions, loaded: ReturnType<typeof loadLog>) {
    this.dir = dir
    this.name = options.name ?? dir
    this.cfg = cfg
    this.segs = loaded.segments
    this.leo = loaded.logEndOffset
    this.start = loaded.logStartOffset
    this.highWatermark = loaded.highWatermark
    this.recoveryPointOffset = loaded.cleanShutdown ? loaded.logEndOffset : (options.recoveryPoint ?? 0n)
    this.epochs = loaded.epochs
    this.clock = options.clock ?? Date.now
    this.logger = options.logger ?? consoleLogger
    this.onCheckpointNeeded = options.onCheckpointNeeded
    this.persistCheckpoints = options.persistCheckpoints
    this.cleanerCheckpointOffset = loaded.cleanerCheckpoint
    this.tail = new TailCache(options.tailCacheBytes ?? 1024 * 1024)
    this.commit = new GroupCommit(() => this.syncRound())
    this.stats = {
      appends: 0,
      appendedBytes: 0,
      syncRounds: 0,
      fileSyncs: 0,
      dirSyncs: 0,
      rolls: 0,
      deletedSegments: 0,
      tailCacheHits: 0,
      fileReads: 0,
      locatedReads: 0,
      recovery: {
        cleanShutdown: loaded.cleanShutdown,
        truncatedBytes: loaded.truncatedBytes,
        droppedSegments: loaded.droppedSegments,
        rebuiltIndexes: loaded.rebuiltIndexes
      }
    }
    this.armFlushTimer()
  }

  /**
   * Opens (creating if needed) the log in `dir`. `config` overrides
   * DEFAULT_LOG_CONFIG. After an unclean stop, recovery scans from
   * options.recoveryPoint (the log manager passes its checkpoint; without
   * one, every segment is checked).
   */
  static async open (dir: string, config: Partial<LogConfig> = {}, options: DiskLogOptions = {}): Promise<DiskLog> {
    const cfg: LogConfig = { ...DEFAULT_LOG_CONFIG, ...config }
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true })
      fsyncDirectorySync(dirname(dir))
    }
    const clock = options.clock ?? Date.now
    const loaded = loadLog(dir, settingsOf(cfg), options, clock(), options.logger ?? consoleLogger)
    const log = new DiskLog(dir, cfg, options, loaded)
    try {
      if (loaded.needsFullSync) {
        log.dirDirty = true
        await log.syncAll()
      }
      log.recoveryPointOffset = log.leo
      // From here on the files may change without a sync: the next open must not trust them blindly.
      removeCleanShutdown(dir)
    } catch (err) {
      log.releaseFiles()
      throw err
    }
    return log
  }

  // ---- PartitionLog ----------------------------------------------------------------------------------------

  logStartOffset (): bigint { return this.start }
  logEndOffset (): bigint { return this.leo }

  /*
   * append and read do their work synchronously and return a settled
   * promise (append waits only for a group commit). They are not `async`
   * functions on purpose: V8 gives every call of an async function a
   * generator object holding all of its registers (about 1 KiB for append),
   * which on the produce path was most of the log's garbage per append.
   * A synchronous throw still becomes a rejection, as the interface says.
   */
  append (batches: Buffer, options: AppendOptions = {}): Promise<AppendResult> {
    let result: AppendResult
    try {
      result = this.appendNow(batches, options)
    } catch (err) {
      return Promise.reject(err)
    }
    if (this.cfg.flushPolicy !== 'pagecache' && options.durable === true) return this.commit.request().then(() => result)
    return Promise.resolve(result)
  }

  private appendNow (batches: Buffer, options: AppendOptions): AppendResult {
    this.checkWritable()
    const spans = scanAppend(batches, options.crcVerified !== true)
    const appendTime = options.timestampType === 'LogAppendTime' ? (options.now ?? (() => BigInt(Date.now())))() : -1n
    const first = this.leo
    // Offsets each batch gets, and the roll inputs: one pass over the headers scanAppend read (no re-parsing).
    const lastOffsets: bigint[] = new Array(spans.length)
    let next = first
    let maxTimestamp = -1n
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!
      const last = next + BigInt(span.lastOffsetDelta)
      lastOffsets[i] = last
      next = last + 1n
      if (appendTime === -1n && span.maxTimestamp > maxTimestamp) maxTimestamp = span.maxTimestamp
    }
    if (appendTime !== -1n) maxTimestamp = appendTime
    this.maybeRoll(batches.length, maxTimestamp, next - 1n)

    // Offsets, epoch and LogAppendTime go into the caller's buffer: the append owns it from here.
    const written: SegmentAppend[] = new Array(spans.length)
    // Epochs that start in this append (usually none; a follower's append may carry several).
    let epochStarts: Array<[number, bigint]> | null = null
    let latestEpoch = this.epochs.latestEpoch()
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!
      const base = i === 0 ? first : lastOffsets[i - 1]! + 1n
      setBaseOffset(batches, span.at, base)
      let epoch = span.partitionLeaderEpoch
      if (options.leaderEpoch !== undefined) {
        if (epoch !== options.leaderEpoch) setPartitionLeaderEpoch(batches, span.at, options.leaderEpoch)
        epoch = options.leaderEpoch
      }
      if (epoch > latestEpoch) {
        (epochStarts ??= []).push([epoch, base])
        latestEpoch = epoch
      }
      let maxTs = span.maxTimestamp
      if (appendTime !== -1n) {
        setLogAppendTime(batches, span.at, appendTime)
        maxTs = appendTime
      }
      written[i] = { at: span.at, size: span.size, lastOffset: lastOffsets[i]!, maxTimestamp: maxTs }
    }
    try {
      this.active.append(batches, written)
    } catch (err) {
      // A write that failed and could not be undone leaves a partial batch: no further append may follow it.
      if (this.active.isBroken) this.fail(err)
      throw err
    }
    this.leo = next
    if (epochStarts !== null) {
      for (const [epoch, startOffset] of epochStarts) this.epochs.assign(epoch, startOffset)
      // Persisted by the next group commit, before any later durable append is acknowledged.
      this.commit.requestInBackground()
    }
    this.tail.push(batches, first, next)
    this.stats.appends++
    this.stats.appendedBytes += batches.length

    if (this.cfg.flushPolicy === 'pagecache') {
      this.unflushed += Number(next - first)
      if (this.unflushed >= this.cfg.flushMessages) this.flushInBackground()
    }
    return {
      firstOffset: first,
      lastOffset: next - 1n,
      logAppendTime: appendTime,
      logStartOffset: this.start,
      batches: spans.length,
      bytes: batches.length
    }
  }

  read (offset: bigint, maxBytes: number, options: ReadOptions = {}): Promise<ReadResult> {
    try {
      return Promise.resolve(this.readNow(offset, maxBytes, options))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /** `read`, synchronously: the result, or a thrown LogError (for callers that read many partitions in one step, as a fetch does). */
  readNow (offset: bigint, maxBytes: number, options: ReadOptions = {}): ReadResult {
    this.checkOpen()
    const start = this.start
    const end = this.leo
    if (offset < start || offset > end) throw outOfRange(offset, start, end)
    const maxOffset = options.maxOffset ?? end
    const minOneBatch = options.minOneBatch ?? true
    if (offset === end || maxOffset <= offset) return { records: Buffer.alloc(0), nextOffset: offset, logStartOffset: start, logEndOffset: end }
    const cached = this.tail.read(offset, maxBytes, maxOffset, minOneBatch)
    if (cached !== null) {
      this.stats.tailCacheHits++
      return { records: cached.records, nextOffset: cached.nextOffset, logStartOffset: start, logEndOffset: end }
    }
    const got = readBatches(this.segs, offset, maxBytes, maxOffset, minOneBatch)
    this.stats.fileReads++
    if (got.located === true) this.stats.locatedReads++
    return { records: got.records, nextOffset: got.nextOffset, logStartOffset: start, logEndOffset: end }
  }

  async offsetForTimestamp (timestamp: bigint): Promise<TimestampOffset | null> {
    this.checkOpen()
    return await findOffsetForTimestamp(() => this.segs, () => this.start, timestamp)
  }

  async maxTimestampOffset (): Promise<TimestampOffset | null> {
    this.checkOpen()
    return await findMaxTimestamp(() => this.segs, () => this.start)
  }

  /**
   * Kafka's UnifiedLog.truncateTo: removes every batch whose last offset is
   * >= `offset` (a batch straddling it goes whole) and sets the log end to
   * `offset`. Below the log start, the log is emptied and starts there
   * (truncateFullyAndStartAt). Resolves once the truncation is synced.
   */
  async truncateTo (offset: bigint): Promise<void> {
    this.checkWritable()
    if (offset < 0n) throw outOfRange(offset, this.start, this.leo)
    if (offset >= this.leo) return
    if (offset < this.start) {
      this.truncateFullyAndStartAt(offset, offset)
    } else {
      const floor = floorSegment(this.segs, offset)
      if (floor < 0) {
        // A clean close kept a log start below the first segment (a truncation emptied it): nothing is below `offset`.
        this.truncateFullyAndStartAt(offset, this.start)
      } else {
        const removed = this.segs.splice(floor + 1)
        for (const seg of removed) this.deleteSegment(seg)
        const seg = this.segs[floor]!
        seg.truncateTo(offset, this.clock())
        this.leo = offset
        // The log end must be visible on disk after a restart: an empty segment based at it says so.
        if (seg.nextOffset() < offset) this.rollNow()
      }
    }
    this.truncations++
    if (this.highWatermark > offset) this.highWatermark = offset
    // Kafka's maybeTruncateCheckpoint: records appended after the cut must not pass for clean ones.
    if (this.cleanerCheckpointOffset !== null && this.cleanerCheckpointOffset > offset) this.cleanerCheckpointOffset = offset
    if (this.recoveryPointOffset > offset) this.recoveryPointOffset = offset
    this.tail.clear()
    this.epochs.truncateFromEnd(offset)
    this.onCheckpointNeeded?.(this)
    // Durable before returning: segments renamed away must not come back after a crash once new data follows the cut.
    await this.syncAll()
  }

  /** DeleteRecords: the start moves forward (never past the end); whole segments below it are deleted. */
  async advanceLogStartOffset (offset: bigint): Promise<void> {
    this.checkWritable()
    if (offset > this.leo) throw outOfRange(offset, this.start, this.leo)
    if (offset <= this.start) return
    this.start = offset
    if (this.highWatermark < offset) this.highWatermark = offset
    let n = 0
    while (n + 1 < this.segs.length && this.segs[n + 1]!.baseOffset <= offset) n++
    this.deleteOldest(n)
    this.epochs.truncateFromStart(offset)
    if (n > 0 || this.epochs.isDirty) this.flushInBackground()
    this.onCheckpointNeeded?.(this)
  }

  async roll (): Promise<void> {
    this.checkWritable()
    this.rollNow()
  }

  /** Syncs every segment, index and checkpoint written so far; the recovery point becomes the log end. */
  async flush (): Promise<void> {
    this.checkOpen()
    await this.syncAll()
  }

  async close (): Promise<void> {
    if (this.closing !== null) return await this.closing
    this.state = 'closing'
    this.closing = this.doClose()
    return await this.closing
  }

  // ---- beyond PartitionLog ---------------------------------------------------------------------------------

  config (): Readonly<LogConfig> { return this.cfg }

  /** Applies new topic configuration (segment, flush and retention settings take effect from the next operation). */
  updateConfig (config: Partial<LogConfig>): void {
    this.cfg = { ...this.cfg, ...config }
    const settings = settingsOf(this.cfg)
    for (const seg of this.segs) seg.updateSettings(settings)
    this.armFlushTimer()
  }

  /** Offset below which every segment and index is synced (Kafka's recovery point). */
  recoveryPoint (): bigint { return this.recoveryPointOffset }

  /** The leader epoch cache entries (KIP-101). */
  epochEntries (): EpochEntry[] { return this.epochs.entries() }

  latestEpoch (): number { return this.epochs.latestEpoch() }

  /** OffsetForLeaderEpoch: the end offset of `epoch` as Kafka answers it. */
  endOffsetForEpoch (epoch: number): { epoch: number, endOffset: bigint } {
    return this.epochs.endOffsetFor(epoch, this.leo)
  }

  /** Aborted transactions overlapping [from, to), from the segments' transaction indexes. */
  async abortedTransactions (from: bigint, to: bigint): Promise<AbortedTxn[]> {
    return this.abortedTransactionsNow(from, to)
  }

  /** `abortedTransactions`, synchronously: the transaction indexes are held in memory. */
  abortedTransactionsNow (from: bigint, to: bigint): AbortedTxn[] {
    this.checkOpen()
    const out: AbortedTxn[] = []
    for (let i = Math.max(0, floorSegment(this.segs, from)); i < this.segs.length && this.segs[i]!.baseOffset < to; i++) {
      out.push(...this.segs[i]!.txnIndex.collect(from, to))
    }
    return out
  }

  /** Records an aborted transaction whose ABORT marker is at txn.lastOffset (< log end) in the segment that holds it. */
  addAbortedTxn (txn: AbortedTxn): void {
    this.checkWritable()
    if (txn.lastOffset >= this.leo) throw new RangeError(`ABORT marker offset ${txn.lastOffset} is not in the log (end ${this.leo})`)
    const i = floorSegment(this.segs, txn.lastOffset)
    this.segs[Math.max(0, i)]!.txnIndex.append(txn)
  }

  segments (): SegmentInfo[] {
    this.checkOpen()
    return this.segs.map((seg, i) => ({
      baseOffset: seg.baseOffset,
      nextOffset: i === this.segs.length - 1 ? this.leoOfActiveData() : seg.nextOffset(),
      sizeBytes: seg.size,
      maxTimestamp: seg.maxTimestampSoFar,
      firstBatchTimestamp: seg.firstBatchTimestamp(),
      isActive: i === this.segs.length - 1,
      path: seg.logPath
    }))
  }

  /** Total bytes of the segment files. */
  size (): number {
    let n = 0
    for (const seg of this.segs) n += seg.size
    return n
  }

  /**
   * Applies retention.ms and retention.bytes (retention.ts) if cleanup.policy
   * has 'delete': deletes whole closed segments, oldest first, and moves the
   * log start to the first remaining segment. Returns how many were deleted.
   * The log manager calls it every log.retention.check.interval.ms.
   */
  deleteRetentionSegments (nowMs: number = this.clock()): number {
    if (this.state !== 'open' || this.failure !== null || !this.cfg.cleanupPolicy.includes('delete')) return 0
    const closed = this.segs.slice(0, -1).map((seg, i) => ({
      sizeBytes: seg.size,
      largestTimestamp: () => seg.largestTimestamp(),
      nextBaseOffset: this.segs[i + 1]!.baseOffset
    }))
    const decision = retentionDeletions(closed, this.size(), this.cfg, nowMs, this.highWatermark)
    if (decision.count === 0) return 0
    this.deleteOldest(decision.count)
    const first = this.segs[0]!.baseOffset
    if (first > this.start) {
      this.start = first
      if (this.highWatermark < first) this.highWatermark = first
      this.epochs.truncateFromStart(first)
    }
    this.logger.info?.(`${this.name}: ${decision.reasons.join(' and ')} deleted ${decision.count} segments; log start is now ${this.start}`)
    this.flushInBackground()
    this.onCheckpointNeeded?.(this)
    return decision.count
  }

  /**
   * Closes the log and removes its directory (topic deletion). The log
   * manager renames the directory first; standalone, the files go at once.
   */
  async deleteLog (): Promise<void> {
    await this.close()
    await rm(this.dir, { recursive: true, force: true })
    await fsyncDirectory(dirname(this.dir)).catch(() => {})
  }

  // ---- compaction (CompactableLog, see cleaner/README.md) ---------------------------------------------------

  /**
   * Where the earliest open transaction starts, if any: set by the owner of
   * the producer state (the broker's Partition), so that the cleaner never
   * compacts into a transaction whose outcome is unknown (Kafka cleans only
   * below the first unstable offset).
   */
  firstUnstableOffset: (() => bigint | null) | undefined

  /** The cleaner's upper bound: the last stable offset (the high watermark, or the first offset of the earliest open transaction below it). */
  lastStableOffset (): bigint {
    const bound = this.highWatermark < this.leo ? this.highWatermark : this.leo
    const unstable = this.firstUnstableOffset?.() ?? null
    return unstable !== null && unstable < bound ? unstable : bound
  }

  cleanerCheckpoint (): bigint | null { return this.cleanerCheckpointOffset }

  async setCleanerCheckpoint (offset: bigint): Promise<void> {
    this.checkOpen()
    this.cleanerCheckpointOffset = offset
    await this.persistCheckpoints?.(this)
  }

  /**
   * The batches of a segment, in order, as stored, read in chunks of
   * `chunkBytes` (each chunk a new buffer: the cleaner may keep batches). With
   * `fromOffset`, starts at the offset index entry at or below it. Stops
   * quietly if the segment is deleted meanwhile; damaged data ends it with
   * TRIB_LOG_CORRUPT_BATCH.
   */
  async * readBatches (segment: SegmentDescriptor, fromOffset?: bigint, chunkBytes = 1 << 20): AsyncIterable<Buffer> {
    this.checkOpen()
    const seg = this.segs.find(s => s.baseOffset === segment.baseOffset)
    if (seg === undefined) return
    let pos = fromOffset === undefined ? 0 : seg.positionOfFloorEntry(fromOffset)
    while (!seg.isDeleted && pos < seg.size) {
      const want = Math.min(chunkBytes, seg.size - pos)
      let chunk = Buffer.allocUnsafe(want)
      chunk = chunk.subarray(0, seg.readInto(chunk, 0, pos, want))
      let split
      try {
        split = splitBatches(chunk)
      } catch (err) {
        throw new LogError('TRIB_LOG_CORRUPT_BATCH', `segment ${seg.logPath} is damaged near byte ${pos}: ${(err as Error).message}`, { cause: err })
      }
      if (split.batches.length === 0) {
        // One batch larger than the chunk: read it whole.
        if (split.leftover.length < LOG_OVERHEAD) return
        const size = split.leftover.readInt32BE(8) + LOG_OVERHEAD
        if (size > seg.size - pos || seg.isDeleted) return
        const whole = Buffer.allocUnsafe(size)
        if (seg.readInto(whole, 0, pos, size) < size) return
        pos += size
        yield whole
        continue
      }
      pos += chunk.length - split.leftover.length
      for (const b of split.batches) yield b
    }
  }

  async createCleanedSegment (baseOffset: bigint): Promise<CleanedSegmentWriter> {
    this.checkWritable()
    const seg = LogSegment.create(this.dir, baseOffset, settingsOf(this.cfg), this.clock(), CLEANED_SUFFIX)
    seg.setInactive()
    const writer = new CleanedSegment(this, seg)
    this.cleanedWriters.add(writer)
    return writer
  }

  /**
   * Swaps a cleaned segment in for `old` (Kafka's LocalLog.replaceSegments),
   * crash-safe by renames: the cleaned files are synced, renamed `.swap`
   * (from here a restart completes the swap, see recovery.ts), the old
   * segments renamed `.deleted`, the directory synced, and the `.swap`
   * files renamed to the live names. Refused (false, copy discarded) when
   * `old` no longer matches the log: gone, active, truncated or grown.
   */
  async replaceSegments (cleaned: CleanedSegmentWriter, old: readonly SegmentDescriptor[]): Promise<boolean> {
    if (!(cleaned instanceof CleanedSegment) || cleaned.owner !== this || !cleaned.isOpen) {
      await cleaned.abort()
      return false
    }
    const refuse = async (): Promise<boolean> => {
      this.cleanedWriters.delete(cleaned)
      await cleaned.abort()
      return false
    }
    if (this.state !== 'open' || this.failure !== null || old.length === 0 || cleaned.baseOffset !== old[0]!.baseOffset ||
      this.matchSegments(old) < 0) return await refuse()
    const seg = cleaned.segment
    seg.onBecomeInactive()
    const syncs: Array<() => Promise<void>> = []
    seg.collectSyncs(true, syncs)
    try {
      await Promise.all(syncs.map(async s => await s()))
    } catch (err) {
      this.logger.warn(`${this.name}: cannot sync cleaned segment ${seg.logPath}: ${(err as Error).message}`)
      return await refuse()
    }
    // Synchronous from the check to the last rename: no append, roll or truncation can come between.
    const at = this.matchSegments(old)
    if (this.state !== 'open' || this.failure !== null || at < 0) return await refuse()
    seg.renameFiles(SWAP_SUFFIX)
    const replaced = this.segs.splice(at, old.length, seg)
    for (const s of replaced) this.deleteSegment(s)
    this.cleanedWriters.delete(cleaned)
    cleaned.markSwapped()
    this.tail.clear()
    try {
      await fsyncDirectory(this.dir)
    } catch (err) {
      this.fail(err)
      throw new LogError('TRIB_LOG_STORAGE', `log ${this.name}: sync failed: ${(err as Error).message}`, { cause: err })
    }
    // A truncation during the sync may have deleted the new segment already: then its files stay `.deleted`.
    if (!seg.isDeleted) seg.renameFiles('')
    this.dirDirty = true
    this.flushInBackground()
    return true
  }

  /** Index of old[0] in the segment list if `old` are consecutive, closed and unchanged; -1 otherwise. */
  private matchSegments (old: readonly SegmentDescriptor[]): number {
    const at = this.segs.findIndex(s => s.baseOffset === old[0]!.baseOffset)
    if (at < 0 || at + old.length > this.segs.length - 1) return -1
    for (let i = 0; i < old.length; i++) {
      const seg = this.segs[at + i]!
      const d = old[i]!
      if (seg.baseOffset !== d.baseOffset || seg.size !== d.sizeBytes || seg.nextOffset() !== d.nextOffset) return -1
    }
    return at
  }

  // ---- internals -------------------------------------------------------------------------------------------

  /** Base offset of the active segment: a change across an append means the append rolled (producer-state snapshots). */
  activeSegmentBaseOffset (): bigint { return this.active.baseOffset }

  private get active (): LogSegment {
    return this.segs[this.segs.length - 1]!
  }

  /** Offset after the active segment's last batch (may be below the log end after a truncation inside a batch). */
  private leoOfActiveData (): bigint {
    return this.active.nextOffset()
  }

  private checkOpen (): void {
    if (this.state === 'closed') throw new LogError('TRIB_LOG_CLOSED', `log ${this.name} is closed`)
  }

  private checkWritable (): void {
    if (this.state !== 'open') throw new LogError('TRIB_LOG_CLOSED', `log ${this.name} is closed`)
    if (this.failure !== null) throw new LogError('TRIB_LOG_STORAGE', `log ${this.name} failed: ${this.failure.message}`, { cause: this.failure })
  }

  private fail (err: unknown): void {
    if (this.failure !== null) return
    this.failure = err instanceof Error ? err : new Error(String(err))
    this.logger.warn(`${this.name}: storage failure, the log refuses writes from now on: ${this.failure.message}`)
  }

  /**
   * Kafka's roll conditions (LogSegment.shouldRoll), checked before each
   * append: the segment would pass segment.bytes; its first batch is older
   * than segment.ms (measured, as Kafka does, between the incoming max
   * timestamp and the first batch's, or from the segment's creation when
   * it has no timestamp); an index is full; or an offset would not fit the
   * 32-bit relative offsets of the indexes. An empty segment is never rolled
   * for size or time.
   */
  private maybeRoll (bytes: number, maxTimestamp: bigint, lastOffset: bigint): void {
    const seg = this.active
    const overflow = lastOffset - seg.baseOffset > INT32_MAX
    if (seg.size === 0) {
      if (overflow) this.rollNow()
      return
    }
    const firstTs = seg.firstBatchTimestamp()
    const waited = firstTs >= 0n ? Number(maxTimestamp - firstTs) : this.clock() - seg.createdMs
    if (seg.size > this.cfg.segmentBytes - bytes || waited > rollIntervalMs(this.cfg) || seg.indexFull || overflow) this.rollNow()
  }

  /**
   * Closes the active segment and starts one at the log end. The closed
   * segment is synced in the background, with its indexes and the
   * directory; the recovery point then moves past it.
   */
  private rollNow (): void {
    const old = this.active
    if (old.size === 0 && old.baseOffset === this.leo) return
    // Create first: if that fails (no space, no descriptors), the old segment simply stays active.
    const next = LogSegment.create(this.dir, this.leo, settingsOf(this.cfg), this.clock())
    old.onBecomeInactive()
    this.segs.push(next)
    this.dirDirty = true
    this.stats.rolls++
    this.flushInBackground()
  }

  private truncateFullyAndStartAt (offset: bigint, logStart: bigint): void {
    const old = this.segs
    this.segs = []
    for (const seg of old) this.deleteSegment(seg)
    this.segs.push(LogSegment.create(this.dir, offset, settingsOf(this.cfg), this.clock()))
    this.dirDirty = true
    this.leo = offset
    this.start = logStart
    this.epochs.clear()
  }

  /** Deletes the `count` oldest segments (never the active one). */
  private deleteOldest (count: number): void {
    const n = Math.min(count, this.segs.length - 1)
    if (n <= 0) return
    for (const seg of this.segs.splice(0, n)) this.deleteSegment(seg)
  }

  /** Kafka's asynchronous delete: rename `.deleted` now (the directory is synced by the next round), remove after file.delete.delay.ms. */
  private deleteSegment (seg: LogSegment): void {
    const paths = seg.markDeleted()
    this.dirDirty = true
    this.stats.deletedSegments++
    const timer = setTimeout(() => {
      this.pendingDeletes.delete(timer)
      removeFiles(paths)
    }, Math.min(Math.max(0, this.cfg.fileDeleteDelayMs), MAX_TIMER_MS))
    timer.unref()
    this.pendingDeletes.set(timer, paths)
  }

  /** One group-commit run: fsync what is dirty (with indexes when a full flush was asked), then the directory and the epoch checkpoint. */
  private async syncRound (): Promise<void> {
    // After a failed fsync a retry may "succeed" without the data (the kernel dropped the dirty pages): never report durability again.
    if (this.failure !== null) throw new LogError('TRIB_LOG_STORAGE', `log ${this.name} failed: ${this.failure.message}`, { cause: this.failure })
    const full = this.fullSyncWanted
    this.fullSyncWanted = false
    const leoAtStart = this.leo
    const truncationsAtStart = this.truncations
    const tasks: Array<() => Promise<void>> = []
    for (const seg of this.segs) seg.collectSyncs(full, tasks)
    const dir = this.dirDirty
    this.dirDirty = false
    const epochs = this.epochs.isDirty
    try {
      await Promise.all(tasks.map(async task => await task()))
      if (epochs) await this.epochs.persist()
      if (dir) await fsyncDirectory(this.dir)
    } catch (err) {
      if (dir) this.dirDirty = true
      this.fail(err)
      throw new LogError('TRIB_LOG_STORAGE', `log ${this.name}: sync failed: ${(err as Error).message}`, { cause: err })
    }
    if (tasks.length > 0 || dir || epochs) this.stats.syncRounds++
    this.stats.fileSyncs += tasks.length
    if (dir) this.stats.dirSyncs++
    // Everything below leoAtStart, indexes included, was synced by this run.
    if (full && truncationsAtStart === this.truncations && leoAtStart > this.recoveryPointOffset) this.recoveryPointOffset = leoAtStart
  }

  /** A full sync (log, indexes, directory, epochs) that callers wait for. */
  private async syncAll (): Promise<void> {
    this.fullSyncWanted = true
    await this.commit.request()
  }

  private flushInBackground (): void {
    this.fullSyncWanted = true
    this.unflushed = 0
    this.commit.requestInBackground()
  }

  /** flush.ms under the page-cache policy. */
  private armFlushTimer (): void {
    if (this.flushTimer !== null) clearInterval(this.flushTimer)
    this.flushTimer = null
    if (this.cfg.flushPolicy !== 'pagecache' || this.cfg.flushMs >= MAX_TIMER_MS || this.cfg.flushMs <= 0) return
    this.flushTimer = setInterval(() => {
      if (this.unflushed > 0 && this.state === 'open') this.flushInBackground()
    }, this.cfg.flushMs)
    this.flushTimer.unref()
  }

  private async doClose (): Promise<void> {
    if (this.flushTimer !== null) clearInterval(this.flushTimer)
    this.flushTimer = null
    let synced = false
    for (const writer of this.cleanedWriters) await writer.abort()
    this.cleanedWriters.clear()
    try {
      if (this.failure === null) {
        this.active.writeIndexes()
        await this.syncAll()
        synced = this.failure === null
      }
      await this.commit.idle()
      if (synced) writeCleanShutdown(this.dir, { logStartOffset: this.start, highWatermark: this.highWatermark, cleanerCheckpoint: this.cleanerCheckpointOffset })
    } finally {
      for (const [timer, paths] of this.pendingDeletes) {
        clearTimeout(timer)
        removeFiles(paths)
      }
      this.pendingDeletes.clear()
      this.releaseFiles()
      this.state = 'closed'
    }
  }

  private releaseFiles (): void {
    for (const seg of this.segs) seg.close()
  }
}

function removeFiles (paths: readonly string[]): void {
  for (const path of paths) unlinkIfExists(path)
}
