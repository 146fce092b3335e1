import { ProtocolDecodeError, ProtocolEncodeError } from '../primitives/errors.js'
import { Reader } from '../primitives/reader.js'
import { Writer } from '../primitives/writer.js'
import {
  ATTRIBUTES_OFFSET, BASE_OFFSET_OFFSET, BASE_SEQUENCE_OFFSET, BASE_TIMESTAMP_OFFSET, CRC_OFFSET, CURRENT_MAGIC,
  LAST_OFFSET_DELTA_OFFSET, LENGTH_OFFSET, LOG_OVERHEAD, MAGIC_OFFSET, MAX_TIMESTAMP_OFFSET, NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH, NO_PRODUCER_ID, NO_SEQUENCE, NO_TIMESTAMP, PARTITION_LEADER_EPOCH_OFFSET, PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET, RECORD_BATCH_OVERHEAD, RECORDS_COUNT_OFFSET, TimestampType, batchSize, encodeAttributes,
  readBatchHeader, verifyBatchCrc, type RecordBatchHeader
} from './batch-header.js'
import { compress, compressSync, decompress, decompressSync } from './compression.js'
import { CompressionCodec, type DecompressOptions } from './compression/codec.js'
import { crc32c } from './crc32c.js'
import { MIN_RECORD_SIZE, readRecord, writeRecord, type DecodedRecord, type RecordInput } from './record.js'

export interface RecordBatchRecordInput extends RecordInput {
  /** Absolute timestamp in ms; defaults to the batch's baseTimestamp. */
  timestamp?: bigint
  /** Defaults to one more than the previous record's (0 for the first). */
  offsetDelta?: number
}

export interface EncodeRecordBatchOptions {
  baseOffset?: bigint
  partitionLeaderEpoch?: number
  compression?: CompressionCodec
  /** Codec level (KIP-390), for gzip and zstd. */
  compressionLevel?: number
  timestampType?: TimestampType
  transactional?: boolean
  control?: boolean
  /** KIP-534: sets the attribute bit; baseTimestamp is then the delete horizon. */
  hasDeleteHorizonMs?: boolean
  producerId?: bigint
  producerEpoch?: number
  baseSequence?: number
  /** Defaults to the first record's timestamp, else now (-1 for a batch without records). */
  baseTimestamp?: bigint
  /** Defaults to the largest record timestamp; set it for LogAppendTime batches. */
  maxTimestamp?: bigint
  /**
   * Defaults to the last record's offsetDelta. Compaction can leave a batch
   * whose last records are gone (even an empty one) but whose offset range
   * must stay, as Kafka keeps it.
   */
  lastOffsetDelta?: number
  records: RecordBatchRecordInput[]
}

export interface DecodeRecordBatchOptions extends DecompressOptions {
  /** Check the CRC-32C (default true). */
  verifyCrc?: boolean
}

export interface DecodedRecordBatch {
  header: RecordBatchHeader
  /** Keys, values and header values are views into `buf` (or the decompressed copy): copy what you keep. */
  records: DecodedRecord[]
}

function checkInt (name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new ProtocolEncodeError(`${name} ${v} is out of range [${min}, ${max}]`)
  return v
}

function checkInt64 (name: string, v: bigint): bigint {
  if (v !== BigInt.asIntN(64, v)) throw new ProtocolEncodeError(`${name} ${v} does not fit in an int64`)
  return v
}

interface Prepared {
  /** Header placeholder followed by the uncompressed records. */
  body: Buffer
  codec: CompressionCodec
  level: number | undefined
  fields: HeaderFields
}

interface HeaderFields {
  baseOffset: bigint
  partitionLeaderEpoch: number
  attributes: number
  lastOffsetDelta: number
  baseTimestamp: bigint
  maxTimestamp: bigint
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  recordsCount: number
}

