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
  const pass = new FetchPass(maxBytes)
  for (const t of targets) pass.parts.push(pass.read(t, readCommitted))
  return pass.outcome()
}

/** The limits and results of one pass over a fetch's partitions. */
class FetchPass {
  remaining: number
  minOneBatch = true
  bytes = 0
  errors = false
  readonly parts: FetchedPartition[] = []

  constructor (maxBytes: number) {
    this.remaining = maxBytes
  }

  outcome (): FetchOutcome {
    return { parts: this.parts, bytes: this.bytes, errors: this.errors }
  }

  /** One partition's records, within what is left of the request's limit. */
  read (t: FetchTarget, readCommitted: boolean): FetchedPartition {
    const p = t.partition
    if (p === undefined) {
      this.errors = true
      return { partitionIndex: t.index, errorCode: t.missingCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: EMPTY, abortedTransactions: [] }
    }
    const highWatermark = p.highWatermark
    const lastStableOffset = p.lastStableOffset
    const logStartOffset = p.logStartOffset
    if (t.currentLeaderEpoch > LEADER_EPOCH) {
      this.errors = true
      return { partitionIndex: t.index, errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH, highWatermark, lastStableOffset, logStartOffset, records: EMPTY, abortedTransactions: [] }
    }
    try {
      const limit = Math.max(0, Math.min(t.partitionMaxBytes, this.remaining))
      const records = limit === 0 && !this.minOneBatch
        ? EMPTY
        : p.log.readNow(t.fetchOffset, limit, { maxOffset: readCommitted ? lastStableOffset : highWatermark, minOneBatch: this.minOneBatch }).records
      if (records.length > 0) this.minOneBatch = false
      this.remaining -= records.length
      this.bytes += records.length
      // KIP-98: the consumer drops the records of these producers from firstOffset up to their ABORT marker.
      const aborted = readCommitted && records.length > 0
        ? p.log.abortedTransactionsNow(t.fetchOffset, lastStableOffset).map(a => ({ producerId: a.producerId, firstOffset: a.firstOffset }))
        : []
      return { partitionIndex: t.index, errorCode: ErrorCode.NONE, highWatermark, lastStableOffset, logStartOffset, records, abortedTransactions: aborted }
    } catch (err) {
      this.errors = true
      return { partitionIndex: t.index, errorCode: kafkaCodeOf(err), highWatermark, lastStableOffset, logStartOffset, records: EMPTY, abortedTransactions: [] }
    }
  }
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
