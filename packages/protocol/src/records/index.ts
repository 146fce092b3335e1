export { crc32c } from './crc32c.js'
export {
  CompressionCodec, COMPRESSION_CODEC_NAMES, DEFAULT_MAX_DECOMPRESSED_BYTES, LZ4_FRAME_MAGIC, XERIAL_BLOCK_SIZE, XERIAL_MAGIC,
  codecName, compress, compressSync, decompress, decompressSync, isCompressionCodec,
  type CompressOptions, type DecompressOptions
} from './compression.js'
export {
  ATTRIBUTES_OFFSET, BASE_OFFSET_OFFSET, BASE_SEQUENCE_OFFSET, BASE_TIMESTAMP_OFFSET, COMPRESSION_CODEC_MASK,
  CONTROL_FLAG_MASK, CRC_OFFSET, CURRENT_MAGIC, DELETE_HORIZON_FLAG_MASK, LAST_OFFSET_DELTA_OFFSET, LENGTH_OFFSET,
  LOG_OVERHEAD, MAGIC_OFFSET, MAX_TIMESTAMP_OFFSET, MIN_BATCH_LENGTH, NO_PARTITION_LEADER_EPOCH, NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID, NO_SEQUENCE, NO_TIMESTAMP, PARTITION_LEADER_EPOCH_OFFSET, PRODUCER_EPOCH_OFFSET, PRODUCER_ID_OFFSET,
  RECORD_BATCH_OVERHEAD, RECORDS_COUNT_OFFSET, RECORDS_OFFSET, TIMESTAMP_TYPE_MASK, TRANSACTIONAL_FLAG_MASK, TimestampType,
  batchSize, computeBatchCrc, encodeAttributes, lastOffset, readBatchHeader, setBaseOffset, setLogAppendTime,
  setPartitionLeaderEpoch, verifyBatchCrc, writeBatchCrc,
  type RecordBatchHeader
} from './batch-header.js'
export {
  MIN_RECORD_SIZE, readRecord, writeRecord,
  type DecodedRecord, type KafkaRecord, type RecordHeader, type RecordHeaderInput, type RecordInput
} from './record.js'
export {
  decodeRecordBatch, decodeRecordBatchSync, encodeRecordBatch, encodeRecordBatchSync,
  type DecodeRecordBatchOptions, type DecodedRecordBatch, type EncodeRecordBatchOptions, type RecordBatchRecordInput
} from './record-batch.js'
export { splitBatches, type SplitBatches } from './split.js'
export {
  CONTROL_RECORD_KEY_SIZE, CONTROL_RECORD_KEY_VERSION, ControlRecordType, END_TXN_MARKER_VALUE_SIZE, END_TXN_MARKER_VERSION,
  decodeControlRecordKey, decodeEndTxnMarker, decodeTransactionMarker, encodeControlBatch, encodeControlRecordKey,
  encodeEndTxnMarker, isTransactionMarker,
  type ControlRecordKey, type EncodeControlBatchOptions, type EndTxnMarker, type TransactionMarker
} from './control-record.js'
