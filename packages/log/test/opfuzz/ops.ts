import { CompressionCodec, codecName, readBatchHeader } from '@tributary/protocol'
import type { LogErrorCode } from '../../src/errors.js'
import { T0, encodeBatch, type TestBatch, type TestRecord } from '../helpers/batches.js'
import type { Rng } from '../helpers/random.js'
import type { ReferenceLog } from '../helpers/reference-log.js'

/** One step of a sequence. Generated from the model's state, so a seed always replays the same steps. */
export type Op =
  | { kind: 'append', batches: TestBatch[], durable: boolean, leaderEpoch?: number, logAppendTime?: bigint }
  | { kind: 'append-invalid', bytes: Buffer, code: LogErrorCode, why: string }
  | { kind: 'burst', appends: Array<{ batches: TestBatch[], durable: boolean }> }
  | { kind: 'read', offset: bigint, maxBytes: number, maxOffset?: bigint, minOneBatch?: boolean }
  | { kind: 'offset-for-timestamp', timestamp: bigint }
  | { kind: 'max-timestamp' }
  | { kind: 'truncate', offset: bigint }
  | { kind: 'advance-start', offset: bigint }
  | { kind: 'set-high-watermark', offset: bigint }
  | { kind: 'roll' }
  | { kind: 'flush' }
  | { kind: 'restart' }
  | CompactOp

/**
 * A compaction: the high watermark first moved to the log end (replication
 * caught up) and the active segment rolled, each sometimes, so that there is
 * something below both to clean; `now` is the cleaner's clock and `via` how
 * a real cleaner is asked (a toy compaction ignores both).
 */
export interface CompactOp {
  kind: 'compact'
  highWatermark?: bigint
  roll: boolean
  now: number
  via: CleanVia
  /**
   * Appends made one after another while a real cleaner's round runs (it
   * yields to the event loop between batches): they may roll the active
   * segment under it, which must not change what the round does.
   */
  racing?: Array<{ batches: TestBatch[], durable: boolean }>
}

/** cleanLog ignoring the dirty ratio, cleanLog honouring it, or the scheduler's pick of the filthiest log. */
export type CleanVia = 'force' | 'ratio' | 'scheduler'

export type OpKind = Op['kind']

/** What the generator carries from step to step. */
export interface GenState {
  /** Step number: the time base of generated timestamps advances with it. */
  step: number
  leaderEpoch: number
  /** Largest bytes one append may carry (Kafka rejects an append larger than segment.bytes). */
  maxAppendBytes: number
  canRestart: boolean
  canCompact: boolean
  /**
   * A real cleaner compacts: compaction steps are more frequent, and records
   * are more often tombstones and sometimes keyless (which the cleaner drops).
   */
  realCleaner: boolean
  /** The clock of the last compaction step: the cleaner's clock never goes back. */
  cleanerNow: number
}

export const ALL = 64 * 1024 * 1024

function clock (g: GenState): bigint {
  return T0 + BigInt(g.step) * 1000n
}

/** A small key space, so that compaction has something to remove. */
function genRecord (rng: Rng, g: GenState): TestRecord {
  const size = rng.weighted([[rng.int(0, 40), 70], [rng.int(40, 300), 25], [rng.int(300, 700), 5]] as const)
  const keyless = g.realCleaner && rng.chance(0.03)
  return {
    key: keyless ? null : Buffer.from(`k${rng.int(0, 15)}`),
    value: rng.chance(g.realCleaner ? 0.15 : 0.05) ? null : rng.bytes(size),
    // Ten-ms steps within +-0.5 s of the clock: out of order, with ties.
    timestamp: clock(g) + BigInt(rng.int(-50, 50) * 10)
  }
}

