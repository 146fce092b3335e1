import {
  closeSync, constants, fdatasync, fsync, fsyncSync, openSync, readSync, renameSync, unlinkSync, writeSync
} from 'node:fs'

/*
 * The few file operations of the log, on raw file descriptors.
 *
 * Writes and reads of the append and fetch paths are synchronous, on
 * purpose: they hit the page cache, and on this kind of machine a pwrite or
 * pread through libuv's thread pool costs 10 to 30 times more than the copy
 * itself for a 16 KiB batch (measured; see README). Kafka writes from its
 * request threads the same way. fsync is the slow operation and the only
 * one sent to the thread pool, so the event loop keeps serving while a
 * group commit runs.
 */

/** pwrite until every byte is written (a regular file may take a short write, e.g. near ENOSPC). */
export function writeFully (fd: number, buf: Buffer, position: number): void {
  let done = 0
  while (done < buf.length) {
    done += writeSync(fd, buf, done, buf.length - done, position + done)
  }
}

/** pread up to `length` bytes into `buf` at `bufOffset`; fewer only at end of file. */
export function readAt (fd: number, buf: Buffer, bufOffset: number, length: number, position: number): number {
  let done = 0
  while (done < length) {
    const n = readSync(fd, buf, bufOffset + done, length - done, position + done)
    if (n === 0) break
    done += n
  }
  return done
}

export function fdatasyncAsync (fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, err => err === null ? resolve() : reject(err)))
}

export function fsyncAsync (fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, err => err === null ? resolve() : reject(err)))
}

const DIR_FLAGS = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0)

/** Makes creations, renames and deletions in `dir` durable (a file's fsync does not cover its directory entry). */
export async function fsyncDirectory (dir: string): Promise<void> {
  const fd = openSync(dir, DIR_FLAGS)
  try {
    await fsyncAsync(fd)
  } finally {
    closeSync(fd)
  }
}

export function fsyncDirectorySync (dir: string): void {
  const fd = openSync(dir, DIR_FLAGS)
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** True for the errno of a file that is not there. */
export function isNotFound (err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT'
}

/** Removes a file; one that is already gone is fine (recovery and deletion may race a crash). */
export function unlinkIfExists (path: string): void {
  try {
    unlinkSync(path)
  } catch (err) {
    if (!isNotFound(err)) throw err
  }
}

/** Renames a file if it exists (an index may never have been written). */
export function renameIfExists (from: string, to: string): void {
  try {
    renameSync(from, to)
  } catch (err) {
    if (!isNotFound(err)) throw err
  }
}
