import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { open, readFile, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fsyncDirectory, fsyncDirectorySync, isNotFound } from './io.js'
import { TMP_SUFFIX } from './segment-files.js'

/*
 * Kafka's checkpoint text files (CheckpointFile): a version line, a count
 * line, then `count` entry lines whose fields are separated by one space.
 * Used for leader-epoch-checkpoint ("epoch startOffset"),
 * recovery-point-offset-checkpoint, log-start-offset-checkpoint and
 * replication-offset-checkpoint ("topic partition offset").
 *
 * Writes replace the file atomically: temp file, fsync, rename, fsync of the
 * directory, so a crash leaves the old or the new content, never a mix.
 */

export class CheckpointFormatError extends Error {
  constructor (path: string, detail: string) {
    super(`malformed checkpoint file ${path}: ${detail}`)
    this.name = 'CheckpointFormatError'
  }
}

function render (version: number, lines: readonly string[]): string {
  return `${version}\n${lines.length}\n${lines.map(l => l + '\n').join('')}`
}

/** Splits the file into its entry lines, checking the version and the count. */
export function parseCheckpoint (path: string, text: string, version: number): string[] {
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  if (lines.length < 2) throw new CheckpointFormatError(path, 'no version and count lines')
  if (lines[0]!.trim() !== String(version)) throw new CheckpointFormatError(path, `unsupported version ${JSON.stringify(lines[0])}`)
  const count = Number(lines[1]!.trim())
  if (!Number.isInteger(count) || count < 0) throw new CheckpointFormatError(path, `bad count ${JSON.stringify(lines[1])}`)
  const entries = lines.slice(2)
  if (entries.length !== count) throw new CheckpointFormatError(path, `count says ${count} entries, found ${entries.length}`)
  return entries
}

/** The entry lines, or null if the file does not exist. Throws CheckpointFormatError on damage. */
export async function readCheckpoint (path: string, version: number): Promise<string[] | null> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if (isNotFound(err)) return null
    throw err
  }
  return parseCheckpoint(path, text, version)
}

export function readCheckpointSync (path: string, version: number): string[] | null {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if (isNotFound(err)) return null
    throw err
  }
  return parseCheckpoint(path, text, version)
}

export async function writeCheckpoint (path: string, version: number, lines: readonly string[]): Promise<void> {
  await writeFileDurably(path, render(version, lines))
}

/**
 * Replaces `path` with `data` so that a crash at any moment leaves either
 * the old or the new content, never a mix: write a temporary file, fsync
 * it, rename it over the target, fsync the directory so that the rename is
 * durable too. Used for every small state file (checkpoints here, the
 * metadata snapshot and meta.properties in @tributary/metadata).
 */
export async function writeFileDurably (path: string, data: string | Buffer): Promise<void> {
  const tmp = path + TMP_SUFFIX
  const fh = await open(tmp, 'w')
  try {
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
  try {
    await rename(tmp, path)
  } catch (err) {
    await unlink(tmp).catch(() => {})
    throw err
  }
  await fsyncDirectory(dirname(path))
}

/** The same, blocking: for the few places that must not yield (close paths). */
export function writeCheckpointSync (path: string, version: number, lines: readonly string[]): void {
  writeFileDurablySync(path, render(version, lines))
}

/** writeFileDurably, blocking: for the few places that must not yield (close paths, a coordinator's load). */
export function writeFileDurablySync (path: string, data: string | Buffer): void {
  const tmp = path + TMP_SUFFIX
  const fd = openSync(tmp, 'w')
  try {
    writeFileSync(fd, data)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  try {
    renameSync(tmp, path)
  } catch (err) {
    try { unlinkSync(tmp) } catch {}
    throw err
  }
  fsyncDirectorySync(dirname(path))
}

/** Parses a non-negative 64-bit decimal field. */
export function parseOffsetField (path: string, field: string | undefined): bigint {
  if (field === undefined || !/^-?[0-9]+$/.test(field)) throw new CheckpointFormatError(path, `bad number ${JSON.stringify(field)}`)
  return BigInt(field)
}
