export * from './types.js'
export * from './errors.js'
export * from './cleaner/index.js'
export { DiskLog, type DiskLogOptions, type DiskLogStats, type SegmentInfo } from './disk-log.js'
export { LogManager, parsePartitionDir, type LogManagerOptions } from './log-manager.js'
export type { LoadOptions, LogLogger } from './recovery.js'
export { retentionDeletions, type RetentionCandidate, type RetentionDecision } from './retention.js'
export { GroupCommit } from './flusher.js'
export { CleanedSegment } from './cleaned-segment.js'
export { LeaderEpochCache, LEADER_EPOCH_CHECKPOINT_VERSION } from './leader-epoch-cache.js'
export { OffsetIndex, OFFSET_INDEX_ENTRY_SIZE } from './offset-index.js'
export { TimeIndex, TIME_INDEX_ENTRY_SIZE } from './time-index.js'
export { TxnIndex, TXN_INDEX_ENTRY_SIZE, TXN_INDEX_VERSION, decodeAbortedTxn, encodeAbortedTxn } from './txn-index.js'
export {
  CheckpointFormatError, parseCheckpoint, readCheckpoint, readCheckpointSync, writeCheckpoint, writeCheckpointSync, writeFileDurably, writeFileDurablySync
} from './checkpoint-file.js'
export { fsyncDirectory } from './io.js'
export {
  CLEANER_OFFSET_CHECKPOINT, LOG_START_OFFSET_CHECKPOINT, RECOVERY_POINT_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT, partitionKey,
  readOffsetsCheckpoint, writeOffsetsCheckpoint, type OffsetsByPartition
} from './offsets-checkpoint.js'
export {
  CLEAN_SHUTDOWN_FILE, DELETED_SUFFIX, CLEANED_SUFFIX, INDEX_SUFFIX, LEADER_EPOCH_CHECKPOINT, LOG_SUFFIX, SNAPSHOT_SUFFIX,
  SWAP_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX, offsetFileStem, parseOffsetFileName, segmentFilePath, snapshotFileName
} from './segment-files.js'
export {
  BATCHES_TO_RETAIN, ProducerAppendPlan, ProducerStateManager, lastSequence,
  type AppendCheck, type BatchMetadata, type ProducerBatch, type ProducerEntry
} from './producer-state.js'
export { decodeProducerSnapshot, encodeProducerSnapshot, listProducerSnapshots } from './producer-snapshot.js'
export {
  pruneProducerSnapshots, recoverProducerState, takeProducerSnapshot,
  type ProducerLogView, type ProducerRecovery, type ProducerRecoveryOptions
} from './producer-recovery.js'
