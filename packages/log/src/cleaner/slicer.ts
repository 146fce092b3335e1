import { performance } from 'node:perf_hooks'
import { setImmediate as immediate, setTimeout as sleep } from 'node:timers/promises'

/** Thrown inside a cleaning when it was asked to stop (abortAndPause, remove, stop). */
export class LogCleaningAbortedError extends Error {
  constructor (log: string) {
    super(`cleaning of ${log} was aborted`)
    this.name = 'LogCleaningAbortedError'
  }
}

export interface SlicerOptions {
  /** Longest run of synchronous work before yielding to the event loop, ms. */
  sliceMs: number
  /** log.cleaner.io.max.bytes.per.second (Kafka's Throttler); Infinity for none. */
  maxBytesPerSecond: number
  /** Checked at every step; true makes the next step throw LogCleaningAbortedError. */
  aborted: () => boolean
  log: string
}

/**
 * Cuts a cleaning into slices so it never holds the event loop for long:
 * after each batch the cleaner calls step(); once `sliceMs` of work has
 * run since the last yield, step() returns a promise that resolves on the
 * next turn of the event loop (setImmediate, after pending I/O callbacks,
 * so appends and fetches run between slices). Awaiting a resolved promise
 * would not do: microtasks run before I/O. It also throttles the bytes
 * processed per second, as Kafka's cleaner does.
 */
export class Slicer {
  private sliceStart = performance.now()
  private windowStart = this.sliceStart
  private windowBytes = 0
  /** Number of times the cleaning yielded (diagnostics and tests). */
  yields = 0

  constructor (private readonly opts: SlicerOptions) {}

  /** Throws if aborted; returns null to go on, or a promise to await first. */
  step (bytes: number): Promise<void> | null {
    if (this.opts.aborted()) throw new LogCleaningAbortedError(this.opts.log)
    const t = performance.now()
    const rate = this.opts.maxBytesPerSecond
    if (Number.isFinite(rate) && rate > 0) {
      this.windowBytes += bytes
      const ahead = this.windowBytes / rate * 1000 - (t - this.windowStart)
      if (ahead > 1) return this.pause(sleep(Math.ceil(ahead)))
      if (t - this.windowStart > 1000) {
        this.windowStart = t
        this.windowBytes = 0
      }
    }
    if (t - this.sliceStart < this.opts.sliceMs) return null
    return this.pause(immediate())
  }

  private async pause (p: Promise<unknown>): Promise<void> {
    this.yields++
    await p
    this.sliceStart = performance.now()
  }
}

