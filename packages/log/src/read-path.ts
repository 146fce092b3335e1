import {
  BASE_OFFSET_OFFSET, CURRENT_MAGIC, LAST_OFFSET_DELTA_OFFSET, LENGTH_OFFSET, LOG_OVERHEAD, MAGIC_OFFSET, MIN_BATCH_LENGTH,
  RECORD_BATCH_OVERHEAD, readInt64BE
} from '@tributary/protocol'
import { LogError } from './errors.js'
import { floorSegment } from './recovery.js'
import type { LogSegment } from './segment.js'

const EMPTY = Buffer.alloc(0)
const WALK_HEADER = LAST_OFFSET_DELTA_OFFSET + 4
/** Results this much larger than what they hold are copied to a right-sized buffer. */
const SHRINK_SLACK = 64 * 1024
/**
 * Widest index gap read through in memory rather than walked with small
 * reads: the default index.interval.bytes (4 KiB) plus a batch of a few
 * tens of KiB; larger batches get the walk (one small read per batch
 * skipped, cheap next to reading them).
 */
const MAX_LEAD = 64 * 1024

export interface ReadSlice {
  records: Buffer
  nextOffset: bigint
  /** The exact start was found with a header walk first (not the one-pread path); for stats and tests. */
  located?: boolean
}

/**
 * A fetch from the segment files (Kafka's LocalLog.read, without the
 * one-segment limit): the batch that holds `offset` (or the first after it,
 * across gaps) and the whole batches after it while they end below
 * `maxOffset` and fit `maxBytes`; the first batch even when larger than
 * maxBytes if `minOneBatch`.
 *
 * Usually one pread: the offset index bounds where the first batch starts
 * (between the floor entry's position and the next entry's, at most about
 * index.interval.bytes plus one batch apart). A read that continues right
 * after an indexed batch starts at the next entry's batch when it follows
 * directly; otherwise the read starts at the floor entry's batch and the
 * batches before the wanted one are skipped in memory, with the header the
 * index named checked on the way. Either way the result is
 * a view of the read buffer from there, cut after the last whole batch
 * that fits: the index gives the last indexed batch inside the limit (its
 * header is checked), and only the headers after it are walked. When the index leaves a wide gap
 * (large batches), or anything does not look as the index said, the exact
 * start is found first by a header walk (segment.locate, which also
 * rebuilds an index that does not match its batches). The offset index also
 * bounds the bytes below maxOffset. Batches are never decoded.
 * Synchronous: a page-cache read is cheaper than a trip through the thread
 * pool.
 */
export function readBatches (segs: readonly LogSegment[], offset: bigint, maxBytes: number, maxOffset: bigint, minOneBatch: boolean): ReadSlice {
  return readFromIndex(segs, offset, maxBytes, maxOffset, minOneBatch) ?? { ...readLocated(segs, offset, maxBytes, maxOffset, minOneBatch), located: true }
}

/** Bytes readable from `position` of segs[i] on, below maxOffset, up to `limit` (following segments included). */
function availableFrom (segs: readonly LogSegment[], i: number, position: number, maxOffset: bigint, limit: number): number {
  const seg = segs[i]!
  let available = Math.min(seg.size, seg.upperBoundPosition(maxOffset)) - position
  for (let j = i + 1; j < segs.length && available < limit; j++) {
    const s = segs[j]!
    if (s.baseOffset >= maxOffset) break
    available += Math.min(s.size, s.upperBoundPosition(maxOffset))
  }
  return available
}

/** One pread of `want` bytes from `position` of segs[i], continuing into the following segments. */
function fill (segs: readonly LogSegment[], i: number, position: number, want: number): { out: Buffer, filled: number } {
  const seg = segs[i]!
  const out = Buffer.allocUnsafe(want)
  let filled = seg.readInto(out, 0, position, Math.min(want, seg.size - position))
  for (let j = i + 1; filled < want && j < segs.length; j++) {
    const s = segs[j]!
    filled += s.readInto(out, filled, 0, Math.min(want - filled, s.size))
  }
  return { out, filled }
}

