import {
  CONTROL_FLAG_MASK, ControlRecordType, TRANSACTIONAL_FLAG_MASK, decodeRecordBatchSync
} from '@tributary/protocol'
import type { ScannedBatch } from './batch-scan.js'
import { controlRecordType } from './cleaner/txn-state.js'
import { listProducerSnapshots, readProducerSnapshot } from './producer-snapshot.js'
import { ProducerStateManager } from './producer-state.js'
import type { LogSegment } from './segment.js'
import type { AbortedTxn } from './types.js'

/**
 * Rebuilds the transaction indexes (`.txnindex`) of the segments an unclean
 * recovery scans, as Kafka's LogSegment.recover does with the producer
 * state it is given: the index of a scanned segment is reset and every
 * ABORT marker found in it adds the aborted transaction again.
 *
 * A transaction index cannot be derived from the segment alone: an entry
 * needs the first offset of the aborted transaction (possibly in an earlier
 * segment) and the last stable offset at the marker (the earliest other
 * open transaction). So, before the first scanned segment, the open
 * transactions are loaded from the newest producer snapshot at or below its
 * base offset (the partition writes one at every roll) and the batch
 * headers between that snapshot (or the first segment, without one) and
 * the scanned segment are replayed. Then the scanned batches are replayed
 * in order, through the same ProducerStateManager the partition uses, and
 * each ABORT records what Partition.writeMarker records on append:
 * `{ producerId, firstOffset, lastOffset: marker offset, lastStableOffset }`.
 *
 * Snapshots are only read here: producer-state recovery (the partition's
 * job, after open) decides which ones to keep.
 */
export class TxnIndexReplay {
  private readonly state = new ProducerStateManager()
  private found: AbortedTxn[] = []

  /** Primes the replay with the state as of `segments[from].baseOffset`. */
  static before (dir: string, segments: readonly LogSegment[], from: number): TxnIndexReplay {
    const replay = new TxnIndexReplay()
    const base = segments[from]!.baseOffset
    let start: bigint | null = null
    const snapshots = listProducerSnapshots(dir)
    for (let i = snapshots.length - 1; i >= 0 && start === null; i--) {
      const offset = snapshots[i]!
      if (offset > base) continue
      const entries = readProducerSnapshot(dir, offset)
      if (entries === null) continue
      for (const e of entries) replay.state.load(e)
      start = offset
    }
    for (let i = 0; i < from; i++) {
      const seg = segments[i]!
      const nextBase = segments[i + 1]!.baseOffset
      if (start !== null && nextBase <= start) continue
      const min = start
      // Below the recovery point the files are trusted: headers only, and damage just ends the replay of that segment.
      seg.scanHeaders(0, seg.baseOffset, b => {
        if (min === null || b.lastOffset >= min) replay.apply(b, false)
      })
    }
    replay.found = []
    return replay
  }

  /** One batch of a scanned segment, in offset order (with its bytes: a marker's type is in its record). */
  onBatch (b: ScannedBatch): void {
    this.apply(b, true)
  }

  /** The aborted transactions whose markers were replayed since the last call, in marker order. */
  take (): AbortedTxn[] {
    const out = this.found
    this.found = []
    return out
  }

  private apply (b: ScannedBatch, record: boolean): void {
    if (b.producerId < 0n) return
    if ((b.attributes & CONTROL_FLAG_MASK) === 0) {
      this.state.replay({
        producerId: b.producerId,
        producerEpoch: b.producerEpoch,
        baseSequence: b.baseSequence,
        lastOffsetDelta: Number(b.lastOffset - b.baseOffset),
        maxTimestamp: b.maxTimestamp,
        isTransactional: (b.attributes & TRANSACTIONAL_FLAG_MASK) !== 0
      }, b.baseOffset, b.lastOffset)
      return
    }
    // A COMMIT or ABORT marker ends the producer's open transaction (as producer-state recovery replays it).
    const first = this.state.completeTxn(b.producerId, b.producerEpoch, -1, b.maxTimestamp)
    if (!record || first < 0n || markerType(b) !== ControlRecordType.ABORT) return
    const marker = b.baseOffset
    const lso = this.state.firstUnstableOffset()
    this.found.push({ producerId: b.producerId, firstOffset: first, lastOffset: marker, lastStableOffset: lso === null || lso > marker ? marker + 1n : lso })
  }
}

/** The control record type of a control batch, null when its bytes are not at hand or it has no record, -1 when unreadable. */
function markerType (b: ScannedBatch): number | null {
  if (b.bytes === undefined) return null
  try {
    return controlRecordType(decodeRecordBatchSync(b.bytes, { verifyCrc: false }).records[0])
  } catch {
    return -1
  }
}
