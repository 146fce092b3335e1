import {
  CURRENT_MAGIC, ErrorCode, LOG_OVERHEAD, LENGTH_OFFSET, MAGIC_OFFSET, TimestampType, decodeRecordBatch, readBatchHeader, verifyBatchCrc,
  type RecordBatchHeader
} from '@tributary/protocol'
import type { ProduceSettings } from './log-config.js'

const LONG_MAX = 9223372036854775807n

export interface RecordError { batchIndex: number, batchIndexErrorMessage: string | null }
export interface Rejection { errorCode: number, errorMessage: string, recordErrors?: RecordError[] }

/**
 * Kafka's produce-time checks of one partition's records (ProduceRequest
 * validation and LogValidator), in Kafka's order. Batches stay opaque
 * (DESIGN.md §1 principle 2): only the header and CRC are read, except for
 * compacted topics (every record needs a key) and on the error path of a
 * timestamp check (to name the offending records, KIP-467).
 */
export async function checkRecords (records: Buffer | null, tp: string, settings: ProduceSettings, now: bigint): Promise<Rejection | null> {
  const quick = checkRecordsQuick(records, tp, settings, now)
  if (quick !== NEEDS_RECORDS) return quick
  return await checkDecodedRecords(records!, tp, settings, now)
}

/**
 * The header holds the largest timestamp, so after.max.ms needs no
 * decoding; the smallest can be any record's, so a before.max.ms other
 * than Kafka's default (Long.MAX, no bound) means reading the records.
 */
function timestampsSuspect (header: RecordBatchHeader, settings: ProduceSettings, now: bigint): boolean {
  return !settings.logAppendTime && header.timestampType === TimestampType.CREATE_TIME &&
    (header.maxTimestamp - now > settings.afterMaxMs || settings.beforeMaxMs < LONG_MAX)
}

/** True when the topic's settings make every batch go through the per-record checks (a compacted topic, or a before.max.ms bound). */
export function needsRecordChecks (settings: ProduceSettings): boolean {
  return settings.compacted || settings.beforeMaxMs < LONG_MAX
}

/** checkRecordsQuick's answer when the records themselves must be decoded (checkRecords does that). */
export const NEEDS_RECORDS = Symbol('needs the records decoded')

/**
 * The checks of checkRecords that read only the batch header and CRC, in
 * the same order: a rejection, null when the batch passes, or
 * NEEDS_RECORDS when the topic's settings call for the per-record checks
 * (a compacted topic, or timestamps outside the header's bounds).
 * Synchronous, so that the produce path can check and append in one step.
 */
export function checkRecordsQuick (records: Buffer | null, tp: string, settings: ProduceSettings, now: bigint): Rejection | null | typeof NEEDS_RECORDS {
  if (records === null || records.length < MAGIC_OFFSET + 1) {
    return { errorCode: ErrorCode.INVALID_RECORD, errorMessage: `Produce request to ${tp} has no record batch.` }
  }
  // Produce v3+ carries exactly one magic-v2 batch per partition (KIP-98); v0/v1 message sets are refused.
  const magic = records.readInt8(MAGIC_OFFSET)
  if (magic !== CURRENT_MAGIC) {
    return { errorCode: ErrorCode.INVALID_RECORD, errorMessage: `Produce requests with version 3+ are only allowed to contain record batches with magic version 2, got ${magic}.` }
  }
  const size = LOG_OVERHEAD + records.readInt32BE(LENGTH_OFFSET)
  if (size !== records.length) {
    return size < records.length
      ? { errorCode: ErrorCode.INVALID_RECORD, errorMessage: 'Produce requests with version 3+ must have exactly one record batch per partition.' }
      : { errorCode: ErrorCode.CORRUPT_MESSAGE, errorMessage: `Record batch of ${tp} declares ${size} bytes, ${records.length} present.` }
  }
  if (records.length > settings.maxMessageBytes) {
    return { errorCode: ErrorCode.MESSAGE_TOO_LARGE, errorMessage: `The record batch of ${records.length} bytes exceeds max.message.bytes (${settings.maxMessageBytes}) of ${tp}.` }
  }
  let header
  try {
    header = readBatchHeader(records)
  } catch (err) {
    return { errorCode: ErrorCode.CORRUPT_MESSAGE, errorMessage: (err as Error).message }
  }
  if (!verifyBatchCrc(records)) return { errorCode: ErrorCode.CORRUPT_MESSAGE, errorMessage: `Record batch of ${tp} fails its CRC-32C.` }
  if (header.isControl) return { errorCode: ErrorCode.INVALID_RECORD, errorMessage: 'Clients may not produce control batches.' }
  // LogValidator: an idempotent batch must carry a sequence number.
  if (header.producerId >= 0n && header.baseSequence < 0) {
    return { errorCode: ErrorCode.INVALID_RECORD, errorMessage: `Invalid sequence number ${header.baseSequence} in record batch with producerId ${header.producerId}` }
  }
  if (!settings.compacted && !timestampsSuspect(header, settings, now)) return null
  return NEEDS_RECORDS
}

/** The per-record checks (compacted topics need keys; CreateTime within the configured bounds), after checkRecordsQuick passed the header. */
async function checkDecodedRecords (records: Buffer, tp: string, settings: ProduceSettings, now: bigint): Promise<Rejection | null> {
  const suspect = timestampsSuspect(readBatchHeader(records), settings, now)
  let decoded
  try {
    decoded = await decodeRecordBatch(records, { verifyCrc: false })
  } catch (err) {
    return { errorCode: ErrorCode.CORRUPT_MESSAGE, errorMessage: (err as Error).message }
  }
  if (settings.compacted) {
    const missing = decoded.records.flatMap((r, i) => r.key === null ? [i] : [])
    if (missing.length > 0) {
      return {
        errorCode: ErrorCode.INVALID_RECORD,
        errorMessage: `Compacted topic cannot accept message without key in topic partition ${tp}.`,
        recordErrors: missing.map(i => ({ batchIndex: i, batchIndexErrorMessage: 'Compacted topic cannot accept message without key.' }))
      }
    }
  }
  if (suspect) {
    // LogValidator.validateTimestamp: CreateTime outside [now - before.max, now + after.max].
    const bad = decoded.records.flatMap((r, i) => now - r.timestamp > settings.beforeMaxMs || r.timestamp - now > settings.afterMaxMs ? [i] : [])
    if (bad.length > 0) {
      return {
        errorCode: ErrorCode.INVALID_TIMESTAMP,
        errorMessage: `Timestamp of a record of ${tp} is out of range: allowed [now - message.timestamp.before.max.ms, now + message.timestamp.after.max.ms].`,
        recordErrors: bad.map(i => ({ batchIndex: i, batchIndexErrorMessage: `Timestamp ${decoded.records[i]!.timestamp} of message with offset delta ${i} is out of range.` }))
      }
    }
  }
  return null
}
