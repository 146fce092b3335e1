import { createHash } from 'node:crypto'
import { decodeRecordBatchSync, lastOffset, readBatchHeader } from '@tributary/protocol'
import { TxnCleaningState, controlRecordType, type AbortedTxnRange } from './txn-state.js'
import type { CleanerStats } from './stats.js'

/**
 * The key -> latest offset map of the dirty section of a log (the first
 * phase of a cleaning, Kafka's Cleaner.buildOffsetMap).
 *
 * Kafka keeps a fixed buffer of 16-byte MD5 digests (SkimpyOffsetMap, sized
 * by log.cleaner.dedupe.buffer.size). Here short keys are stored verbatim
 * (exact, and cheaper than hashing) and long keys by their SHA-1 digest, in
 * a JS Map bounded by an estimate of its memory. Offsets are stored as
 * numbers relative to the map's base offset (the first dirty offset), so no
 * bigint is kept per entry.
 */

/** Keys up to this many bytes are stored verbatim, longer ones by digest. */
export const VERBATIM_KEY_BYTES = 40
/** Rough cost of one Map entry besides its key string (V8 hash table slot, number, string header). */
const ENTRY_OVERHEAD_BYTES = 80
/** Default memory bound of one offset map (Kafka's dedupe buffer is 128 MiB shared by the cleaner threads). */
export const DEFAULT_OFFSET_MAP_BYTES = 64 * 1024 * 1024
const DIGEST_BYTES = 20

/** Verbatim keys are latin1 strings (code units <= 0xff); digests get a prefix outside latin1, so the two never collide. */
function mapKey (key: Uint8Array): string {
  if (key.length <= VERBATIM_KEY_BYTES) return Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1')
  return '\u0100' + createHash('sha1').update(key).digest().toString('latin1')
}

export interface OffsetMapOptions {
  /** Offsets below this are never stored (the first dirty offset). */
  baseOffset: bigint
  /** Soft memory bound; `full` turns true once the estimate reaches it. */
  maxBytes?: number
}

export class OffsetMap {
  readonly baseOffset: bigint
  readonly maxBytes: number
  /**
   * The last offset the map covers (Kafka's OffsetMap.latestOffset): every
   * record at or below it was seen while building the map, so a record above
   * it is always retained by the cleaner. -1 while empty.
   */
  latestOffset = -1n
  private readonly entries = new Map<string, number>()
  private bytes = 0

  constructor (opts: OffsetMapOptions) {
    this.baseOffset = opts.baseOffset
    this.maxBytes = opts.maxBytes ?? DEFAULT_OFFSET_MAP_BYTES
    if (!(this.maxBytes > 0)) throw new RangeError(`offset map bound must be positive, got ${this.maxBytes}`)
  }

  get size (): number { return this.entries.size }
  /** Estimated bytes held. */
  get estimatedBytes (): number { return this.bytes }
  get full (): boolean { return this.bytes >= this.maxBytes }
  /** Share of the bound in use (Kafka's cleaner reports it as buffer utilization). */
  utilization (): number { return this.bytes / this.maxBytes }

  /** Records `offset` as the latest for `key` (offsets must not go backwards for a key). */
  put (key: Uint8Array, offset: bigint): void {
    const delta = offset - this.baseOffset
    if (delta < 0n) throw new RangeError(`offset ${offset} is below the map's base offset ${this.baseOffset}`)
    const k = mapKey(key)
    if (!this.entries.has(k)) this.bytes += ENTRY_OVERHEAD_BYTES + (key.length <= VERBATIM_KEY_BYTES ? key.length : DIGEST_BYTES + 1)
    this.entries.set(k, Number(delta))
  }

  /** The latest offset stored for `key`, or -1n (Kafka's "not found"). */
  get (key: Uint8Array): bigint {
    const d = this.entries.get(mapKey(key))
    return d === undefined ? -1n : this.baseOffset + BigInt(d)
  }

  updateLatestOffset (offset: bigint): void {
    if (offset > this.latestOffset) this.latestOffset = offset
  }
}

/**
 * Adds one dirty batch to the map (Kafka's buildOffsetMapForSegment, per
 * batch). Control batches only advance the transaction state; batches of
 * aborted transactions add no keys, so an aborted write never hides the
 * committed value it would have replaced. Records below `startOffset` and
 * records without a key are skipped.
 *
 * Unlike Kafka, which stops in the middle of a batch when its buffer fills,
 * the whole batch is added and `true` is returned once the map is full; the
 * bound is therefore exceeded by at most one batch, and a cleaning always
 * makes progress.
 */
export function addBatchToOffsetMap (batch: Buffer, map: OffsetMap, txns: TxnCleaningState, startOffset: bigint, stats?: CleanerStats): boolean {
  const header = readBatchHeader(batch)
  const last = lastOffset(header)
  if (last < startOffset) return map.full
  if (stats !== undefined) stats.mapBytesRead += batch.length
  if (header.isControl) {
    const decoded = decodeRecordBatchSync(batch)
    txns.onControlBatch(header, controlRecordType(decoded.records[0]))
    if (stats !== undefined) stats.mapRecordsRead += decoded.records.length
  } else if (txns.onDataBatch(header)) {
    if (stats !== undefined) stats.mapRecordsRead += header.recordsCount
  } else {
    const { records } = decodeRecordBatchSync(batch)
    for (const r of records) {
      if (r.key !== null && r.offset >= startOffset) map.put(r.key, r.offset)
    }
    if (stats !== undefined) stats.mapRecordsRead += records.length
  }
  map.updateLatestOffset(last)
  return map.full
}

export interface BuildOffsetMapOptions {
  /** First dirty offset: records below it are not mapped. */
  startOffset: bigint
  maxBytes?: number
  /** Aborted transactions overlapping the dirty range. */
  abortedTxns?: Iterable<AbortedTxnRange>
  stats?: CleanerStats
}

/** Maps a sequence of dirty batches in one go (for tests and small logs), stopping once the map is full. */
export function buildOffsetMap (batches: Iterable<Buffer>, opts: BuildOffsetMapOptions): OffsetMap {
  const map = new OffsetMap({ baseOffset: opts.startOffset, maxBytes: opts.maxBytes })
  const txns = new TxnCleaningState(opts.abortedTxns ?? [])
  for (const b of batches) {
    if (addBatchToOffsetMap(b, map, txns, opts.startOffset, opts.stats)) break
  }
  return map
}