function genBatch (rng: Rng, g: GenState, budget: number): TestBatch | null {
  const n = rng.weighted([[1, 30], [rng.int(2, 10), 50], [rng.int(11, 40), 20]] as const)
  const batch: TestBatch = {
    records: Array.from({ length: n }, () => genRecord(rng, g)),
    compression: rng.chance(0.4) ? CompressionCodec.GZIP : CompressionCodec.NONE
  }
  // Halve until it fits the budget; null if even one record does not.
  while (encodeBatch(batch).length > budget) {
    if (batch.records.length === 1) return null
    batch.records = batch.records.slice(0, Math.ceil(batch.records.length / 2))
  }
  return batch
}

function genBatches (rng: Rng, g: GenState): TestBatch[] {
  const wanted = rng.chance(0.8) ? 1 : rng.int(2, 4)
  const batches: TestBatch[] = []
  let budget = g.maxAppendBytes
  for (let i = 0; i < wanted; i++) {
    const b = genBatch(rng, g, budget)
    if (b === null) break
    batches.push(b)
    budget -= encodeBatch(b).length
  }
  if (batches.length === 0) batches.push({ records: [{ key: Buffer.from('k0'), value: Buffer.alloc(0), timestamp: clock(g) }] })
  return batches
}

function genInvalid (rng: Rng, g: GenState): Op {
  const good = encodeBatch({ records: [genRecord(rng, g), genRecord(rng, g)] })
  switch (rng.int(0, 3)) {
    case 0: {
      const bytes = Buffer.from(good)
      bytes[rng.int(21, bytes.length - 1)] ^= 1 << rng.int(0, 7)
      return { kind: 'append-invalid', bytes: Buffer.concat([encodeBatch({ records: [genRecord(rng, g)] }), bytes]), code: 'TRIB_LOG_CORRUPT_BATCH', why: 'bit flipped under the CRC of the second batch' }
    }
    case 1: {
      const bytes = Buffer.from(good)
      bytes.writeInt8(rng.pick([0, 1, 3]), 16)
      return { kind: 'append-invalid', bytes, code: 'TRIB_LOG_CORRUPT_BATCH', why: 'magic is not 2' }
    }
    case 2:
      return { kind: 'append-invalid', bytes: good.subarray(0, rng.int(1, good.length - 1)), code: 'TRIB_LOG_INVALID_BATCH', why: 'cut short' }
    default:
      return { kind: 'append-invalid', bytes: Buffer.alloc(0), code: 'TRIB_LOG_INVALID_BATCH', why: 'empty' }
  }
}

/** An offset a reader might ask for: mostly in range, at boundaries and inside batches, sometimes outside. */
function genReadOffset (rng: Rng, m: ReferenceLog): bigint {
  const b = m.batches.length > 0 ? rng.pick(m.batches) : null
  const choice = rng.weighted([['base', 30], ['inside', 20], ['start', 10], ['end', 10], ['below', 5], ['past', 5], ['any', 20]] as const)
  switch (choice) {
    case 'base': return b?.base ?? m.logStart
    case 'inside': return b === null ? m.logEnd : rng.bigint(b.base, b.last)
    case 'start': return m.logStart
    case 'end': return m.logEnd
    case 'below': return m.logStart > 0n ? rng.bigint(0n, m.logStart - 1n) : m.logStart
    case 'past': return m.logEnd + BigInt(rng.int(1, 3))
    case 'any': return rng.bigint(m.logStart, m.logEnd)
  }
}

/** The size of the first few batches a read from `offset` returns, or one byte less: the edges of maxBytes. */
function exactFit (rng: Rng, m: ReferenceLog, offset: bigint): number {
  const sizes = m.batches.filter(b => b.last >= offset).slice(0, rng.int(1, 3)).map(b => b.bytes.length)
  return Math.max(0, sizes.reduce((sum, n) => sum + n, 0) - (rng.chance(0.5) ? 1 : 0))
}

