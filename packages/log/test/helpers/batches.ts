import {
  CompressionCodec, NO_PARTITION_LEADER_EPOCH, TimestampType, decodeRecordBatchSync, encodeRecordBatchSync, readBatchHeader,
  splitBatches
} from '@tributary/protocol'

/** A fixed time base (ms): tests never read the clock for record timestamps. */
export const T0 = 1_700_000_000_000n

export interface TestRecord {
  key: Buffer | null
  value: Buffer | null
  timestamp: bigint
}

/** A batch as the test means it, before any encoding. */
export interface TestBatch {
  records: TestRecord[]
  compression?: CompressionCodec
  /** Producer fields, set so that tests can see the log leaves them alone. */
  producerId?: bigint
  producerEpoch?: number
  baseSequence?: number
}

function encodeOptions (b: TestBatch): Parameters<typeof encodeRecordBatchSync>[0] {
  return {
    compression: b.compression ?? CompressionCodec.NONE,
    producerId: b.producerId,
    producerEpoch: b.producerEpoch,
    baseSequence: b.baseSequence,
    baseTimestamp: b.records[0]?.timestamp,
    records: b.records.map(r => ({ key: r.key, value: r.value, timestamp: r.timestamp }))
  }
}

/** The bytes a producer sends: baseOffset 0 and no leader epoch, the log assigns both. */
export function encodeBatch (b: TestBatch): Buffer {
  return encodeRecordBatchSync(encodeOptions(b))
}

export interface StoredAs {
  leaderEpoch?: number
  /** Set for LogAppendTime appends: the time the log wrote. */
  logAppendTime?: bigint
}

/**
 * The exact bytes the log must hold for `b` appended at `baseOffset`. Built
 * by encoding again with the header fields the log owns, not by patching
 * the producer's bytes, so that the expectation shares no code path with
 * the log under test (encoding is deterministic, gzip included).
 */
export function storedBatch (b: TestBatch, baseOffset: bigint, as: StoredAs = {}): Buffer {
  const logAppendTime = as.logAppendTime === undefined
    ? {}
    : { timestampType: TimestampType.LOG_APPEND_TIME, maxTimestamp: as.logAppendTime }
  return encodeRecordBatchSync({
    ...encodeOptions(b),
    ...logAppendTime,
    baseOffset,
    partitionLeaderEpoch: as.leaderEpoch ?? NO_PARTITION_LEADER_EPOCH
  })
}

/** The offsets a batch of `b` takes, given that offsets are dense within a producer's batch. */
export function offsetSpan (b: TestBatch): bigint {
  return BigInt(Math.max(b.records.length, 1))
}

/** `n` records keyed and valued by `tag`, timestamps T0 + ts(i). */
export function makeRecords (n: number, tag: string, ts: (i: number) => bigint = i => T0 + BigInt(i), valueBytes = 16): TestRecord[] {
  const records: TestRecord[] = []
  for (let i = 0; i < n; i++) {
    const value = Buffer.alloc(valueBytes, `${tag}-${i}|`)
    records.push({ key: Buffer.from(`${tag}-k${i}`), value, timestamp: ts(i) })
  }
  return records
}

/** Batch boundaries of a read result, as "base-last" strings: short assertion diffs. */
export function spans (records: Buffer): string[] {
  const { batches, leftover } = splitBatches(records)
  if (leftover.length !== 0) throw new Error(`read returned ${leftover.length} bytes of a partial batch`)
  return batches.map(b => {
    const h = readBatchHeader(b)
    return `${h.baseOffset}-${h.baseOffset + BigInt(h.lastOffsetDelta)}`
  })
}

export interface FlatRecord {
  offset: bigint
  timestamp: bigint
  key: string | null
  value: string | null
}

/** Every record of a read result, decoded with CRC checks. */
export function flatRecords (records: Buffer): FlatRecord[] {
  const { batches, leftover } = splitBatches(records)
  if (leftover.length !== 0) throw new Error(`read returned ${leftover.length} bytes of a partial batch`)
  return batches.flatMap(b => decodeRecordBatchSync(b).records.map(r => ({
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key === null ? null : r.key.toString('latin1'),
    value: r.value === null ? null : r.value.toString('latin1')
  })))
}
