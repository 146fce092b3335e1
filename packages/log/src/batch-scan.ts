import {
  ATTRIBUTES_OFFSET, BASE_OFFSET_OFFSET, BASE_SEQUENCE_OFFSET, COMPRESSION_CODEC_MASK, CURRENT_MAGIC, LAST_OFFSET_DELTA_OFFSET,
  LENGTH_OFFSET, LOG_OVERHEAD, MAGIC_OFFSET, MAX_TIMESTAMP_OFFSET, MIN_BATCH_LENGTH, PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET, PRODUCER_ID_OFFSET, RECORD_BATCH_OVERHEAD, RECORDS_COUNT_OFFSET, verifyBatchCrc
} from '@tributary/protocol'
import { readAt } from './io.js'

/** What a scan learns about each batch from its header. */
export interface ScannedBatch {
  position: number
  size: number
  baseOffset: bigint
  lastOffset: bigint
  maxTimestamp: bigint
  partitionLeaderEpoch: number
  attributes: number
  /** Producer fields of the header (-1n / -1 for a batch without a producer). */
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  /** The batch bytes, in CRC-checking scans and with `withBytes` (a view of a scratch buffer: copy to keep). */
  bytes?: Buffer
}

export type ScanStop = 'end' | 'torn' | 'corrupt' | 'stopped'

export interface ScanOutcome {
  /** Position after the last batch that passed (where a recovery truncates). */
  validEnd: number
  stop: ScanStop
  /** Why the scan stopped early, for the log. */
  reason?: string
  /** Last offset of the last valid batch, or null if none. */
  lastOffset: bigint | null
}

export interface ScanOptions {
  /** Check each batch's CRC-32C (recovery, index rebuild); header-only otherwise. */
  verifyCrc: boolean
  /** The segment's base offset: relative offsets must fit an int32. */
  segmentBase: bigint
  /** Batches must start at or above this (the previous batch's last offset + 1). */
  minBaseOffset: bigint
  /** Return the bytes of each batch to the visitor (implies reading them). */
  withBytes?: boolean
}

const INT32_MAX = 0x7fffffffn
const MAX_CODEC = 4
const CRC_CHUNK = 1 << 20
const HEADER_CHUNK = 16 << 10

let sharedChunk: Buffer | null = null

/**
 * Walks the batches of a segment file in [start, end), validating each as
 * Kafka's LogSegment.recover does: a whole header, magic 2, a sane length
 * that fits the file, a known codec, non-negative counts, offsets
 * increasing from batch to batch and within an int32 of the segment base,
 * and (verifyCrc) the CRC. Stops at the first batch that fails: 'torn' when
 * the file ends inside it, 'corrupt' otherwise. The visitor may return
 * false to stop early.
 *
 * Reads the file in chunks (1 MiB when checking CRCs, 16 KiB for headers
 * only); a batch larger than a chunk gets a buffer of its own. Synchronous:
 * recovery and index rebuilds run before the log serves anything.
 */
export function scanSegment (fd: number, start: number, end: number, opts: ScanOptions,
  visit: (b: ScannedBatch) => boolean | void): ScanOutcome {
  const wantBytes = opts.verifyCrc || opts.withBytes === true
  let chunk: Buffer
  if (wantBytes) {
    chunk = sharedChunk ?? Buffer.allocUnsafe(CRC_CHUNK)
    sharedChunk = null // not reentrant: a nested scan allocates its own
  } else {
    chunk = Buffer.allocUnsafe(HEADER_CHUNK)
  }
  let chunkPos = 0
  let chunkLen = 0
  let pos = start
  let minBase = opts.minBaseOffset
  let lastOffset: bigint | null = null
  const outcome = (stop: ScanStop, reason?: string): ScanOutcome => ({ validEnd: pos, stop, reason, lastOffset })

  /** Makes [p, p + n) readable from `chunk`, returns its index there, or -1 if the file ends first. */
  const load = (p: number, n: number): number => {
    if (p >= chunkPos && p + n <= chunkPos + chunkLen) return p - chunkPos
    if (n > chunk.length) chunk = Buffer.allocUnsafe(n)
    chunkPos = p
    chunkLen = readAt(fd, chunk, 0, Math.min(chunk.length, end - p), p)
    return chunkLen >= n ? 0 : -1
  }

  try {
    while (pos < end) {
      if (end - pos < RECORD_BATCH_OVERHEAD) return outcome('torn', `${end - pos} bytes at ${pos} are less than a batch header`)
      let at = load(pos, RECORD_BATCH_OVERHEAD)
      if (at < 0) return outcome('torn', `file ends inside the header at ${pos}`)
      const magic = chunk.readInt8(at + MAGIC_OFFSET)
      if (magic !== CURRENT_MAGIC) return outcome('corrupt', `magic ${magic} at ${pos}`)
      const batchLength = chunk.readInt32BE(at + LENGTH_OFFSET)
      if (batchLength < MIN_BATCH_LENGTH) return outcome('corrupt', `batch length ${batchLength} at ${pos}`)
      const size = batchLength + LOG_OVERHEAD
      if (size > end - pos) return outcome('torn', `batch at ${pos} needs ${size} bytes, ${end - pos} left`)
      const attributes = chunk.readInt16BE(at + ATTRIBUTES_OFFSET)
      if ((attributes & COMPRESSION_CODEC_MASK) > MAX_CODEC) return outcome('corrupt', `unknown codec at ${pos}`)
      if (chunk.readInt32BE(at + RECORDS_COUNT_OFFSET) < 0) return outcome('corrupt', `negative record count at ${pos}`)
      const delta = chunk.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET)
      if (delta < 0) return outcome('corrupt', `negative lastOffsetDelta at ${pos}`)
      const baseOffset = chunk.readBigInt64BE(at + BASE_OFFSET_OFFSET)
      const last = baseOffset + BigInt(delta)
      if (baseOffset < minBase) return outcome('corrupt', `base offset ${baseOffset} at ${pos} is below ${minBase}`)
      if (last - opts.segmentBase > INT32_MAX) return outcome('corrupt', `offset ${last} at ${pos} is too far from the segment base ${opts.segmentBase}`)
      const batch: ScannedBatch = {
        position: pos,
        size,
        baseOffset,
        lastOffset: last,
        maxTimestamp: chunk.readBigInt64BE(at + MAX_TIMESTAMP_OFFSET),
        partitionLeaderEpoch: chunk.readInt32BE(at + PARTITION_LEADER_EPOCH_OFFSET),
        attributes,
        producerId: chunk.readBigInt64BE(at + PRODUCER_ID_OFFSET),
        producerEpoch: chunk.readInt16BE(at + PRODUCER_EPOCH_OFFSET),
        baseSequence: chunk.readInt32BE(at + BASE_SEQUENCE_OFFSET)
      }
      if (wantBytes) {
        at = load(pos, size)
        if (at < 0) return outcome('torn', `file ends inside the batch at ${pos}`)
        if (opts.verifyCrc && !verifyBatchCrc(chunk, at)) return outcome('corrupt', `CRC mismatch at ${pos}`)
        batch.bytes = chunk.subarray(at, at + size)
      }
      if (visit(batch) === false) {
        pos += size
        lastOffset = last
        return outcome('stopped')
      }
      pos += size
      lastOffset = last
      minBase = last + 1n
    }
    return outcome('end')
  } finally {
    if (wantBytes && chunk.length === CRC_CHUNK) sharedChunk = chunk
  }
}