function genTimestamp (rng: Rng, m: ReferenceLog, g: GenState): bigint {
  const live = m.liveRecords()
  if (live.length > 0 && rng.chance(0.6)) return rng.pick(live).timestamp + BigInt(rng.int(-1, 1))
  // Around the clock, reaching back over the timestamps written so far.
  return clock(g) - BigInt(rng.int(-2000, Math.max(2000, Math.min(g.step * 1000, 200_000))))
}

function genTruncateOffset (rng: Rng, m: ReferenceLog): bigint {
  // Mostly near the end, as replication truncates, so that the log still grows over a sequence.
  const b = m.batches.length === 0 ? null : rng.chance(0.7) ? rng.pick(m.batches.slice(-4)) : rng.pick(m.batches)
  const choice = rng.weighted([['boundary', 50], ['inside', 30], ['below-start', 5], ['at-or-past-end', 15]] as const)
  switch (choice) {
    case 'boundary': return b?.base ?? m.logEnd
    case 'inside': return b === null ? m.logEnd : rng.bigint(b.base, b.last)
    case 'below-start': return m.logStart > 0n ? rng.bigint(0n, m.logStart - 1n) : 0n
    case 'at-or-past-end': return m.logEnd + BigInt(rng.int(0, 2))
  }
}

/**
 * The cleaner's clock for a compaction step: within the step's second, on
 * its edges too, and sometimes exactly at (or a millisecond off) a delete
 * horizon a batch carries, which decides whether its tombstones go. Never
 * earlier than the last step's.
 */
function genCleanerNow (rng: Rng, m: ReferenceLog, g: GenState): number {
  let now = Number(clock(g)) + rng.pick([0, 1, 500, 999])
  if (g.realCleaner && rng.chance(0.4)) {
    const horizons = m.batches.map(b => readBatchHeader(b.bytes)).filter(h => h.hasDeleteHorizonMs).map(h => Number(h.baseTimestamp))
      .filter(t => t >= g.cleanerNow && t <= now + 30_000)
    if (horizons.length > 0) now = rng.pick(horizons) + rng.pick([-1, 0, 0, 1])
  }
  g.cleanerNow = Math.max(g.cleanerNow, now)
  return g.cleanerNow
}

export function genOp (rng: Rng, m: ReferenceLog, g: GenState): Op {
  const kind = rng.weighted<OpKind>([
    ['append', 30], ['append-invalid', 2], ['burst', 4], ['read', 20], ['offset-for-timestamp', 7], ['max-timestamp', 3],
    ['truncate', 4], ['advance-start', 4], ['set-high-watermark', 4], ['roll', 6], ['flush', 3],
    ['restart', g.canRestart ? 4 : 0], ['compact', g.canCompact ? (g.realCleaner ? 10 : 3) : 0]
  ])
  switch (kind) {
    case 'append': {
      if (rng.chance(0.05)) g.leaderEpoch++
      const logAppendTime = rng.chance(0.15) ? clock(g) : undefined
      return {
        kind,
        batches: genBatches(rng, g),
        durable: rng.chance(0.3),
        ...(rng.chance(0.6) ? { leaderEpoch: g.leaderEpoch } : {}),
        ...(logAppendTime === undefined ? {} : { logAppendTime })
      }
    }
    case 'append-invalid': return genInvalid(rng, g)
    case 'burst':
      return { kind, appends: Array.from({ length: rng.int(2, 5) }, () => ({ batches: genBatches(rng, g), durable: rng.chance(0.5) })) }
    case 'read': {
      const op: Extract<Op, { kind: 'read' }> = {
        kind,
        offset: genReadOffset(rng, m),
        maxBytes: rng.weighted([[0, 5], [1, 10], [rng.int(1, 300), 25], [rng.int(300, 3000), 30], [ALL, 30]] as const)
      }
      if (rng.chance(0.15)) op.maxBytes = exactFit(rng, m, op.offset)
      if (rng.chance(0.3)) op.maxOffset = rng.chance(0.3) ? m.highWatermark : rng.bigint(m.logStart, m.logEnd)
      if (rng.chance(0.3)) op.minOneBatch = rng.chance(0.3)
      return op
    }
    case 'offset-for-timestamp': return { kind, timestamp: genTimestamp(rng, m, g) }
    case 'truncate': return { kind, offset: genTruncateOffset(rng, m) }
    case 'advance-start': {
      // Mostly within the older half, as retention and DeleteRecords do.
      const b = m.batches.length > 0 ? rng.pick(m.batches.slice(0, Math.ceil(m.batches.length / 2))) : null
      const offset = rng.weighted([
        [b?.base ?? m.logStart, 40],
        [b === null ? m.logEnd : rng.bigint(b.base, b.last), 30],
        [rng.bigint(m.logStart, m.logEnd), 15],
        [m.logEnd + BigInt(rng.int(1, 3)), 15]
      ] as const)
      return { kind, offset }
    }
    case 'set-high-watermark': return { kind, offset: rng.bigint(m.logStart, m.logEnd) }
    case 'compact': {
      const op: CompactOp = {
        kind,
        roll: rng.chance(0.5),
        now: genCleanerNow(rng, m, g),
        via: rng.weighted([['force', 2], ['ratio', 1], ['scheduler', 1]] as const)
      }
      if (rng.chance(0.5)) op.highWatermark = m.logEnd
      if (g.realCleaner && rng.chance(0.25)) op.racing = Array.from({ length: rng.int(1, 4) }, () => ({ batches: genBatches(rng, g), durable: rng.chance(0.3) }))
      return op
    }
    default: return { kind }
  }
}

