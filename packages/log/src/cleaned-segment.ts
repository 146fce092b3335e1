import { LOG_OVERHEAD, readBatchHeader } from '@tributary/protocol'
import type { CleanedSegmentWriter } from './cleaner/compactable-log.js'
import { LogError } from './errors.js'
import type { LogSegment } from './segment.js'
import type { AbortedTxn } from './types.js'

const INT32_MAX = 0x7fffffffn

/**
 * The cleaner's copy of a group of segments while it is being written:
 * `<base>.log.cleaned` and its indexes (Kafka's LogCleaner writes to
 * `.cleaned` files the same way). Batches arrive in offset order, with
 * gaps; they are indexed as any append. DiskLog.replaceSegments swaps the
 * finished copy in; abort() deletes it.
 *
 * Lifecycle: open -> (append | addAbortedTxn)* -> swapped (by the log) or
 * aborted. On the event loop; one writer per cleaning.
 */
export class CleanedSegment implements CleanedSegmentWriter {
  private state: 'open' | 'aborted' | 'swapped' = 'open'
  private lastOffset: bigint

  constructor (readonly owner: object, readonly segment: LogSegment) {
    this.lastOffset = segment.baseOffset - 1n
  }

  get baseOffset (): bigint { return this.segment.baseOffset }
  get isOpen (): boolean { return this.state === 'open' }

  async append (batches: readonly Buffer[]): Promise<void> {
    if (this.state !== 'open') throw new LogError('TRIB_LOG_CLOSED', `cleaned segment ${this.segment.logPath} is ${this.state}`)
    if (batches.length === 0) return
    const entries: Array<{ at: number, size: number, lastOffset: bigint, maxTimestamp: bigint }> = []
    let at = 0
    let last = this.lastOffset
    for (const b of batches) {
      let h
      try {
        h = readBatchHeader(b)
      } catch (err) {
        throw new LogError('TRIB_LOG_INVALID_BATCH', `cleaned batch: ${(err as Error).message}`, { cause: err })
      }
      const size = h.batchLength + LOG_OVERHEAD
      const batchLast = h.baseOffset + BigInt(h.lastOffsetDelta)
      if (size !== b.length) throw new LogError('TRIB_LOG_INVALID_BATCH', `cleaned batch at offset ${h.baseOffset} is ${b.length} bytes, its header says ${size}`)
      if (h.baseOffset <= last) throw new LogError('TRIB_LOG_INVALID_BATCH', `cleaned batch at offset ${h.baseOffset} does not follow offset ${last}`)
      if (batchLast - this.segment.baseOffset > INT32_MAX) throw new LogError('TRIB_LOG_INVALID_BATCH', `offset ${batchLast} does not fit segment ${this.segment.baseOffset}`)
      entries.push({ at, size, lastOffset: batchLast, maxTimestamp: h.maxTimestamp })
      at += size
      last = batchLast
    }
    this.segment.append(batches.length === 1 ? batches[0]! : Buffer.concat(batches, at), entries)
    this.lastOffset = last
  }

  addAbortedTxn (txn: AbortedTxn): void {
    if (this.state !== 'open') throw new LogError('TRIB_LOG_CLOSED', `cleaned segment ${this.segment.logPath} is ${this.state}`)
    this.segment.txnIndex.append(txn)
  }

  async abort (): Promise<void> {
    if (this.state !== 'open') return
    this.state = 'aborted'
    this.segment.deleteNow()
  }

  /** Called by the log once the copy is live. */
  markSwapped (): void {
    this.state = 'swapped'
  }
}
