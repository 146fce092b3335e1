import { ProtocolDecodeError } from '../primitives/errors.js'
import { type CompressionCodec, isCompressionCodec } from './compression/codec.js'
import { crc32c } from './crc32c.js'
import { readInt64BE, writeInt64BE } from '../primitives/int64.js'

/*
 * Record batch v2 header (KIP-98), 61 bytes, all integers big-endian:
 *
 *   0  baseOffset            int64   -- not covered by the CRC
 *   8  batchLength           int32   -- bytes after this field
 *   12 partitionLeaderEpoch  int32   -- not covered by the CRC
 *   16 magic                 int8    (2)
 *   17 crc                   uint32  CRC-32C of bytes 21..end
 *   21 attributes            int16
 *   23 lastOffsetDelta       int32
 *   27 baseTimestamp         int64
 *   35 maxTimestamp          int64
 *   43 producerId            int64
 *   51 producerEpoch         int16
 *   53 baseSequence          int32
 *   57 recordsCount          int32
 *   61 records...
 *
 * baseOffset and partitionLeaderEpoch sit before the CRC'd range on purpose:
 * the leader assigns both on append without recomputing the checksum.
 */
export const BASE_OFFSET_OFFSET = 0
export const LENGTH_OFFSET = 8
export const PARTITION_LEADER_EPOCH_OFFSET = 12
export const MAGIC_OFFSET = 16
export const CRC_OFFSET = 17
export const ATTRIBUTES_OFFSET = 21
export const LAST_OFFSET_DELTA_OFFSET = 23
export const BASE_TIMESTAMP_OFFSET = 27
export const MAX_TIMESTAMP_OFFSET = 35
export const PRODUCER_ID_OFFSET = 43
export const PRODUCER_EPOCH_OFFSET = 51
export const BASE_SEQUENCE_OFFSET = 53
export const RECORDS_COUNT_OFFSET = 57
export const RECORDS_OFFSET = 61
export const RECORD_BATCH_OVERHEAD = 61
/** baseOffset + batchLength: the bytes not counted in batchLength (Kafka's LOG_OVERHEAD). */
export const LOG_OVERHEAD = 12
/** Smallest legal batchLength: a header with no records. */
export const MIN_BATCH_LENGTH = RECORD_BATCH_OVERHEAD - LOG_OVERHEAD
export const CURRENT_MAGIC = 2

/** Attribute bits (Kafka's DefaultRecordBatch). */
export const COMPRESSION_CODEC_MASK = 0x07
export const TIMESTAMP_TYPE_MASK = 0x08
export const TRANSACTIONAL_FLAG_MASK = 0x10
export const CONTROL_FLAG_MASK = 0x20
/** KIP-534: baseTimestamp holds the delete horizon of a compacted batch. */
export const DELETE_HORIZON_FLAG_MASK = 0x40

export const TimestampType = {
  CREATE_TIME: 0,
  LOG_APPEND_TIME: 1
} as const
export type TimestampType = typeof TimestampType[keyof typeof TimestampType]

/** Defaults of a non-idempotent producer (Kafka's RecordBatch.NO_*). */
export const NO_PRODUCER_ID = -1n
export const NO_PRODUCER_EPOCH = -1
export const NO_SEQUENCE = -1
export const NO_PARTITION_LEADER_EPOCH = -1
export const NO_TIMESTAMP = -1n

export interface RecordBatchHeader {
  baseOffset: bigint
  batchLength: number
  partitionLeaderEpoch: number
  magic: number
  crc: number
  attributes: number
  compression: CompressionCodec
  timestampType: TimestampType
  isTransactional: boolean
  isControl: boolean
  hasDeleteHorizonMs: boolean
  lastOffsetDelta: number
  baseTimestamp: bigint
  maxTimestamp: bigint
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  recordsCount: number
}

/** Bytes the whole batch takes, header included. */
export function batchSize (header: Pick<RecordBatchHeader, 'batchLength'>): number {
  return header.batchLength + LOG_OVERHEAD
}

export function lastOffset (header: Pick<RecordBatchHeader, 'baseOffset' | 'lastOffsetDelta'>): bigint {
  return header.baseOffset + BigInt(header.lastOffsetDelta)
}

export function encodeAttributes (a: {
  compression: CompressionCodec
  timestampType?: TimestampType
  isTransactional?: boolean
  isControl?: boolean
  hasDeleteHorizonMs?: boolean
}): number {
  return a.compression |
    (a.timestampType === TimestampType.LOG_APPEND_TIME ? TIMESTAMP_TYPE_MASK : 0) |
    (a.isTransactional === true ? TRANSACTIONAL_FLAG_MASK : 0) |
    (a.isControl === true ? CONTROL_FLAG_MASK : 0) |
    (a.hasDeleteHorizonMs === true ? DELETE_HORIZON_FLAG_MASK : 0)
}

/**
 * Parses the 61-byte header at `offset` without looking at the records, for
 * the produce path where batches stay opaque. Checks what the header alone
 * can show: enough bytes, magic 2, a batchLength no smaller than the header,
 * a known codec and a non-negative record count. It does not check that the
 * whole batch is present or that the CRC matches (see verifyBatchCrc).
 */