function describeBatches (batches: TestBatch[]): string {
  return batches.map(b => `${b.records.length}rec/${codecName(b.compression ?? CompressionCodec.NONE)}/${encodeBatch(b).length}B`).join(' + ')
}

/** One line per op, enough to follow a failing sequence (the seed replays it exactly). */
export function describeOp (op: Op): string {
  switch (op.kind) {
    case 'append': {
      const epoch = op.leaderEpoch === undefined ? '' : ` epoch=${op.leaderEpoch}`
      const lat = op.logAppendTime === undefined ? '' : ` LogAppendTime=T0+${op.logAppendTime - T0}`
      return `append [${describeBatches(op.batches)}]${epoch}${lat}${op.durable ? ' durable' : ''}`
    }
    case 'append-invalid': return `append invalid (${op.why}, ${op.bytes.length}B) expecting ${op.code}`
    case 'burst': return `burst of ${op.appends.length} concurrent appends: ${op.appends.map(a => `[${describeBatches(a.batches)}]${a.durable ? ' durable' : ''}`).join(', ')} + a racing read`
    case 'read': {
      const extra = `${op.maxOffset === undefined ? '' : ` maxOffset=${op.maxOffset}`}${op.minOneBatch === undefined ? '' : ` minOneBatch=${op.minOneBatch}`}`
      return `read offset=${op.offset} maxBytes=${op.maxBytes === ALL ? 'ALL' : op.maxBytes}${extra}`
    }
    case 'offset-for-timestamp': return `offsetForTimestamp T0+${op.timestamp - T0}`
    case 'truncate': return `truncateTo ${op.offset}`
    case 'advance-start': return `advanceLogStartOffset ${op.offset}`
    case 'set-high-watermark': return `highWatermark = ${op.offset}`
    case 'compact': {
      const hw = op.highWatermark === undefined ? '' : `highWatermark = ${op.highWatermark}, `
      const racing = op.racing === undefined ? '' : `, racing appends ${op.racing.map(a => `[${describeBatches(a.batches)}]${a.durable ? ' durable' : ''}`).join(', ')}`
      return `compact (${hw}${op.roll ? 'roll, ' : ''}clean via ${op.via} at now=T0+${BigInt(op.now) - T0}${racing})`
    }
    default: return op.kind
  }
}
