/**
 * The narrow interface of one partition's log (DESIGN.md §3, R7): offsets,
 * batches and segments, nothing about Kafka APIs. Batches are magic-v2
 * record batches exactly as on the wire; the log only rewrites the fields
 * outside the CRC that it owns (base offset, partition leader epoch) and,
 * for LogAppendTime topics, the max timestamp (with a new CRC).
 *
 * Concurrency: every method runs on the event loop. Appends are applied in
 * call order; reads may run concurrently with appends and see a prefix of
 * the log that ends at a batch boundary.
 */

/** Where an append landed. Offsets are bigint, as on the wire. */
export interface AppendResult {
  /** Offset of the first record of the first batch. */
  firstOffset: bigint
  /** Offset of the last record of the last batch. */
  lastOffset: bigint
  /** The time written into LogAppendTime batches, or -1n for CreateTime. */
  logAppendTime: bigint
  /** Log start offset after the append. */
  logStartOffset: bigint
  batches: number
  bytes: number
}

export interface AppendOptions {
  /**
   * Resolve only once the data is durable under the log's flush policy:
   * with the default policy that means fsynced (group commit shares one
   * fsync among the appends queued meanwhile); with Kafka's page-cache
   * policy (flush.messages / flush.ms set) it resolves once written.
   */
  durable?: boolean
  /** Written into every batch's partitionLeaderEpoch field. */
  leaderEpoch?: number
  /** 'LogAppendTime' sets each batch's timestamp type and max timestamp to now (Kafka's message.timestamp.type). */
  timestampType?: 'CreateTime' | 'LogAppendTime'
  /** The clock for LogAppendTime, for tests. */
  now?: () => bigint
  /**
   * The caller has just verified every batch's CRC (the broker's produce
   * checks do, as Kafka's LogValidator does, to answer CORRUPT_MESSAGE),
   * so the log skips its own CRC pass: checksumming every produced byte
   * twice costs a few percent of the broker's CPU. Everything else is
   * still checked.
   */
  crcVerified?: boolean
}

export interface ReadOptions {
  /** Read only batches whose last offset is below this (high watermark or last stable offset). Default: log end. */
  maxOffset?: bigint
  /**
   * Return the first batch even when it is larger than maxBytes (Kafka's
   * fetch does, so that a consumer can always make progress). Default true.
   */
  minOneBatch?: boolean
}

export interface ReadResult {
  /** Whole batches, concatenated, starting with the batch that contains the requested offset. */
  records: Buffer
  /** Offset the next read should start from (after the last batch returned), or the requested offset if none. */
  nextOffset: bigint
  logStartOffset: bigint
  logEndOffset: bigint
}

export interface TimestampOffset { offset: bigint, timestamp: bigint }

/** One entry of the leader epoch cache (KIP-101): the first offset written in an epoch. */
export interface EpochEntry { epoch: number, startOffset: bigint }

/** An aborted transaction, as the transaction index keeps it (filled by the exactly-once issue). */
export interface AbortedTxn { producerId: bigint, firstOffset: bigint, lastOffset: bigint, lastStableOffset: bigint }

/** Per-log configuration with Kafka's topic-level meanings. */
export interface LogConfig {
  /** segment.bytes (default 1 GiB). */
  segmentBytes: number
  /** segment.ms (default 7 days): roll when the first batch of the active segment is older. */
  segmentMs: number
  /** segment.index.bytes (default 10 MiB): roll when the offset or time index is full. */
  segmentIndexBytes: number
  /** index.interval.bytes (default 4096): add an index entry after this many bytes. */
  indexIntervalBytes: number
  /**
   * Flush policy. 'fsync' (Tributary's default): durable appends fsync with
   * group commit. 'pagecache' (Kafka's default behaviour, chosen by setting
   * flush.messages or flush.ms): fsync every flushMessages messages or
   * flushMs milliseconds, durable appends do not wait for it.
   */
  flushPolicy: 'fsync' | 'pagecache'
  /** flush.messages (Long.MAX = never by count). */
  flushMessages: number
  /** flush.ms (Long.MAX = never by time). */
  flushMs: number
  /** retention.ms (-1 = unlimited). */
  retentionMs: number
  /** retention.bytes (-1 = unlimited). */
  retentionBytes: number
  /** cleanup.policy. */
  cleanupPolicy: ReadonlyArray<'delete' | 'compact'>
  /** delete.retention.ms: how long tombstones survive compaction. */
  deleteRetentionMs: number
  /** min.cleanable.dirty.ratio. */
  minCleanableDirtyRatio: number
  /** min.compaction.lag.ms. */
  minCompactionLagMs: number
  /** max.compaction.lag.ms. */
  maxCompactionLagMs: number
  /** file.delete.delay.ms: deleted segments are renamed `.deleted` and removed after this. */
  fileDeleteDelayMs: number
}

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  flushPolicy: 'fsync',
  flushMessages: Number.MAX_SAFE_INTEGER,
  flushMs: Number.MAX_SAFE_INTEGER,
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  cleanupPolicy: ['delete'] as const,
  deleteRetentionMs: 24 * 3600 * 1000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
  fileDeleteDelayMs: 60_000
})

/**
 * One partition's log. Implementations: the on-disk log (DiskLog) and an
 * in-memory log for tests; both pass test/contract.
 */
export interface PartitionLog {
  logStartOffset (): bigint
  /** The offset the next appended record gets. */
  logEndOffset (): bigint
  /** Set by the partition layer (replication); the log only stores it and checkpoints it. */
  highWatermark: bigint
  /**
   * Appends one or more concatenated batches (a produce request's records),
   * assigning offsets. The log takes ownership of `batches`: it rewrites
   * fields in place and may keep the buffer (tail cache), so the caller must
   * not reuse it.
   */
  append (batches: Buffer, options?: AppendOptions): Promise<AppendResult>
  /**
   * Whole batches from `offset` up to `maxBytes` (at least one batch unless
   * minOneBatch is false). Throws LogError OFFSET_OUT_OF_RANGE outside
   * [logStart, logEnd]. The result may be a view of the log's cache: it is
   * read-only.
   */
  read (offset: bigint, maxBytes: number, options?: ReadOptions): Promise<ReadResult>
  /** The first offset whose record timestamp is >= `timestamp`, with that timestamp; null if none (ListOffsets by time). */
  offsetForTimestamp (timestamp: bigint): Promise<TimestampOffset | null>
  /** The offset and timestamp of the record with the largest timestamp (ListOffsets -3, KIP-734); null when empty. */
  maxTimestampOffset (): Promise<TimestampOffset | null>
  /** Removes every record at or above `offset` (replication truncation). */
  truncateTo (offset: bigint): Promise<void>
  /** Moves the log start offset forward (DeleteRecords); whole segments below it are deleted. */
  advanceLogStartOffset (offset: bigint): Promise<void>
  /** Closes the active segment and starts a new one. */
  roll (): Promise<void>
  /** fsyncs everything written so far. */
  flush (): Promise<void>
  /** Flushes, writes checkpoints and releases files. */
  close (): Promise<void>
}