/** Validates the options and writes the records after a reserved header. */
function prepare (opts: EncodeRecordBatchOptions): Prepared {
  const records = opts.records
  const codec = opts.compression ?? CompressionCodec.NONE
  checkInt('compression codec', codec, 0, 4)
  checkInt('record count', records.length, 0, 0x7fffffff)
  const baseTimestamp = checkInt64('baseTimestamp', opts.baseTimestamp ??
    (records.length === 0 ? NO_TIMESTAMP : records[0]!.timestamp ?? BigInt(Date.now())))

  const w = new Writer(RECORD_BATCH_OVERHEAD + 64 * records.length)
  const scratch = new Writer(256)
  w.reserve(RECORD_BATCH_OVERHEAD)
  let prevDelta = -1
  let maxTs: bigint | undefined
  for (const rec of records) {
    const offsetDelta = rec.offsetDelta ?? prevDelta + 1
    if (offsetDelta <= prevDelta) {
      throw new ProtocolEncodeError(`offsetDelta ${offsetDelta} does not increase (previous ${prevDelta})`)
    }
    const ts = checkInt64('record timestamp', rec.timestamp ?? baseTimestamp)
    if (maxTs === undefined || ts > maxTs) maxTs = ts
    writeRecord(w, scratch, rec, offsetDelta, ts - baseTimestamp)
    prevDelta = offsetDelta
  }
  const lastOffsetDelta = opts.lastOffsetDelta ?? Math.max(prevDelta, 0)
  checkInt('lastOffsetDelta', lastOffsetDelta, Math.max(prevDelta, 0), 0x7fffffff)

  return {
    body: w.finish(),
    codec,
    level: opts.compressionLevel,
    fields: {
      baseOffset: checkInt64('baseOffset', opts.baseOffset ?? 0n),
      partitionLeaderEpoch: checkInt('partitionLeaderEpoch', opts.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH, -0x80000000, 0x7fffffff),
      attributes: encodeAttributes({
        compression: codec,
        timestampType: opts.timestampType ?? TimestampType.CREATE_TIME,
        isTransactional: opts.transactional,
        isControl: opts.control,
        hasDeleteHorizonMs: opts.hasDeleteHorizonMs
      }),
      lastOffsetDelta,
      baseTimestamp,
      maxTimestamp: checkInt64('maxTimestamp', opts.maxTimestamp ?? maxTs ?? baseTimestamp),
      producerId: checkInt64('producerId', opts.producerId ?? NO_PRODUCER_ID),
      producerEpoch: checkInt('producerEpoch', opts.producerEpoch ?? NO_PRODUCER_EPOCH, -0x8000, 0x7fff),
      baseSequence: checkInt('baseSequence', opts.baseSequence ?? NO_SEQUENCE, -0x80000000, 0x7fffffff),
      recordsCount: records.length
    }
  }
}

function withPayload (compressed: Buffer): Buffer {
  const out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + compressed.length)
  compressed.copy(out, RECORD_BATCH_OVERHEAD)
  return out
}

