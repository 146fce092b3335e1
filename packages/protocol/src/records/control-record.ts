import { ProtocolDecodeError } from '../primitives/errors.js'
import { NO_SEQUENCE, TimestampType } from './batch-header.js'
import { encodeRecordBatchSync } from './record-batch.js'
import type { DecodedRecordBatch } from './record-batch.js'
import type { KafkaRecord } from './record.js'

/*
 * Control records (KIP-98) live in batches with the control attribute bit.
 * Key: version int16 (0), type int16. For transaction markers the value is
 * version int16 (0), coordinatorEpoch int32. Readers must accept newer
 * versions and read the fields they know, as Kafka's parsers do.
 */
export const ControlRecordType = {
  ABORT: 0,
  COMMIT: 1,
  // The remaining types appear only in KRaft's metadata log, never in user topics.
  LEADER_CHANGE: 2,
  SNAPSHOT_HEADER: 3,
  SNAPSHOT_FOOTER: 4,
  KRAFT_VERSION: 5,
  KRAFT_VOTERS: 6
} as const
export type ControlRecordType = typeof ControlRecordType[keyof typeof ControlRecordType]

export const CONTROL_RECORD_KEY_VERSION = 0
export const CONTROL_RECORD_KEY_SIZE = 4
export const END_TXN_MARKER_VERSION = 0
export const END_TXN_MARKER_VALUE_SIZE = 6

export interface ControlRecordKey {
  version: number
  /** Kept as a number: unknown types must be skipped, not rejected. */
  type: number
}

export interface EndTxnMarker {
  version: number
  coordinatorEpoch: number
}

export interface TransactionMarker {
  commit: boolean
  coordinatorEpoch: number
  producerId: bigint
  producerEpoch: number
  offset: bigint
  timestamp: bigint
}

export function encodeControlRecordKey (type: number, version = CONTROL_RECORD_KEY_VERSION): Buffer {
  const b = Buffer.allocUnsafe(CONTROL_RECORD_KEY_SIZE)
  b.writeInt16BE(version, 0)
  b.writeInt16BE(type, 2)
  return b
}

export function decodeControlRecordKey (key: Buffer | null): ControlRecordKey {
  if (key === null || key.length < CONTROL_RECORD_KEY_SIZE) {
    throw new ProtocolDecodeError(`control record key needs ${CONTROL_RECORD_KEY_SIZE} bytes, got ${key?.length ?? 'null'}`)
  }
  const version = key.readInt16BE(0)
  if (version < 0) throw new ProtocolDecodeError(`invalid control record key version ${version}`)
  return { version, type: key.readInt16BE(2) }
}

export function encodeEndTxnMarker (coordinatorEpoch: number): Buffer {
  const b = Buffer.allocUnsafe(END_TXN_MARKER_VALUE_SIZE)
  b.writeInt16BE(END_TXN_MARKER_VERSION, 0)
  b.writeInt32BE(coordinatorEpoch, 2)
  return b
}

export function decodeEndTxnMarker (value: Buffer | null): EndTxnMarker {
  if (value === null || value.length < END_TXN_MARKER_VALUE_SIZE) {
    throw new ProtocolDecodeError(`transaction marker value needs ${END_TXN_MARKER_VALUE_SIZE} bytes, got ${value?.length ?? 'null'}`)
  }
  const version = value.readInt16BE(0)
  if (version < 0) throw new ProtocolDecodeError(`invalid transaction marker version ${version}`)
  return { version, coordinatorEpoch: value.readInt32BE(2) }
}

export interface EncodeControlBatchOptions {
  producerId: bigint
  producerEpoch: number
  commit: boolean
  coordinatorEpoch: number
  timestamp: bigint
  baseOffset?: bigint
  partitionLeaderEpoch?: number
}

/**
 * The batch a partition leader appends for WriteTxnMarkers: transactional and
 * control bits set, no sequence, one uncompressed record at offsetDelta 0.
 */
export function encodeControlBatch (opts: EncodeControlBatchOptions): Buffer {
  return encodeRecordBatchSync({
    baseOffset: opts.baseOffset,
    partitionLeaderEpoch: opts.partitionLeaderEpoch,
    transactional: true,
    control: true,
    timestampType: TimestampType.CREATE_TIME,
    producerId: opts.producerId,
    producerEpoch: opts.producerEpoch,
    baseSequence: NO_SEQUENCE,
    baseTimestamp: opts.timestamp,
    records: [{
      key: encodeControlRecordKey(opts.commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT),
      value: encodeEndTxnMarker(opts.coordinatorEpoch),
      timestamp: opts.timestamp,
      offsetDelta: 0
    }]
  })
}

/** True if the record is a COMMIT or ABORT marker (as opposed to another control type). */
export function isTransactionMarker (record: Pick<KafkaRecord, 'key'>): boolean {
  const { type } = decodeControlRecordKey(record.key)
  return type === ControlRecordType.ABORT || type === ControlRecordType.COMMIT
}

/**
 * Reads the transaction marker from a decoded control batch. Kafka writes
 * exactly one record per marker batch; a batch that is not a control batch,
 * has no record, or holds another control type is rejected.
 */
export function decodeTransactionMarker (batch: DecodedRecordBatch): TransactionMarker {
  const { header, records } = batch
  if (!header.isControl) throw new ProtocolDecodeError('not a control batch')
  const rec = records[0]
  if (rec === undefined) throw new ProtocolDecodeError('control batch without records')
  const { type } = decodeControlRecordKey(rec.key)
  if (type !== ControlRecordType.ABORT && type !== ControlRecordType.COMMIT) {
    throw new ProtocolDecodeError(`control record type ${type} is not a transaction marker`)
  }
  const { coordinatorEpoch } = decodeEndTxnMarker(rec.value)
  return {
    commit: type === ControlRecordType.COMMIT,
    coordinatorEpoch,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    offset: rec.offset,
    timestamp: rec.timestamp
  }
}
