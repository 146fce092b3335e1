import { ErrorCode } from '@tributary/protocol'
import { kafkaCodeOf } from './errors.js'
import { LEADER_EPOCH, type Partition } from './partition.js'

export interface FetchTarget {
  partition: Partition | undefined
  /** The error for a partition that is not there (UNKNOWN_TOPIC_ID or UNKNOWN_TOPIC_OR_PARTITION). */
  missingCode: number
  index: number
  fetchOffset: bigint
  partitionMaxBytes: number
  currentLeaderEpoch: number
}

export interface FetchedPartition {
  partitionIndex: number
  errorCode: number
  highWatermark: bigint
  lastStableOffset: bigint
  logStartOffset: bigint
  records: Buffer
  /** read_committed: the aborted transactions overlapping the returned records (from the transaction index), else empty. */
  abortedTransactions: Array<{ producerId: bigint, firstOffset: bigint }>
}

const EMPTY = Buffer.alloc(0)

export interface FetchOutcome { parts: FetchedPartition[], bytes: number, errors: boolean }

/**
 * One pass over the partitions of a fetch, as Kafka's ReplicaManager.readFromLog:
 * each partition up to its partition_max_bytes and what is left of the
 * request's max_bytes; the first partition that has data returns at least
 * one whole batch even above the limits (KIP-74), so a consumer always
 * makes progress; later ones only what fits. read_committed reads up to the
 * last stable offset, read_uncommitted up to the high watermark.
 * Synchronous: the reads come from the tail cache or the page cache, and
 * the transaction indexes are in memory.
 */
export function readPartitions (targets: readonly FetchTarget[], maxBytes: number, readCommitted: boolean): FetchOutcome {
  let remaining = maxBytes
  let minOneBatch = true
  let bytes = 0
  let errors = false
  const parts: FetchedPartition[] = []
  for (const t of targets) {
    const p = t.partition
    if (p === undefined) {
      errors = true
      parts.push({ partitionIndex: t.index, errorCode: t.missingCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: EMPTY, abortedTransactions: [] })
      continue
    }
    const base = { partitionIndex: t.index, highWatermark: p.highWatermark, lastStableOffset: p.lastStableOffset, logStartOffset: p.logStartOffset }
    if (t.currentLeaderEpoch > LEADER_EPOCH) {
      errors = true
      parts.push({ ...base, errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH, records: EMPTY, abortedTransactions: [] })
      continue
    }
    try {
      const limit = Math.max(0, Math.min(t.partitionMaxBytes, remaining))
      const bound = readCommitted ? base.lastStableOffset : base.highWatermark
      const records = limit === 0 && !minOneBatch
        ? EMPTY
        : p.log.readNow(t.fetchOffset, limit, { maxOffset: bound, minOneBatch }).records
      if (records.length > 0) minOneBatch = false
      remaining -= records.length
      bytes += records.length
      // KIP-98: the consumer drops the records of these producers from firstOffset up to their ABORT marker.
      const aborted = readCommitted && records.length > 0
        ? p.log.abortedTransactionsNow(t.fetchOffset, bound).map(a => ({ producerId: a.producerId, firstOffset: a.firstOffset }))
        : []
      parts.push({ ...base, errorCode: ErrorCode.NONE, records, abortedTransactions: aborted })
    } catch (err) {
      errors = true
      parts.push({ ...base, errorCode: kafkaCodeOf(err), records: EMPTY, abortedTransactions: [] })
    }
  }
  return { parts, bytes, errors }
}

/**
 * Waits until one of `partitions` advances its high watermark or `ms`
 * passes (the purgatory of DESIGN.md §4: woken by appends; the only timer is
 * the max_wait_ms deadline).
 */
export function waitForData (partitions: readonly Partition[], ms: number): Promise<void> {
  return new Promise(resolve => {
    const cancels: Array<() => void> = []
    let done = false
    const finish = (): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      for (const c of cancels) c()
      resolve()
    }
    const timer = setTimeout(finish, Math.max(0, ms))
    for (const p of partitions) cancels.push(p.onAdvance(finish))
  })
}
