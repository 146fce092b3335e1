import {
  BASE_OFFSET_OFFSET, CURRENT_MAGIC, LAST_OFFSET_DELTA_OFFSET, LENGTH_OFFSET, LOG_OVERHEAD, MAGIC_OFFSET, MIN_BATCH_LENGTH
} from '@tributary/protocol'
import { LogError } from './errors.js'
import { floorSegment } from './recovery.js'
import type { LogSegment } from './segment.js'

const EMPTY = Buffer.alloc(0)
const WALK_HEADER = LAST_OFFSET_DELTA_OFFSET + 4
/** Results this much larger than what they hold are copied to a right-sized buffer. */
const SHRINK_SLACK = 64 * 1024

export interface ReadSlice {
  records: Buffer
  nextOffset: bigint
}

/**
 * A fetch from the segment files (Kafka's LocalLog.read, without the
 * one-segment limit): the batch that holds `offset` (or the first after it,
 * across gaps) and the whole batches after it while they end below
 * `maxOffset` and fit `maxBytes`; the first batch even when larger than
 * maxBytes if `minOneBatch`.
 *
 * One offset-index lookup and a short header walk find the first batch;
 * then one pread per segment touched fills a buffer sized to what can be
 * returned (the offset index also bounds the bytes below maxOffset), and a
 * walk over the headers in memory cuts it after the last whole batch.
 * Batches are never decoded. Synchronous: a page-cache read is cheaper
 * than a trip through the thread pool.
 */
export function readBatches (segs: readonly LogSegment[], offset: bigint, maxBytes: number, maxOffset: bigint, minOneBatch: boolean): ReadSlice {
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
    let available = Math.max(first.size, Math.min(seg.size, seg.upperBoundPosition(maxOffset)) - first.position)
    for (let j = i + 1; j < segs.length && available < maxBytes; j++) {
      const s = segs[j]!
      if (s.baseOffset >= maxOffset) break
      available += Math.min(s.size, s.upperBoundPosition(maxOffset))
    }
    const want = Math.min(maxBytes, available)
    const out = Buffer.allocUnsafe(want)
    let filled = seg.readInto(out, 0, first.position, Math.min(want, seg.size - first.position))
    for (let j = i + 1; filled < want && j < segs.length; j++) {
      const s = segs[j]!
      filled += s.readInto(out, filled, 0, Math.min(want - filled, s.size))
    }
    let pos = 0
    let nextOffset = offset
    while (filled - pos >= WALK_HEADER) {
      if (out.readInt8(pos + MAGIC_OFFSET) !== CURRENT_MAGIC) break
      const length = out.readInt32BE(pos + LENGTH_OFFSET)
      if (length < MIN_BATCH_LENGTH || pos + length + LOG_OVERHEAD > filled) break
      const last = out.readBigInt64BE(pos + BASE_OFFSET_OFFSET) + BigInt(out.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET))
      if (last >= maxOffset) break
      pos += length + LOG_OVERHEAD
      nextOffset = last + 1n
    }
    if (pos === 0) {
      throw new LogError('TRIB_LOG_CORRUPT_BATCH', `segment ${seg.logPath} has no readable batch at ${first.position}`)
    }
    if (pos === want) return { records: out, nextOffset }
    if (want - pos > SHRINK_SLACK && pos < want / 2) return { records: Buffer.from(out.subarray(0, pos)), nextOffset }
    return { records: out.subarray(0, pos), nextOffset }
  }
  return { records: EMPTY, nextOffset: offset }
}
