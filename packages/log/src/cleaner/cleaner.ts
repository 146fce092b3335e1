import type { KeylessPolicy } from './clean-batches.js'
import { cleanRound, type CleanResult } from './clean-log.js'
import { cleanableRange, type CleanableRange, type SegmentDescriptor } from './cleanable.js'
import type { CompactableLog } from './compactable-log.js'
import { DEFAULT_OFFSET_MAP_BYTES } from './offset-map.js'
import { LogCleaningAbortedError, Slicer } from './slicer.js'
import { newCleanerStats } from './stats.js'

/**
 * The scheduler (Kafka's LogCleaner thread with its LogCleanerManager): one
 * cleaning at a time, of the log with the highest dirty ratio among those
 * with cleanup.policy containing compact whose ratio exceeds
 * min.cleanable.dirty.ratio or that max.compaction.lag.ms forces (KIP-354);
 * sleeps log.cleaner.backoff.ms when none qualifies.
 *
 * It runs on the event loop, cut into slices of at most `sliceMs` of
 * synchronous work (see Slicer), rather than on a worker thread: the disk
 * log owns every file handle and does its I/O asynchronously, the batches
 * need no copying or transfer between threads, and tests are
 * deterministic. The cost is that cleaning CPU shares the loop's core; the
 * pure core (offset-map, clean-batches) needs no I/O and can move to a
 * worker later if profiles ask for it.
 */

export interface LogCleanerOptions {
  /** Wall clock, ms (default Date.now). */
  now?: () => number
  /** Longest run of synchronous cleaning work between yields to the event loop, ms (default 5). */
  sliceMs?: number
  /** Memory bound of the offset map (log.cleaner.dedupe.buffer.size, default 64 MiB). */
  offsetMapBytes?: number
  /** log.cleaner.backoff.ms (default 15 s). */
  backoffMs?: number
  /** log.cleaner.io.max.bytes.per.second (default unlimited). */
  maxBytesPerSecond?: number
  /** Records without a key: 'discard' (default, as Kafka's cleaner does: compacted topics need keys) or 'retain'. */
  keyless?: KeylessPolicy
  /** Cleaned bytes collected before one writer append (default 1 MiB). */
  writeChunkBytes?: number
  /** A background cleaning failed; the log is marked uncleanable until it is added again. */
  onError?: (log: CompactableLog, error: unknown) => void
  /** A cleaning finished (also when abandoned). */
  onCleaned?: (log: CompactableLog, result: CleanResult) => void
}

interface InProgress {
  log: CompactableLog
  aborted: boolean
  done: Promise<unknown>
}

export class LogCleaner {
  private readonly logs = new Set<CompactableLog>()
  private readonly pauses = new Map<CompactableLog, number>()
  private readonly failed = new Set<CompactableLog>()
  private current: InProgress | null = null
  /** Serialises cleanings: one at a time, in call order. */
  private queue: Promise<unknown> = Promise.resolve()
  private running = false
  private loop: Promise<void> | null = null
  private wake: (() => void) | null = null
  private readonly now: () => number
  private readonly opts: Required<Omit<LogCleanerOptions, 'now' | 'onError' | 'onCleaned'>>

  constructor (private readonly options: LogCleanerOptions = {}) {
    this.now = options.now ?? Date.now
    this.opts = {
      sliceMs: options.sliceMs ?? 5,
      offsetMapBytes: options.offsetMapBytes ?? DEFAULT_OFFSET_MAP_BYTES,
      backoffMs: options.backoffMs ?? 15_000,
      maxBytesPerSecond: options.maxBytesPerSecond ?? Infinity,
      keyless: options.keyless ?? 'discard',
      writeChunkBytes: options.writeChunkBytes ?? 1024 * 1024
    }
  }

  /** Registers a log; it is cleaned whenever its cleanup.policy contains compact. Clears an uncleanable mark. */
  add (log: CompactableLog): void {
    this.logs.add(log)
    this.failed.delete(log)
  }

  /** Unregisters a log, aborting its cleaning if one is running. */
  async remove (log: CompactableLog): Promise<void> {
    await this.abortAndPause(log)
    this.logs.delete(log)
    this.pauses.delete(log)
    this.failed.delete(log)
  }

  /** Logs whose cleaning failed (Kafka's uncleanable partitions). */
  get uncleanable (): ReadonlySet<CompactableLog> { return this.failed }

  /**
   * Stops any cleaning of `log` and keeps it from starting until resume()
   * (Kafka's abortAndPauseCleaning). The log calls it before truncating or
   * deleting itself. Pauses nest.
   */
  async abortAndPause (log: CompactableLog): Promise<void> {
    this.pauses.set(log, (this.pauses.get(log) ?? 0) + 1)
    const c = this.current
    if (c?.log === log) {
      c.aborted = true
      await c.done.catch(() => {})
    }
  }

  resume (log: CompactableLog): void {
    const n = (this.pauses.get(log) ?? 0) - 1
    if (n > 0) this.pauses.set(log, n)
    else this.pauses.delete(log)
  }

  private eligible (log: CompactableLog): boolean {
    return this.logs.has(log) && !this.pauses.has(log) && !this.failed.has(log) && log.config().cleanupPolicy.includes('compact')
  }

