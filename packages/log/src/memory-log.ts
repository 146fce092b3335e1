import { decodeRecordBatchSync, setBaseOffset, setLogAppendTime, setPartitionLeaderEpoch } from '@tributary/protocol'
import { scanAppend } from './append-batches.js'
import { LogError } from './errors.js'
import {
  DEFAULT_LOG_CONFIG,
  type AppendOptions, type AppendResult, type LogConfig, type PartitionLog, type ReadOptions, type ReadResult,
  type TimestampOffset
} from './types.js'

/*
 * The reference implementation of PartitionLog: an array of batches with
 * their assigned offsets, every operation a plain loop. It is meant to be
 * obviously right rather than fast, so that the contract suite and the
 * operation fuzzer can hold the on-disk log to the same semantics. Segments
 * do not exist here; roll() only counts.
 */

interface StoredBatch {
  baseOffset: bigint
  lastOffset: bigint
  /** The batch as stored: offsets assigned, owned by the log (never a view of the caller's buffer). */
  bytes: Buffer
  /** Decoded lazily for time queries, then kept: batches never change once stored. */
  records?: TimestampOffset[]
}

/** What survives close and reopen: the in-memory stand-in for a log directory. */
export interface MemoryLogState {
  batches: StoredBatch[]
  logStartOffset: bigint
  logEndOffset: bigint
  highWatermark: bigint
  /** roll() leaves no other trace in memory. */
  rolls: number
}

export function emptyMemoryLogState (): MemoryLogState {
  return { batches: [], logStartOffset: 0n, logEndOffset: 0n, highWatermark: 0n, rolls: 0 }
}

function outOfRange (offset: bigint, state: MemoryLogState): LogError {
  return new LogError('TRIB_LOG_OFFSET_OUT_OF_RANGE',
    `offset ${offset} is outside the log [${state.logStartOffset}, ${state.logEndOffset}]`)
}

export class MemoryLog implements PartitionLog {
  readonly config: LogConfig
  private readonly state: MemoryLogState
  private closed = false

  /** Pass the `state` of a closed MemoryLog to reopen it, as a directory is reopened. */
  constructor (config: LogConfig = DEFAULT_LOG_CONFIG, state: MemoryLogState = emptyMemoryLogState()) {
    this.config = config
    this.state = state
  }

  logStartOffset (): bigint { return this.state.logStartOffset }
  logEndOffset (): bigint { return this.state.logEndOffset }

  get highWatermark (): bigint { return this.state.highWatermark }
  set highWatermark (offset: bigint) { this.state.highWatermark = offset }

  /** How many times roll() was called over the life of the state. */
  get rolls (): number { return this.state.rolls }

  async append (batches: Buffer, options: AppendOptions = {}): Promise<AppendResult> {
    this.checkOpen()
    const spans = scanAppend(batches, options.crcVerified !== true)
    // One copy, rewritten in place: the caller may reuse its buffer.
    const copy = Buffer.from(batches)
    const logAppendTime = options.timestampType === 'LogAppendTime'
      ? (options.now ?? (() => BigInt(Date.now())))()
      : -1n
    const firstOffset = this.state.logEndOffset
    let next = firstOffset
    for (const span of spans) {
      setBaseOffset(copy, span.at, next)
      if (options.leaderEpoch !== undefined) setPartitionLeaderEpoch(copy, span.at, options.leaderEpoch)
      if (logAppendTime !== -1n) setLogAppendTime(copy, span.at, logAppendTime)
      const lastOffset = next + BigInt(span.lastOffsetDelta)
      this.state.batches.push({ baseOffset: next, lastOffset, bytes: copy.subarray(span.at, span.at + span.size) })
      next = lastOffset + 1n
    }
    this.state.logEndOffset = next
    return {
      firstOffset,
      lastOffset: next - 1n,
      logAppendTime,
      logStartOffset: this.state.logStartOffset,
      batches: spans.length,
      bytes: batches.length
    }
  }

