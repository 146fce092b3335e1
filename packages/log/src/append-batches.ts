import {
  ATTRIBUTES_OFFSET, COMPRESSION_CODEC_MASK, CURRENT_MAGIC, LAST_OFFSET_DELTA_OFFSET, LENGTH_OFFSET, LOG_OVERHEAD,
  MAGIC_OFFSET, MAX_TIMESTAMP_OFFSET, MIN_BATCH_LENGTH, PARTITION_LEADER_EPOCH_OFFSET, RECORD_BATCH_OVERHEAD,
  RECORDS_COUNT_OFFSET, verifyBatchCrc, readInt64BE
} from '@tributary/protocol'
import { LogError } from './errors.js'

/** One batch of an append, as found in the caller's buffer. */
export interface AppendSpan {
  /** Byte offset in the appended buffer. */
  at: number
  size: number
  lastOffsetDelta: number
  maxTimestamp: bigint
  partitionLeaderEpoch: number
}

/** Largest codec id Kafka defines (zstd). */
const MAX_CODEC = 4

function invalid (message: string): LogError {
  return new LogError('TRIB_LOG_INVALID_BATCH', message)
}

function corrupt (message: string): LogError {
  return new LogError('TRIB_LOG_CORRUPT_BATCH', message)
}

/**
 * Validates the batches of an append before anything is written, so that a
 * bad batch anywhere leaves the log untouched (DESIGN.md §1, principle 2:
 * header fields and the CRC only, never the records). Bytes that are not a
 * whole number of batches are INVALID (the framing is wrong); a whole batch
 * with a wrong magic, length, CRC or header is CORRUPT, as Kafka answers
 * CORRUPT_MESSAGE. DiskLog and MemoryLog both check appends with it, so
 * both pass one contract. `verifyCrc` false: the caller vouches for the
 * CRCs (AppendOptions.crcVerified).
 */
export function scanAppend (buf: Buffer, verifyCrc = true): AppendSpan[] {
  if (buf.length === 0) throw invalid('no record batch to append')
  const spans: AppendSpan[] = []
  let at = 0
  while (at < buf.length) {
    const left = buf.length - at
    if (left < RECORD_BATCH_OVERHEAD) throw invalid(`${left} bytes at position ${at} are not a whole record batch`)
    const magic = buf.readInt8(at + MAGIC_OFFSET)
    if (magic !== CURRENT_MAGIC) throw corrupt(`record batch at position ${at} has magic ${magic}, only ${CURRENT_MAGIC} is stored`)
    const batchLength = buf.readInt32BE(at + LENGTH_OFFSET)
    if (batchLength < MIN_BATCH_LENGTH) throw corrupt(`record batch at position ${at} declares length ${batchLength}`)
    const size = LOG_OVERHEAD + batchLength
    if (size > left) throw invalid(`record batch at position ${at} needs ${size} bytes, ${left} present`)
    if (verifyCrc && !verifyBatchCrc(buf, at)) throw corrupt(`record batch at position ${at} fails its CRC`)
    const codec = buf.readInt16BE(at + ATTRIBUTES_OFFSET) & COMPRESSION_CODEC_MASK
    if (codec > MAX_CODEC) throw corrupt(`record batch at position ${at} uses unknown compression codec ${codec}`)
    if (buf.readInt32BE(at + RECORDS_COUNT_OFFSET) < 0) throw corrupt(`record batch at position ${at} has a negative record count`)
    const lastOffsetDelta = buf.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET)
    if (lastOffsetDelta < 0) throw corrupt(`record batch at position ${at} has lastOffsetDelta ${lastOffsetDelta}`)
    spans.push({
      at,
      size,
      lastOffsetDelta,
      maxTimestamp: readInt64BE(buf, at + MAX_TIMESTAMP_OFFSET),
      partitionLeaderEpoch: buf.readInt32BE(at + PARTITION_LEADER_EPOCH_OFFSET)
    })
    at += size
  }
  return spans
}
