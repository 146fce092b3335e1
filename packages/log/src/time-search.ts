import { decodeRecordBatch, type DecodedRecordBatch } from '@tributary/protocol'
import { LogError } from './errors.js'
import { floorSegment } from './recovery.js'
import type { LogSegment } from './segment.js'
import type { ScannedBatch } from './batch-scan.js'
import type { TimestampOffset } from './types.js'

/*
 * ListOffsets by time (Kafka's UnifiedLog.fetchOffsetByTimestamp): the
 * answer is a record, not a batch. The segment and batch are found from
 * metadata (largest timestamp per segment, the time index, batch headers'
 * maxTimestamp); only the one batch that holds the answer is decoded
 * (decompressed if it must be) to find the exact record, as Kafka's
 * LogSegment.findOffsetByTimestamp iterates the records of that batch.
 * Records below the log start do not count.
 *
 * The searches read the files synchronously and decode asynchronously; if
 * a segment they use is deleted meanwhile they start over (bounded), and
 * their answer is as of the moment they read.
 */

const RETRY = Symbol('retry')
const ATTEMPTS = 5

async function decode (seg: LogSegment, bytes: Buffer, position: number): Promise<DecodedRecordBatch> {
  try {
    return await decodeRecordBatch(bytes)
  } catch (err) {
    throw new LogError('TRIB_LOG_CORRUPT_BATCH', `batch at ${position} of ${seg.logPath} cannot be decoded: ${(err as Error).message}`, { cause: err })
  }
}

function readBatch (seg: LogSegment, position: number, size: number): Buffer {
  const out = Buffer.allocUnsafe(size)
  if (seg.readInto(out, 0, position, size) < size) throw new LogError('TRIB_LOG_CORRUPT_BATCH', `segment ${seg.logPath} ends inside the batch at ${position}`)
  return out
}

async function retrying<T> (attempt: () => Promise<T | typeof RETRY>): Promise<T> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const result = await attempt()
    if (result !== RETRY) return result
  }
  throw new LogError('TRIB_LOG_STORAGE', 'the log kept changing under a time query')
}

/** The first record at or above the log start whose timestamp is >= target, or null. */
export async function findOffsetForTimestamp (segments: () => readonly LogSegment[], logStart: () => bigint, target: bigint): Promise<TimestampOffset | null> {
  return await retrying(async () => {
    const segs = segments().slice()
    const start = logStart()
    for (let i = Math.max(0, floorSegment(segs, start)); i < segs.length; i++) {
      const seg = segs[i]!
      if (seg.isDeleted) return RETRY
      if (seg.maxTimestampSoFar < target) continue
      let pos = Math.max(seg.positionForTimestamp(target), seg.positionOfFloorEntry(start))
      for (;;) {
        let candidate: ScannedBatch | null = null
        seg.scanHeaders(pos, seg.baseOffset, b => {
          if (b.lastOffset < start || b.maxTimestamp < target) return true
          candidate = { ...b, bytes: Buffer.from(b.bytes!) }
          return false
        }, true)
        if (candidate === null) break
        const found: ScannedBatch = candidate
        const decoded = await decode(seg, found.bytes!, found.position)
        for (const r of decoded.records) {
          if (r.offset >= start && r.timestamp >= target) return { offset: r.offset, timestamp: r.timestamp }
        }
        if (seg.isDeleted) return RETRY
        pos = found.position + found.size
      }
    }
    return null
  })
}

interface Candidate {
  timestamp: bigint
  /** Known exactly (a batch straddling the log start was decoded)... */
  exact?: TimestampOffset
  /** ...or the batch to decode: its segment and last offset. */
  seg?: LogSegment
  lastOffset?: bigint
}

/** The first record (at or above the log start) with the largest timestamp (KIP-734), or null. */
export async function findMaxTimestamp (segments: () => readonly LogSegment[], logStart: () => bigint): Promise<TimestampOffset | null> {
  return await retrying(async () => {
    const segs = segments().slice()
    const start = logStart()
    const from = Math.max(0, floorSegment(segs, start))
    let best: Candidate | null = null
    const consider = (c: Candidate): void => {
      if (best === null || c.timestamp > best.timestamp) best = c
    }
    for (let i = from; i < segs.length; i++) {
      const seg = segs[i]!
      if (seg.isDeleted) return RETRY
      if (i === from && start > seg.baseOffset) {
        // The segment's recorded maximum may sit below the log start: look at what is above it.
        const first = seg.locate(start)
        if (first === null) continue
        let pos = first.position
        if (first.baseOffset < start) {
          const decoded = await decode(seg, readBatch(seg, first.position, first.size), first.position)
          if (seg.isDeleted) return RETRY
          let exact: TimestampOffset | null = null
          for (const r of decoded.records) {
            if (r.offset >= start && (exact === null || r.timestamp > exact.timestamp)) exact = { offset: r.offset, timestamp: r.timestamp }
          }
          if (exact !== null) consider({ timestamp: exact.timestamp, exact })
          pos += first.size
        }
        seg.scanHeaders(pos, seg.baseOffset, b => {
          if (b.maxTimestamp >= 0n) consider({ timestamp: b.maxTimestamp, seg, lastOffset: b.lastOffset })
        })
        continue
      }
      if (seg.offsetOfMaxTimestampSoFar < 0n) continue
      consider({ timestamp: seg.maxTimestampSoFar, seg, lastOffset: seg.offsetOfMaxTimestampSoFar })
    }
    const chosen = best as Candidate | null
    if (chosen === null) return null
    if (chosen.exact !== undefined) return chosen.exact
    const seg = chosen.seg!
    const located = seg.locate(chosen.lastOffset!)
    if (located === null) return RETRY
    const decoded = await decode(seg, readBatch(seg, located.position, located.size), located.position)
    for (const r of decoded.records) {
      if (r.offset >= start && r.timestamp === chosen.timestamp) return { offset: r.offset, timestamp: r.timestamp }
    }
    // No record has the timestamp the metadata promised: compaction removed it, and the batch that held it
    // stays as an empty header keeping its max timestamp (as Kafka's writeEmptyHeader), so the segment's
    // maximum is stale. The exact answer then takes a look at every batch.
    return await scanMaxTimestamp(segs, from, start)
  })
}

/** The first record (at or above the log start) with the largest timestamp, by decoding every batch that may hold it. */
async function scanMaxTimestamp (segs: readonly LogSegment[], from: number, start: bigint): Promise<TimestampOffset | null | typeof RETRY> {
  let best: TimestampOffset | null = null
  for (let i = from; i < segs.length; i++) {
    const seg = segs[i]!
    if (seg.isDeleted) return RETRY
    const batches: ScannedBatch[] = []
    seg.scanHeaders(seg.positionOfFloorEntry(start), seg.baseOffset, b => {
      if (b.lastOffset >= start && b.maxTimestamp >= 0n) batches.push({ ...b })
    })
    for (const b of batches) {
      // Ties go to the first record: a batch whose maximum is not above the best so far cannot change it.
      if (best !== null && b.maxTimestamp <= best.timestamp) continue
      const decoded = await decode(seg, readBatch(seg, b.position, b.size), b.position)
      if (seg.isDeleted) return RETRY
      for (const r of decoded.records) {
        if (r.offset >= start && (best === null || r.timestamp > best.timestamp)) best = { offset: r.offset, timestamp: r.timestamp }
      }
    }
  }
  return best
}