/**
 * Walks the whole batches of out[pos, filled) that end below maxOffset and
 * fit maxBytes counted from `pos` (the first one always): the cut position
 * and the offset after the last batch kept.
 */
function cut (out: Buffer, pos: number, filled: number, maxBytes: number, maxOffset: bigint, nextOffset: bigint): { end: number, nextOffset: bigint } {
  const limit = Math.min(filled, pos + maxBytes)
  let at = pos
  while (limit - at >= WALK_HEADER) {
    if (out.readInt8(at + MAGIC_OFFSET) !== CURRENT_MAGIC) break
    const length = out.readInt32BE(at + LENGTH_OFFSET)
    if (length < MIN_BATCH_LENGTH || at + length + LOG_OVERHEAD > limit) break
    const last = readInt64BE(out, at + BASE_OFFSET_OFFSET) + BigInt(out.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET))
    if (last >= maxOffset) break
    at += length + LOG_OVERHEAD
    nextOffset = last + 1n
  }
  return { end: at, nextOffset }
}

/** A view of out[start, end), or a right-sized copy when it holds much less than the buffer. */
function result (out: Buffer, start: number, end: number, nextOffset: bigint): ReadSlice {
  if (start === 0 && end === out.length) return { records: out, nextOffset }
  const n = end - start
  if (out.length - n > SHRINK_SLACK && n < out.length / 2) return { records: Buffer.from(out.subarray(start, end)), nextOffset }
  return { records: out.subarray(start, end), nextOffset }
}

/**
 * The one-pread path: returns null when it cannot answer (a wide index gap,
 * a header that does not match the index, a first batch not wholly in the
 * buffer, the wanted batch not in the floor segment), and readLocated then
 * does.
 */
function readFromIndex (segs: readonly LogSegment[], offset: bigint, maxBytes: number, maxOffset: bigint, minOneBatch: boolean): ReadSlice | null {
  const i = floorSegment(segs, offset)
  if (i < 0) return null
  const seg = segs[i]!
  if (seg.baseOffset >= maxOffset) return { records: EMPTY, nextOffset: offset }
  const { from, expected, to, toLast } = seg.indexBounds(offset)
  // A consumer reading on from where its last read stopped asks for the
  // offset just after a batch; with batches of index.interval.bytes or more
  // every batch is indexed, and the floor entry is that previous batch.
  // When the next entry's batch follows it directly (its base offset is the
  // floor batch's last + 1, so nothing can sit between them), the read
  // starts there: neither the previous batch is read again nor the buffer
  // made larger than maxBytes.
  if (expected !== null && expected < offset && toLast !== null && toLast >= offset) {
    const direct = readFromEntry(segs, i, to, 0, toLast, expected + 1n, offset, maxBytes, maxOffset, minOneBatch)
    if (direct !== null) return direct
  }
  // The wanted batch starts at `from` when the floor entry's batch ends at
  // `offset`, or when `offset` is the segment's first (the first batch).
  const lead = expected === offset || offset <= seg.baseOffset ? 0 : to - from
  return readFromEntry(segs, i, from, lead, expected, null, offset, maxBytes, maxOffset, minOneBatch)
}

/**
 * One pread from `from` (an index entry's position, or 0) of `lead` bytes
 * that may precede the wanted batch plus maxBytes; the first batch there
 * must end at `firstLast` and start at `firstBase` when they are given
 * (what the index says), else null.
 */
