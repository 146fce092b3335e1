import {
  CompressionCodec, TimestampType, decodeRecordBatchSync, encodeControlBatch, encodeRecordBatchSync, lastOffset,
  readBatchHeader, verifyBatchCrc
} from '@tributary/protocol'
import type { CleanedSegmentWriter, CompactableLog, ProducerLastRecord, SegmentDescriptor } from '../../src/cleaner/index.js'
import { DEFAULT_LOG_CONFIG, type AbortedTxn, type LogConfig } from '../../src/types.js'

export const T0 = 1_700_000_000_000n

export interface Rec {
  key: string | null
  value: string | null
  /** Absolute timestamp, default T0 + offset. */
  ts?: bigint
}

export interface BatchOpts {
  codec?: CompressionCodec
  producerId?: bigint
  producerEpoch?: number
  baseSequence?: number
  transactional?: boolean
  timestampType?: TimestampType
  maxTimestamp?: bigint
  partitionLeaderEpoch?: number
}

/** A batch at `baseOffset` with consecutive offsets. */
export function batch (baseOffset: bigint, recs: Rec[], o: BatchOpts = {}): Buffer {
  return encodeRecordBatchSync({
    baseOffset,
    compression: o.codec ?? CompressionCodec.NONE,
    producerId: o.producerId,
    producerEpoch: o.producerEpoch,
    baseSequence: o.baseSequence,
    transactional: o.transactional,
    timestampType: o.timestampType,
    maxTimestamp: o.maxTimestamp,
    partitionLeaderEpoch: o.partitionLeaderEpoch ?? 3,
    records: recs.map((r, i) => ({
      key: r.key === null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value),
      headers: [{ key: 'h', value: Buffer.from(`v${i}`) }],
      timestamp: r.ts ?? T0 + baseOffset + BigInt(i)
    }))
  })
}

export function marker (offset: bigint, producerId: bigint, commit: boolean, producerEpoch = 0): Buffer {
  return encodeControlBatch({ baseOffset: offset, producerId, producerEpoch, commit, coordinatorEpoch: 1, timestamp: T0 + offset })
}

export interface Flat {
  offset: bigint
  key: string | null
  value: string | null
  timestamp: bigint
}

export function records (batches: readonly Buffer[]): Flat[] {
  const out: Flat[] = []
  for (const b of batches) {
    const d = decodeRecordBatchSync(b)
    if (d.header.isControl) continue
    for (const r of d.records) {
      out.push({ offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, timestamp: r.timestamp })
    }
  }
  return out
}

export function allCrcValid (batches: readonly Buffer[]): boolean {
  return batches.every(b => verifyBatchCrc(b))
}

export function compactConfig (over: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, cleanupPolicy: ['compact'], minCleanableDirtyRatio: 0.5, ...over }
}

interface FakeSegment {
  base: bigint
  batches: Buffer[]
}

/**
 * A CompactableLog over arrays of batches: the last segment is the active
 * one. It checks what the disk log must check in replaceSegments.
 */
export class FakeLog implements CompactableLog {
  readonly name: string
  cfg: LogConfig
  segs: FakeSegment[] = []
  checkpoint: bigint | null = null
  lso: bigint | null = null
  startOffset = 0n
  aborted: AbortedTxn[] = []
  producers: Map<bigint, ProducerLastRecord> | undefined
  replaceCalls = 0
  refuseReplace = false
  writersOpen = 0
  /** Called before every batch read, to inject changes. */
  onRead: (() => void) | null = null

  constructor (segments: Buffer[][], config: Partial<LogConfig> = {}, name = 'fake-0') {
    this.name = name
    this.cfg = compactConfig(config)
    let next = 0n
    for (const batches of segments) {
      const base = batches.length > 0 ? readBatchHeader(batches[0]!).baseOffset : next
      this.segs.push({ base, batches: [...batches] })
      if (batches.length > 0) next = lastOffset(readBatchHeader(batches.at(-1)!)) + 1n
    }
  }