  private rangeOf (log: CompactableLog, segments: readonly SegmentDescriptor[]): CleanableRange {
    return cleanableRange({
      segments,
      logStartOffset: log.logStartOffset(),
      logEndOffset: log.logEndOffset(),
      lastStableOffset: log.lastStableOffset(),
      checkpoint: log.cleanerCheckpoint(),
      now: this.now(),
      config: log.config()
    })
  }

  /** The dirty ratio and cleanable range of a log as the scheduler sees it now. */
  inspect (log: CompactableLog): CleanableRange {
    return this.rangeOf(log, log.segments())
  }

  /** The eligible log with the highest dirty ratio among those that qualify (Kafka's grabFilthiestCompactedLog). */
  private filthiest (): CompactableLog | null {
    let best: CompactableLog | null = null
    let bestRatio = -1
    for (const log of this.logs) {
      let r: CleanableRange
      try {
        if (!this.eligible(log)) continue
        r = this.inspect(log)
      } catch (err) {
        this.options.onError?.(log, err)
        continue
      }
      if (r.shouldClean && r.dirtyRatio > bestRatio) {
        best = log
        bestRatio = r.dirtyRatio
      }
    }
    return best
  }

  /** Cleans the log that needs it most; null if none does. */
  async cleanFilthiest (): Promise<CleanResult | null> {
    const log = this.filthiest()
    return log === null ? null : await this.clean(l => this.eligible(l), log, false)
  }

  /**
   * Cleans one log now if it has a cleanable dirty section. With `force`,
   * the dirty ratio is ignored (min.compaction.lag.ms, the active segment
   * and the last stable offset still bound the range). Rejects if the
   * cleaning fails; the log is then marked uncleanable.
   */
  async cleanLog (log: CompactableLog, options: { force?: boolean } = {}): Promise<CleanResult | null> {
    return await this.clean(() => true, log, options.force === true)
  }

  private async clean (stillWanted: (log: CompactableLog) => boolean, log: CompactableLog, force: boolean): Promise<CleanResult | null> {
    const run = this.queue.then(async () => {
      if (!stillWanted(log) || this.pauses.has(log) || this.failed.has(log)) return null
      return await this.runOne(log, force)
    })
    this.queue = run.catch(() => {})
    return await run
  }

  private async runOne (log: CompactableLog, force: boolean): Promise<CleanResult | null> {
    const segments = log.segments()
    const range = this.rangeOf(log, segments)
    if (range.checkpointReset) {
      await log.setCleanerCheckpoint(range.firstDirtyOffset)
      if (this.pauses.has(log)) return null
    }
    if (range.firstUncleanableOffset <= range.firstDirtyOffset || range.cleanableBytes === 0) return null
    if (!force && !range.shouldClean) return null

    const current: InProgress = { log, aborted: false, done: Promise.resolve() }
    const slicer = new Slicer({
      sliceMs: this.opts.sliceMs,
      maxBytesPerSecond: this.opts.maxBytesPerSecond,
      aborted: () => current.aborted,
      log: log.name
    })
    const work = cleanRound(log, segments, range, {
      now: this.now(),
      offsetMapBytes: this.opts.offsetMapBytes,
      keyless: this.opts.keyless,
      writeChunkBytes: this.opts.writeChunkBytes,
      slicer
    })
    current.done = work
    this.current = current
    let result: CleanResult
    try {
      result = await work
    } catch (err) {
      if (!(err instanceof LogCleaningAbortedError)) {
        this.failed.add(log)
        throw err
      }
      result = abandonedResult(log, range)
    } finally {
      this.current = null
    }
    this.options.onCleaned?.(log, result)
    return result
  }

  /** Starts the background loop. */
  start (): void {
    if (this.running) return
    this.running = true
    this.loop = this.runLoop()
  }

  /** Stops the loop, aborting a running cleaning, and waits for it. */
  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    if (this.current !== null) this.current.aborted = true
    this.wake?.()
    await this.loop
    this.loop = null
  }

  private async runLoop (): Promise<void> {
    while (this.running) {
      let result: CleanResult | null = null
      const log = this.filthiest()
      if (log !== null) {
        try {
          result = await this.clean(l => this.eligible(l), log, false)
        } catch (err) {
          this.options.onError?.(log, err)
        }
      }
      if (this.running && (result === null || result.abandoned)) await this.sleep(this.opts.backoffMs)
    }
  }

  private async sleep (ms: number): Promise<void> {
    await new Promise<void>(resolve => {
      const t = setTimeout(done, ms)
      t.unref()
      function done (): void { clearTimeout(t); resolve() }
      this.wake = done
    })
    this.wake = null
  }
}

function abandonedResult (log: CompactableLog, range: CleanableRange): CleanResult {
  return {
    log: log.name,
    firstDirtyOffset: range.firstDirtyOffset,
    endOffset: range.firstDirtyOffset,
    dirtyRatio: range.dirtyRatio,
    groupsReplaced: 0,
    groupsUnchanged: 0,
    abandoned: true,
    stats: newCleanerStats()
  }
}