function readFromEntry (
  segs: readonly LogSegment[], i: number, from: number, lead: number, firstLast: bigint | null, firstBase: bigint | null,
  offset: bigint, maxBytes: number, maxOffset: bigint, minOneBatch: boolean
): ReadSlice | null {
  const seg = segs[i]!
  if (lead > MAX_LEAD || lead > maxBytes || from >= seg.size) return null
  const want = Math.min(lead + maxBytes, availableFrom(segs, i, from, maxOffset, lead + maxBytes))
  if (want < RECORD_BATCH_OVERHEAD) return null
  const { out, filled } = fill(segs, i, from, want)
  const segEnd = seg.size - from
  let pos = 0
  let check = firstLast
  if (firstBase !== null && (filled < WALK_HEADER || readInt64BE(out, BASE_OFFSET_OFFSET) !== firstBase)) return null
  for (;;) {
    if (pos >= segEnd || filled - pos < WALK_HEADER) return null
    if (out.readInt8(pos + MAGIC_OFFSET) !== CURRENT_MAGIC) return null
    const length = out.readInt32BE(pos + LENGTH_OFFSET)
    if (length < MIN_BATCH_LENGTH || length + LOG_OVERHEAD > segEnd - pos) return null
    const last = readInt64BE(out, pos + BASE_OFFSET_OFFSET) + BigInt(out.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET))
    if (check !== null) {
      // The index named this batch: a different one means the index is wrong, and locate() rebuilds it.
      if (last !== check) return null
      check = null
    }
    if (last >= offset) {
      if (last >= maxOffset) return { records: EMPTY, nextOffset: offset }
      const size = length + LOG_OVERHEAD
      if (size > maxBytes) {
        if (!minOneBatch) return { records: EMPTY, nextOffset: offset }
        if (pos + size > filled) return null
        return result(out, pos, pos + size, last + 1n)
      }
      break
    }
    pos += length + LOG_OVERHEAD
  }
  // The cut: jump with the index to the last indexed batch that fits, then walk the few headers after it.
  const limit = Math.min(filled, pos + maxBytes, segEnd)
  let at = pos
  let nextOffset = offset
  for (const [position, last] of seg.entriesBefore(from + limit - RECORD_BATCH_OVERHEAD, maxOffset, 2)) {
    const p = position - from
    if (p <= pos) break
    const size = batchSizeAt(out, p, filled)
    // A header that does not match its entry: no jump, the walk checks every batch.
    if (size < 0 || readInt64BE(out, p + BASE_OFFSET_OFFSET) + BigInt(out.readInt32BE(p + LAST_OFFSET_DELTA_OFFSET)) !== last) break
    if (p + size > limit) continue
    at = p + size
    nextOffset = last + 1n
    break
  }
  const c = cut(out, at, filled, maxBytes - (at - pos), maxOffset, nextOffset)
  if (c.end === pos) return null
  return result(out, pos, c.end, c.nextOffset)
}

/** Size of the batch whose header is at out[p], or -1 if that is not a whole v2 batch header. */
function batchSizeAt (out: Buffer, p: number, filled: number): number {
  if (filled - p < WALK_HEADER || out.readInt8(p + MAGIC_OFFSET) !== CURRENT_MAGIC) return -1
  const length = out.readInt32BE(p + LENGTH_OFFSET)
  return length < MIN_BATCH_LENGTH ? -1 : length + LOG_OVERHEAD
}

/** The walk-first path: locate() finds the exact start, then one pread per segment touched. */
function readLocated (segs: readonly LogSegment[], offset: bigint, maxBytes: number, maxOffset: bigint, minOneBatch: boolean): ReadSlice {
  for (let i = Math.max(0, floorSegment(segs, offset)); i < segs.length; i++) {
    const seg = segs[i]!
    if (seg.baseOffset >= maxOffset) break
    const first = seg.locate(offset)
    if (first === null) continue
    if (first.lastOffset >= maxOffset) break
    if (first.size > maxBytes) {
      if (!minOneBatch) break
      const out = Buffer.allocUnsafe(first.size)
      if (seg.readInto(out, 0, first.position, first.size) < first.size) {
        throw new LogError('TRIB_LOG_CORRUPT_BATCH', `segment ${seg.logPath} ends inside the batch at ${first.position}`)
      }
      return { records: out, nextOffset: first.lastOffset + 1n }
    }
    const want = Math.min(maxBytes, Math.max(first.size, availableFrom(segs, i, first.position, maxOffset, maxBytes)))
    const { out, filled } = fill(segs, i, first.position, want)
    const c = cut(out, 0, filled, maxBytes, maxOffset, offset)
    if (c.end === 0) {
      throw new LogError('TRIB_LOG_CORRUPT_BATCH', `segment ${seg.logPath} has no readable batch at ${first.position}`)
    }
    return result(out, 0, c.end, c.nextOffset)
  }
  return { records: EMPTY, nextOffset: offset }
}
