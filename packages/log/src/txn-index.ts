import { existsSync, readFileSync } from 'node:fs'
import type { AbortedTxn } from './types.js'
import { FileRef } from './file-ref.js'
import { renameIfExists, unlinkIfExists, writeFully } from './io.js'

export const TXN_INDEX_ENTRY_SIZE = 34
export const TXN_INDEX_VERSION = 0

/**
 * The transaction index of a segment (`.txnindex`), Kafka's format: one
 * 34-byte entry per aborted transaction whose ABORT marker is in the
 * segment: version int16 (0), producerId int64, firstOffset int64,
 * lastOffset int64, lastStableOffset int64. Fetches at read_committed use
 * it to tell consumers which ranges to drop. Entries arrive in lastOffset
 * order (the marker's offset).
 *
 * The file is created on the first entry (most segments have none, as in
 * Kafka) and written through at once: aborts are rare, and this file
 * cannot be rebuilt from the log without the producer state (recovery does
 * it with the producer snapshots, txn-replay.ts). The broker's partition
 * adds an entry when it writes an ABORT marker.
 */
export class TxnIndex {
  private entries: AbortedTxn[] = []
  private file: FileRef | null = null
  private unsynced = false

  constructor (public path: string) {}

  /** Reads the file if it exists. A damaged tail (partial entry, unknown version, decreasing lastOffset) is cut off. */
  static load (path: string): TxnIndex {
    const index = new TxnIndex(path)
    if (!existsSync(path)) return index
    const bytes = readFileSync(path)
    let prevLast = -1n
    for (let at = 0; at + TXN_INDEX_ENTRY_SIZE <= bytes.length; at += TXN_INDEX_ENTRY_SIZE) {
      if (bytes.readInt16BE(at) !== TXN_INDEX_VERSION) break
      const txn = decodeAbortedTxn(bytes, at)
      if (txn.lastOffset < prevLast || txn.firstOffset > txn.lastOffset) break
      prevLast = txn.lastOffset
      index.entries.push(txn)
    }
    if (index.entries.length * TXN_INDEX_ENTRY_SIZE !== bytes.length) index.rewrite()
    return index
  }

  get size (): number { return this.entries.length }

  all (): readonly AbortedTxn[] { return this.entries }

  append (txn: AbortedTxn): void {
    const last = this.entries[this.entries.length - 1]
    if (last !== undefined && txn.lastOffset < last.lastOffset) {
      throw new RangeError(`aborted transaction ending at ${txn.lastOffset} comes before one ending at ${last.lastOffset}`)
    }
    const buf = Buffer.alloc(TXN_INDEX_ENTRY_SIZE)
    encodeAbortedTxn(txn, buf, 0)
    writeFully(this.open().fd, buf, this.entries.length * TXN_INDEX_ENTRY_SIZE)
    this.entries.push({ ...txn })
    this.unsynced = true
  }

  /**
   * Aborted transactions that overlap [fetchOffset, upperBoundOffset): those
   * ending at or after fetchOffset and starting before the bound (Kafka's
   * TransactionIndex.collectAbortedTxns).
   */
  collect (fetchOffset: bigint, upperBoundOffset: bigint): AbortedTxn[] {
    const out: AbortedTxn[] = []
    for (const t of this.entries) {
      if (t.lastOffset >= fetchOffset && t.firstOffset < upperBoundOffset) out.push({ ...t })
    }
    return out
  }

  /**
   * Sets the entries to what recovery rebuilt from the log (txn-replay.ts).
   * The file is rewritten only when they differ from what it holds; with no
   * entry at all it is removed (most segments have none). Returns true if
   * the file changed.
   */
  replaceAll (entries: readonly AbortedTxn[]): boolean {
    if (entries.length === this.entries.length && entries.every((t, i) => sameTxn(t, this.entries[i]!))) return false
    this.entries = entries.map(t => ({ ...t }))
    if (this.entries.length === 0) {
      this.deleteFile()
      this.unsynced = false
    } else {
      this.rewrite()
    }
    return true
  }

  /** Drops the entries whose ABORT marker is at or above `offset` (their marker is truncated away). */
  truncateTo (offset: bigint): void {
    const n = this.entries.findIndex(t => t.lastOffset >= offset)
    if (n === -1) return
    this.entries.length = n
    this.rewrite()
  }

  async sync (): Promise<void> {
    if (!this.unsynced || this.file === null) return
    this.unsynced = false
    await this.file.sync()
  }

  get needsSync (): boolean { return this.unsynced }

  renameTo (path: string): void {
    if (this.file !== null) this.file.renameTo(path)
    else renameIfExists(this.path, path)
    this.path = path
  }

  closeFile (): void {
    this.file?.close()
    this.file = null
  }

  deleteFile (): void {
    this.closeFile()
    unlinkIfExists(this.path)
  }

  private open (): FileRef {
    this.file ??= FileRef.open(this.path, existsSync(this.path) ? 'r+' : 'w+')
    return this.file
  }

  /** Writes the whole (small) file again after a cut. */
  private rewrite (): void {
    const buf = Buffer.alloc(this.entries.length * TXN_INDEX_ENTRY_SIZE)
    this.entries.forEach((t, i) => encodeAbortedTxn(t, buf, i * TXN_INDEX_ENTRY_SIZE))
    this.closeFile()
    this.file = FileRef.open(this.path, 'w+')
    writeFully(this.file.fd, buf, 0)
    this.unsynced = true
  }
}

function sameTxn (a: AbortedTxn, b: AbortedTxn): boolean {
  return a.producerId === b.producerId && a.firstOffset === b.firstOffset && a.lastOffset === b.lastOffset && a.lastStableOffset === b.lastStableOffset
}

export function encodeAbortedTxn (t: AbortedTxn, buf: Buffer, at: number): void {
  buf.writeInt16BE(TXN_INDEX_VERSION, at)
  buf.writeBigInt64BE(t.producerId, at + 2)
  buf.writeBigInt64BE(t.firstOffset, at + 10)
  buf.writeBigInt64BE(t.lastOffset, at + 18)
  buf.writeBigInt64BE(t.lastStableOffset, at + 26)
}

export function decodeAbortedTxn (buf: Buffer, at: number): AbortedTxn {
  return {
    producerId: buf.readBigInt64BE(at + 2),
    firstOffset: buf.readBigInt64BE(at + 10),
    lastOffset: buf.readBigInt64BE(at + 18),
    lastStableOffset: buf.readBigInt64BE(at + 26)
  }
}