export function readBatchHeader (buf: Buffer, offset = 0): RecordBatchHeader {
  if (offset < 0 || buf.length - offset < RECORD_BATCH_OVERHEAD) {
    throw new ProtocolDecodeError(`record batch header needs ${RECORD_BATCH_OVERHEAD} bytes at offset ${offset}, ${Math.max(0, buf.length - offset)} available`)
  }
  const magic = buf.readInt8(offset + MAGIC_OFFSET)
  if (magic !== CURRENT_MAGIC) {
    throw new ProtocolDecodeError(`unsupported record batch magic ${magic} at offset ${offset} (only v2 is supported)`)
  }
  const batchLength = buf.readInt32BE(offset + LENGTH_OFFSET)
  if (batchLength < MIN_BATCH_LENGTH) {
    throw new ProtocolDecodeError(`record batch length ${batchLength} is smaller than the ${MIN_BATCH_LENGTH}-byte header`)
  }
  const attributes = buf.readInt16BE(offset + ATTRIBUTES_OFFSET)
  const compression = attributes & COMPRESSION_CODEC_MASK
  if (!isCompressionCodec(compression)) {
    throw new ProtocolDecodeError(`record batch uses unknown compression codec ${compression}`)
  }
  const recordsCount = buf.readInt32BE(offset + RECORDS_COUNT_OFFSET)
  if (recordsCount < 0) throw new ProtocolDecodeError(`negative record count ${recordsCount}`)
  return {
    baseOffset: readInt64BE(buf, offset + BASE_OFFSET_OFFSET),
    batchLength,
    partitionLeaderEpoch: buf.readInt32BE(offset + PARTITION_LEADER_EPOCH_OFFSET),
    magic,
    crc: buf.readUInt32BE(offset + CRC_OFFSET),
    attributes,
    compression,
    timestampType: (attributes & TIMESTAMP_TYPE_MASK) !== 0 ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME,
    isTransactional: (attributes & TRANSACTIONAL_FLAG_MASK) !== 0,
    isControl: (attributes & CONTROL_FLAG_MASK) !== 0,
    hasDeleteHorizonMs: (attributes & DELETE_HORIZON_FLAG_MASK) !== 0,
    lastOffsetDelta: buf.readInt32BE(offset + LAST_OFFSET_DELTA_OFFSET),
    baseTimestamp: readInt64BE(buf, offset + BASE_TIMESTAMP_OFFSET),
    maxTimestamp: readInt64BE(buf, offset + MAX_TIMESTAMP_OFFSET),
    producerId: readInt64BE(buf, offset + PRODUCER_ID_OFFSET),
    producerEpoch: buf.readInt16BE(offset + PRODUCER_EPOCH_OFFSET),
    baseSequence: buf.readInt32BE(offset + BASE_SEQUENCE_OFFSET),
    recordsCount
  }
}

/** Rewrites baseOffset in place (outside the CRC, so the checksum stays valid). */
export function setBaseOffset (buf: Buffer, at: number, offset: bigint): void {
  writeInt64BE(buf, at + BASE_OFFSET_OFFSET, offset)
}

/** Rewrites partitionLeaderEpoch in place; the leader stamps its epoch on append (KIP-101). */
export function setPartitionLeaderEpoch (buf: Buffer, at: number, epoch: number): void {
  buf.writeInt32BE(epoch, at + PARTITION_LEADER_EPOCH_OFFSET)
}

/** Byte range [start, end) covered by the CRC, or null if the batch is not wholly in `buf`. */
function crcRange (buf: Buffer, at: number): [number, number] | null {
  if (at < 0 || buf.length - at < RECORD_BATCH_OVERHEAD) return null
  const batchLength = buf.readInt32BE(at + LENGTH_OFFSET)
  if (batchLength < MIN_BATCH_LENGTH || batchLength > buf.length - at - LOG_OVERHEAD) return null
  return [at + ATTRIBUTES_OFFSET, at + LOG_OVERHEAD + batchLength]
}

/**
 * CRC-32C over attributes..end of the batch at `at`, as Kafka computes it.
 * Throws ProtocolDecodeError if the batch its length field describes is not
 * wholly in `buf`.
 */
export function computeBatchCrc (buf: Buffer, at = 0): number {
  const range = crcRange(buf, at)
  if (range === null) throw new ProtocolDecodeError(`no complete record batch at offset ${at}`)
  return crc32c(buf.subarray(range[0], range[1]))
}

/**
 * True if `buf` holds, at `at`, a complete batch whose stored CRC matches its
 * contents. False for a mismatch and for anything too short to check.
 */
export function verifyBatchCrc (buf: Buffer, at = 0): boolean {
  const range = crcRange(buf, at)
  if (range === null) return false
  return crc32c(buf.subarray(range[0], range[1])) === buf.readUInt32BE(at + CRC_OFFSET)
}

/** Recomputes and stores the CRC after an in-place change to the covered bytes. */
export function writeBatchCrc (buf: Buffer, at = 0): void {
  buf.writeUInt32BE(computeBatchCrc(buf, at), at + CRC_OFFSET)
}

/**
 * Marks a batch as LogAppendTime with the given broker time, in place, as a
 * Kafka leader does for topics with `message.timestamp.type=LogAppendTime`:
 * the records keep their deltas, readers take maxTimestamp as every record's
 * timestamp. Both fields are under the CRC, so it is rewritten.
 */
export function setLogAppendTime (buf: Buffer, at: number, timestamp: bigint): void {
  if (crcRange(buf, at) === null) throw new ProtocolDecodeError(`no complete record batch at offset ${at}`)
  const attributes = buf.readInt16BE(at + ATTRIBUTES_OFFSET)
  buf.writeInt16BE(attributes | TIMESTAMP_TYPE_MASK, at + ATTRIBUTES_OFFSET)
  writeInt64BE(buf, at + MAX_TIMESTAMP_OFFSET, timestamp)
  writeBatchCrc(buf, at)
}