  async read (offset: bigint, maxBytes: number, options: ReadOptions = {}): Promise<ReadResult> {
    this.checkOpen()
    const { logStartOffset, logEndOffset } = this.state
    if (offset < logStartOffset || offset > logEndOffset) throw outOfRange(offset, this.state)
    const maxOffset = options.maxOffset ?? logEndOffset
    const minOneBatch = options.minOneBatch ?? true
    const out: Buffer[] = []
    let bytes = 0
    let nextOffset = offset
    // The first batch that holds `offset` or anything after it: reads skip gaps left by truncation.
    for (const batch of this.state.batches) {
      if (batch.lastOffset < offset) continue
      if (batch.lastOffset >= maxOffset) break
      const fits = bytes + batch.bytes.length <= maxBytes || (out.length === 0 && minOneBatch)
      if (!fits) break
      out.push(batch.bytes)
      bytes += batch.bytes.length
      nextOffset = batch.lastOffset + 1n
    }
    return { records: Buffer.concat(out, bytes), nextOffset, logStartOffset, logEndOffset }
  }

  async offsetForTimestamp (timestamp: bigint): Promise<TimestampOffset | null> {
    this.checkOpen()
    for (const record of this.liveRecords()) {
      if (record.timestamp >= timestamp) return { ...record }
    }
    return null
  }

  async maxTimestampOffset (): Promise<TimestampOffset | null> {
    this.checkOpen()
    let best: TimestampOffset | null = null
    // Strictly greater: on ties the first record wins, as in Kafka (KIP-734).
    for (const record of this.liveRecords()) {
      if (best === null || record.timestamp > best.timestamp) best = record
    }
    return best === null ? null : { ...best }
  }

  /**
   * Kafka's UnifiedLog.truncateTo: nothing happens at or above the log end;
   * otherwise every batch whose last offset is >= `offset` goes (a batch
   * straddling `offset` goes whole, as LogSegment.truncateTo cuts the file
   * at the start of the first batch with lastOffset >= offset), the log end
   * becomes `offset`, and the log start and high watermark come down to it
   * if they were above.
   */
  async truncateTo (offset: bigint): Promise<void> {
    this.checkOpen()
    if (offset < 0n) throw outOfRange(offset, this.state)
    if (offset >= this.state.logEndOffset) return
    this.state.batches = this.state.batches.filter(b => b.lastOffset < offset)
    this.state.logEndOffset = offset
    if (this.state.logStartOffset > offset) this.state.logStartOffset = offset
    if (this.state.highWatermark > offset) this.state.highWatermark = offset
  }

  /**
   * DeleteRecords: the start only moves forward and never past the log end.
   * Batches wholly below the new start are dropped; a batch straddling it
   * stays, and reads from the start return it whole, as Kafka's do. The
   * high watermark comes up to the start if it was below (Kafka keeps
   * logStart <= HW).
   */
  async advanceLogStartOffset (offset: bigint): Promise<void> {
    this.checkOpen()
    if (offset > this.state.logEndOffset) throw outOfRange(offset, this.state)
    if (offset <= this.state.logStartOffset) return
    this.state.logStartOffset = offset
    this.state.batches = this.state.batches.filter(b => b.lastOffset >= offset)
    if (this.state.highWatermark < offset) this.state.highWatermark = offset
  }

  async roll (): Promise<void> {
    this.checkOpen()
    this.state.rolls++
  }

  async flush (): Promise<void> {
    this.checkOpen()
  }

  async close (): Promise<void> {
    this.closed = true
  }

  private checkOpen (): void {
    if (this.closed) throw new LogError('TRIB_LOG_CLOSED', 'the log is closed')
  }

  /** Every record at or above the log start, in offset order, with its exact timestamp. */
  private * liveRecords (): Generator<TimestampOffset> {
    for (const batch of this.state.batches) {
      batch.records ??= decodeRecordBatchSync(batch.bytes).records.map(r => ({ offset: r.offset, timestamp: r.timestamp }))
      for (const record of batch.records) {
        if (record.offset >= this.state.logStartOffset) yield record
      }
    }
  }
}
