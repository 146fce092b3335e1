export {
  DEFAULT_OFFSET_MAP_BYTES, OffsetMap, VERBATIM_KEY_BYTES, addBatchToOffsetMap, buildOffsetMap,
  type BuildOffsetMapOptions, type OffsetMapOptions
} from './offset-map.js'
export {
  cleanBatch, cleanBatches, deleteHorizonFor, retainLastBatchOfProducers,
  type CleanBatchesOptions, type CleanBatchesResult, type CleanContext, type KeylessPolicy, type ProducerLastRecord
} from './clean-batches.js'
export {
  cleanableRange, groupSegmentsBySize, maxSegmentMs, nonActiveSegmentsFrom, segmentsInRange,
  type CleanableConfig, type CleanableInput, type CleanableRange, type SegmentDescriptor
} from './cleanable.js'
export { TxnCleaningState, controlRecordType, type AbortedTxnRange } from './txn-state.js'
export { newCleanerStats, type CleanerStats } from './stats.js'
export type { CompactableLog, CleanedSegmentWriter } from './compactable-log.js'
export { cleanRound, type CleanResult, type CleanRoundOptions } from './clean-log.js'
export { LogCleaningAbortedError, Slicer, type SlicerOptions } from './slicer.js'
export { LogCleaner, type LogCleanerOptions } from './cleaner.js'