/** Fills in the header of `out` (records already in place) and computes the CRC. */
function finishBatch (out: Buffer, f: HeaderFields): Buffer {
  const batchLength = out.length - LOG_OVERHEAD
  if (batchLength > 0x7fffffff) throw new ProtocolEncodeError(`record batch of ${out.length} bytes is too large`)
  out.writeBigInt64BE(f.baseOffset, BASE_OFFSET_OFFSET)
  out.writeInt32BE(batchLength, LENGTH_OFFSET)
  out.writeInt32BE(f.partitionLeaderEpoch, PARTITION_LEADER_EPOCH_OFFSET)
  out.writeInt8(CURRENT_MAGIC, MAGIC_OFFSET)
  out.writeInt16BE(f.attributes, ATTRIBUTES_OFFSET)
  out.writeInt32BE(f.lastOffsetDelta, LAST_OFFSET_DELTA_OFFSET)
  out.writeBigInt64BE(f.baseTimestamp, BASE_TIMESTAMP_OFFSET)
  out.writeBigInt64BE(f.maxTimestamp, MAX_TIMESTAMP_OFFSET)
  out.writeBigInt64BE(f.producerId, PRODUCER_ID_OFFSET)
  out.writeInt16BE(f.producerEpoch, PRODUCER_EPOCH_OFFSET)
  out.writeInt32BE(f.baseSequence, BASE_SEQUENCE_OFFSET)
  out.writeInt32BE(f.recordsCount, RECORDS_COUNT_OFFSET)
  out.writeUInt32BE(crc32c(out.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET)
  return out
}

/**
 * Builds a v2 record batch. Computes lastOffsetDelta, maxTimestamp, the
 * batch length and the CRC; compresses the records section as one blob, as
 * Kafka does. The async variant compresses off the main thread where the
 * codec allows.
 */
export async function encodeRecordBatch (opts: EncodeRecordBatchOptions): Promise<Buffer> {
  const p = prepare(opts)
  if (p.codec === CompressionCodec.NONE) return finishBatch(p.body, p.fields)
  const payload = await compress(p.codec, p.body.subarray(RECORD_BATCH_OVERHEAD), { level: p.level })
  return finishBatch(withPayload(payload), p.fields)
}

export function encodeRecordBatchSync (opts: EncodeRecordBatchOptions): Buffer {
  const p = prepare(opts)
  if (p.codec === CompressionCodec.NONE) return finishBatch(p.body, p.fields)
  const payload = compressSync(p.codec, p.body.subarray(RECORD_BATCH_OVERHEAD), { level: p.level })
  return finishBatch(withPayload(payload), p.fields)
}

/** Header checks shared by both decoders; returns the records section (maybe compressed). */
function openBatch (buf: Buffer, opts: DecodeRecordBatchOptions | undefined): { header: RecordBatchHeader, payload: Buffer } {
  const header = readBatchHeader(buf, 0)
  const size = batchSize(header)
  if (buf.length < size) throw new ProtocolDecodeError(`truncated record batch: length field says ${size} bytes, ${buf.length} present`)
  if (buf.length > size) throw new ProtocolDecodeError(`${buf.length - size} bytes follow the record batch (use splitBatches for several)`)
  if (opts?.verifyCrc !== false && !verifyBatchCrc(buf, 0)) {
    throw new ProtocolDecodeError(`record batch CRC mismatch: stored 0x${header.crc.toString(16)}, computed 0x${crc32c(buf.subarray(ATTRIBUTES_OFFSET)).toString(16)}`)
  }
  return { header, payload: buf.subarray(RECORD_BATCH_OVERHEAD, size) }
}

function readRecords (header: RecordBatchHeader, data: Buffer): DecodedRecord[] {
  const count = header.recordsCount
  if (count * MIN_RECORD_SIZE > data.length) {
    throw new ProtocolDecodeError(`${count} records cannot fit in ${data.length} bytes`)
  }
  const r = new Reader(data)
  // KIP-32: with LogAppendTime every record carries the broker's time, kept in maxTimestamp.
  const logAppendTime = header.timestampType === TimestampType.LOG_APPEND_TIME
  const records: DecodedRecord[] = new Array(count)
  for (let i = 0; i < count; i++) {
    const rec = readRecord(r) as DecodedRecord
    rec.offset = header.baseOffset + BigInt(rec.offsetDelta)
    rec.timestamp = logAppendTime ? header.maxTimestamp : header.baseTimestamp + rec.timestampDelta
    records[i] = rec
  }
  if (r.remaining !== 0) throw new ProtocolDecodeError(`${r.remaining} bytes follow the ${count} records the batch declares`)
  return records
}

/**
 * Decodes one complete v2 batch (exactly `buf`): checks magic, length and
 * CRC, decompresses within `opts.maxBytes`, and bounds-checks every record.
 * Anything malformed gives a ProtocolDecodeError (Kafka: CORRUPT_MESSAGE).
 */
export async function decodeRecordBatch (buf: Buffer, opts?: DecodeRecordBatchOptions): Promise<DecodedRecordBatch> {
  const { header, payload } = openBatch(buf, opts)
  const data = header.compression === CompressionCodec.NONE || (header.recordsCount === 0 && payload.length === 0)
    ? payload
    : await decompress(header.compression, payload, opts)
  return { header, records: readRecords(header, data) }
}

export function decodeRecordBatchSync (buf: Buffer, opts?: DecodeRecordBatchOptions): DecodedRecordBatch {
  const { header, payload } = openBatch(buf, opts)
  const data = header.compression === CompressionCodec.NONE || (header.recordsCount === 0 && payload.length === 0)
    ? payload
    : decompressSync(header.compression, payload, opts)
  return { header, records: readRecords(header, data) }
}
