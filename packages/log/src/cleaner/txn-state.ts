import { ControlRecordType, decodeControlRecordKey, lastOffset, type DecodedRecord, type RecordBatchHeader } from '@tributary/protocol'

/**
 * Transaction bookkeeping while the cleaner walks a log in offset order
 * (the role of Kafka's CleanedTransactionMetadata, KIP-98):
 *
 * - a transactional data batch of a producer with an aborted transaction in
 *   progress (per the aborted-transaction list, i.e. the transaction index)
 *   belongs to that aborted transaction and may be discarded;
 * - an ABORT marker may be discarded only when none of its transaction's
 *   data was seen in this pass (all of it is gone already); while data is
 *   seen, the marker stays and its entry stays in the cleaned transaction
 *   index;
 * - a COMMIT marker may be discarded when none of its transaction's data was
 *   seen in this pass;
 * - an empty control batch (already emptied by an earlier cleaning) may be
 *   discarded; other control types are never discarded.
 *
 * "May be discarded" is not "is discarded": the cleaner first gives such a
 * marker a delete horizon (KIP-534) and drops it only once it has passed, so
 * that a consumer reading slowly still sees the end of the transaction.
 */

/** An aborted transaction as the transaction index records it. */
export interface AbortedTxnRange {
  producerId: bigint
  /** Offset of the transaction's first data record. */
  firstOffset: bigint
  /** Offset of its ABORT marker. */
  lastOffset: bigint
}

/** The control record type of a control batch's first record, null when it has none, -1 when its key is unreadable. */
export function controlRecordType (record: Pick<DecodedRecord, 'key'> | undefined): number | null {
  if (record === undefined) return null
  try {
    return decodeControlRecordKey(record.key).type
  } catch {
    return -1
  }
}

interface OngoingAbort<T> {
  txn: T
  /** Set once a data batch of this aborted transaction was seen in this pass. */
  sawData: boolean
}

export class TxnCleaningState<T extends AbortedTxnRange = AbortedTxnRange> {
  /** Not yet started aborted transactions, by first offset. */
  private readonly pending: T[]
  private next = 0
  private readonly ongoingAborted = new Map<bigint, OngoingAbort<T>>()
  private readonly ongoingCommitted = new Set<bigint>()
  private retained: T[] = []

  constructor (aborted: Iterable<T> = []) {
    this.pending = [...aborted].sort((a, b) => a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0)
  }

  /** Starts every aborted transaction whose first offset is at or below `offset`. */
  private startAbortedUpTo (offset: bigint): void {
    while (this.next < this.pending.length && this.pending[this.next]!.firstOffset <= offset) {
      const txn = this.pending[this.next++]!
      if (!this.ongoingAborted.has(txn.producerId)) this.ongoingAborted.set(txn.producerId, { txn, sawData: false })
    }
  }

  /** A data batch in offset order; true if it belongs to an aborted transaction. */
  onDataBatch (header: RecordBatchHeader): boolean {
    this.startAbortedUpTo(lastOffset(header))
    if (!header.isTransactional) return false
    const abort = this.ongoingAborted.get(header.producerId)
    if (abort !== undefined) {
      abort.sawData = true
      return true
    }
    this.ongoingCommitted.add(header.producerId)
    return false
  }

  /**
   * A control batch in offset order, with the type of its record (null for
   * an empty batch); true if the marker may be discarded once its delete
   * horizon passes.
   */
  onControlBatch (header: RecordBatchHeader, type: number | null): boolean {
    this.startAbortedUpTo(lastOffset(header))
    if (type === null) return true
    const pid = header.producerId
    if (type === ControlRecordType.ABORT) {
      const abort = this.ongoingAborted.get(pid)
      this.ongoingAborted.delete(pid)
      if (abort?.sawData === true) {
        this.retained.push(abort.txn)
        return false
      }
      return true
    }
    if (type === ControlRecordType.COMMIT) return !this.ongoingCommitted.delete(pid)
    return false
  }

  /**
   * Aborted transactions whose ABORT marker was kept since the last call:
   * the entries of the cleaned segment's transaction index.
   */
  takeRetainedAborted (): T[] {
    const out = this.retained
    this.retained = []
    return out
  }
}