  config (): LogConfig { return this.cfg }
  logStartOffset (): bigint { return this.startOffset }
  logEndOffset (): bigint {
    for (let i = this.segs.length - 1; i >= 0; i--) {
      const b = this.segs[i]!.batches.at(-1)
      if (b !== undefined) return lastOffset(readBatchHeader(b)) + 1n
    }
    return this.segs[0]?.base ?? 0n
  }

  lastStableOffset (): bigint { return this.lso ?? this.logEndOffset() }

  private describe (s: FakeSegment, i: number): SegmentDescriptor {
    let max = -1n
    let size = 0
    for (const b of s.batches) {
      const h = readBatchHeader(b)
      if (h.maxTimestamp > max) max = h.maxTimestamp
      size += b.length
    }
    const last = s.batches.at(-1)
    return {
      baseOffset: s.base,
      nextOffset: last === undefined ? s.base : lastOffset(readBatchHeader(last)) + 1n,
      sizeBytes: size,
      maxTimestamp: max,
      firstBatchTimestamp: s.batches[0] === undefined ? undefined : readBatchHeader(s.batches[0]).maxTimestamp,
      isActive: i === this.segs.length - 1
    }
  }

  segments (): SegmentDescriptor[] { return this.segs.map((s, i) => this.describe(s, i)) }

  async * readBatches (segment: SegmentDescriptor): AsyncIterable<Buffer> {
    const s = this.segs.find(x => x.base === segment.baseOffset)
    if (s === undefined) return
    for (const b of [...s.batches]) {
      this.onRead?.()
      yield b
    }
  }

  async abortedTransactions (from: bigint, to: bigint): Promise<AbortedTxn[]> {
    return this.aborted.filter(t => t.lastOffset >= from && t.firstOffset < to)
  }

  lastRecordsOfActiveProducers: (() => ReadonlyMap<bigint, ProducerLastRecord>) | undefined = undefined

  async createCleanedSegment (baseOffset: bigint): Promise<CleanedSegmentWriter & { batches: Buffer[], txns: AbortedTxn[] }> {
    this.writersOpen++
    let open = true
    const w = {
      baseOffset,
      batches: [] as Buffer[],
      txns: [] as AbortedTxn[],
      append: async (bs: readonly Buffer[]) => { w.batches.push(...bs.map(b => Buffer.from(b))) },
      addAbortedTxn: (t: AbortedTxn) => { w.txns.push(t) },
      abort: async () => { if (open) { open = false; this.writersOpen-- } }
    }
    return w
  }

  async replaceSegments (cleaned: CleanedSegmentWriter, old: readonly SegmentDescriptor[]): Promise<boolean> {
    this.replaceCalls++
    if (this.refuseReplace) return false
    const now = this.segments()
    const first = now.findIndex(s => s.baseOffset === old[0]!.baseOffset)
    if (first < 0) return false
    for (let i = 0; i < old.length; i++) {
      const cur = now[first + i]
      const o = old[i]!
      if (cur === undefined || cur.isActive || cur.baseOffset !== o.baseOffset || cur.nextOffset !== o.nextOffset || cur.sizeBytes !== o.sizeBytes) return false
    }
    const w = cleaned as CleanedSegmentWriter & { batches: Buffer[] }
    for (const b of w.batches) {
      if (!verifyBatchCrc(b)) throw new Error('cleaned batch with a bad CRC')
    }
    this.segs.splice(first, old.length, { base: cleaned.baseOffset, batches: w.batches })
    this.writersOpen--
    return true
  }

  cleanerCheckpoint (): bigint | null { return this.checkpoint }
  async setCleanerCheckpoint (offset: bigint): Promise<void> { this.checkpoint = offset }

  /** Appends batches to the active segment. */
  append (...batches: Buffer[]): void { this.segs.at(-1)!.batches.push(...batches) }
  /** Starts a new active segment at the log end. */
  roll (): void { this.segs.push({ base: this.logEndOffset(), batches: [] }) }
  allBatches (): Buffer[] { return this.segs.flatMap(s => s.batches) }
}
