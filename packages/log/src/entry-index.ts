import { ftruncateSync } from 'node:fs'
import { FileRef } from './file-ref.js'
import { renameIfExists, unlinkIfExists, writeFully } from './io.js'

/**
 * A file of fixed-size index entries (offset index, time index) kept in
 * memory and written to its file lazily.
 *
 * Kafka memory-maps its indexes; Node has no mmap, so the entries live in a
 * Buffer and the file receives the new entries on writePending(): at flush,
 * roll and close. Nothing is lost by the delay: after an unclean stop the
 * indexes of every segment at or above the recovery point are rebuilt from
 * the log, and the recovery point only moves past a segment once its
 * indexes are written and synced.
 *
 * Invariants: entries [0, count) are valid in memory; the first `onDisk`
 * of them are in the file too; the file may hold more bytes than that
 * (after a truncation, or a damaged tail), which the next write cuts off.
 * Not concurrent: every call runs on the event loop.
 */
export abstract class EntryIndex {
  protected buf: Buffer
  protected count = 0
  readonly maxEntries: number
  private onDisk = 0
  private fileBytes = 0
  private fileExists: boolean
  private file: FileRef | null = null
  /** Written since the last sync. */
  private unsynced = false

  protected constructor (public path: string, readonly entrySize: number, maxIndexBytes: number, contents?: Buffer) {
    // Kafka rounds segment.index.bytes down to whole entries; at least one so that an index can fill and roll.
    this.maxEntries = Math.max(1, Math.floor(maxIndexBytes / entrySize))
    if (contents === undefined) {
      this.buf = Buffer.alloc(entrySize * Math.min(this.maxEntries, 64))
      this.fileExists = false
      return
    }
    this.count = Math.floor(contents.length / entrySize)
    this.buf = Buffer.alloc(entrySize * Math.max(this.count, Math.min(this.maxEntries, 64)))
    contents.copy(this.buf, 0, 0, this.count * entrySize)
    this.onDisk = this.count
    this.fileBytes = contents.length
    this.fileExists = true
  }

  get entries (): number { return this.count }

  isFull (): boolean { return this.count >= this.maxEntries }

  /** Bytes the entries take (the file size once written). */
  get sizeBytes (): number { return this.count * this.entrySize }

  /** The file holds a partial entry at its end: a torn write or a damaged file. */
  get hasPartialEntry (): boolean { return this.fileBytes % this.entrySize !== 0 }

  /** Drops entries from `n` on. */
  protected truncateEntries (n: number): void {
    if (n >= this.count) return
    this.count = n
    if (this.onDisk > n) this.onDisk = n
  }

  reset (): void {
    this.truncateEntries(0)
  }

  /** Room for one more entry, growing the buffer by doubling up to the maximum. */
  protected slot (): number {
    const at = this.count * this.entrySize
    if (at + this.entrySize > this.buf.length) {
      // Up to the maximum, plus the one entry a closing segment may add past it (TimeIndex.maybeAppend).
      const grown = Buffer.alloc(Math.max(at + this.entrySize, Math.min(this.buf.length * 2, this.maxEntries * this.entrySize)))
      this.buf.copy(grown, 0, 0, at)
      this.buf = grown
    }
    return at
  }

  /** Writes entries not yet in the file (and cuts a longer file). Returns true if the file changed. */
  writePending (): boolean {
    const valid = this.onDisk * this.entrySize
    if (this.fileExists && this.fileBytes === this.count * this.entrySize && this.onDisk === this.count) return false
    if (this.file === null) {
      this.file = FileRef.open(this.path, this.fileExists ? 'r+' : 'w+')
      this.fileExists = true
    }
    if (this.fileBytes > valid) {
      ftruncateSync(this.file.fd, valid)
      this.fileBytes = valid
    }
    if (this.onDisk < this.count) {
      writeFully(this.file.fd, this.buf.subarray(valid, this.count * this.entrySize), valid)
      this.onDisk = this.count
      this.fileBytes = this.count * this.entrySize
    }
    this.unsynced = true
    return true
  }

  /** fdatasync of what writePending wrote, if anything. */
  async sync (): Promise<void> {
    if (!this.unsynced || this.file === null) return
    this.unsynced = false
    await this.file.sync()
  }

  get needsSync (): boolean { return this.unsynced }

  /** Renames the file (e.g. to `.deleted`) if it exists. */
  renameTo (path: string): void {
    if (this.file !== null) {
      this.file.renameTo(path)
    } else if (this.fileExists) {
      renameIfExists(this.path, path)
    }
    this.path = path
  }

  /** Releases the descriptor (after a pending sync); the entries stay readable in memory. */
  closeFile (): void {
    this.file?.close()
    this.file = null
  }

  deleteFile (): void {
    this.closeFile()
    unlinkIfExists(this.path)
    this.fileExists = false
    this.onDisk = 0
    this.fileBytes = 0
  }
}
