import { closeSync, fstatSync, openSync, renameSync } from 'node:fs'
import { fdatasyncAsync } from './io.js'

/**
 * An open file of a segment (log or index) whose descriptor may be in use
 * by an fsync on the thread pool.
 *
 * Lifecycle: open -> (write/sync)* -> close. close() called while an fsync
 * is running closes the descriptor only when that fsync returns: closing it
 * earlier would let the number be reused by another open() and the pending
 * fsync would land on the wrong file. A sync requested after close resolves
 * at once (the file is being deleted or was fully synced before close).
 * Renames keep the descriptor valid, so a file can be renamed `.deleted`
 * while a sync of it runs.
 */
export class FileRef {
  private inflight = 0
  private closeRequested = false
  private released = false

  private constructor (public path: string, readonly fd: number) {}

  /** flags as fs.openSync: 'r+' an existing file, 'w+' a new (or emptied) one. */
  static open (path: string, flags: 'r+' | 'w+' | 'wx+'): FileRef {
    return new FileRef(path, openSync(path, flags))
  }

  get isOpen (): boolean { return !this.closeRequested }

  size (): number {
    return fstatSync(this.fd).size
  }

  mtimeMs (): number {
    return fstatSync(this.fd).mtimeMs
  }

  /** fdatasync on the thread pool: data and the metadata needed to read it back (the size), not timestamps. */
  async sync (): Promise<void> {
    if (this.closeRequested) return
    this.inflight++
    try {
      await fdatasyncAsync(this.fd)
    } finally {
      this.inflight--
      if (this.closeRequested && this.inflight === 0) this.release()
    }
  }

  renameTo (path: string): void {
    renameSync(this.path, path)
    this.path = path
  }

  close (): void {
    if (this.closeRequested) return
    this.closeRequested = true
    if (this.inflight === 0) this.release()
  }

  private release (): void {
    if (this.released) return
    this.released = true
    closeSync(this.fd)
  }
}
