/** Counters of one cleaning (Kafka's CleanerStats, plus what the tests and diagnostics want to see). */
export interface CleanerStats {
  /** Phase 1: dirty bytes and records read to build the offset map. */
  mapBytesRead: number
  mapRecordsRead: number
  /** Phase 2: what the rewrite read and wrote. */
  batchesRead: number
  recordsRead: number
  bytesRead: number
  batchesWritten: number
  recordsRetained: number
  bytesWritten: number
  /** Batches written with new contents (records dropped or a delete horizon set). */
  batchesRewritten: number
  /** Batches kept as a bare header because their records are gone but their offsets or producer state must stay. */
  emptyBatchesRetained: number
  /** Batches whose KIP-534 delete horizon was set by this cleaning. */
  deleteHorizonsSet: number
  /** Tombstones dropped because their delete horizon had passed. */
  tombstonesRemoved: number
  /** Records dropped because a later record has the same key. */
  supersededRemoved: number
  /** Records of aborted transactions dropped. */
  abortedRecordsRemoved: number
  /** Transaction markers dropped. */
  markersRemoved: number
  /** Records without a key met in the cleaned range (kept or dropped by the keyless policy). */
  keylessRecords: number
}

export function newCleanerStats (): CleanerStats {
  return {
    mapBytesRead: 0,
    mapRecordsRead: 0,
    batchesRead: 0,
    recordsRead: 0,
    bytesRead: 0,
    batchesWritten: 0,
    recordsRetained: 0,
    bytesWritten: 0,
    batchesRewritten: 0,
    emptyBatchesRetained: 0,
    deleteHorizonsSet: 0,
    tombstonesRemoved: 0,
    supersededRemoved: 0,
    abortedRecordsRemoved: 0,
    markersRemoved: 0,
    keylessRecords: 0
  }
}
