import { closeSync, fsyncSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { fsyncDirectorySync, isNotFound } from './io.js'
import { CLEAN_SHUTDOWN_FILE } from './segment-files.js'

/**
 * What a clean close leaves for the next open, in `.clean-shutdown` (JSON).
 * Its presence says every segment, index and checkpoint was synced at
 * close, so the next open checks only the tail of the active segment
 * instead of scanning from the recovery point (Kafka's clean shutdown
 * file, which since KIP-966 also carries data). It also carries the offsets
 * that no segment file can show: the log start inside a segment
 * (DeleteRecords) and the high watermark; the log manager's checkpoint
 * files hold them too, and are what counts after an unclean stop.
 */
export interface CleanShutdownState {
  logStartOffset: bigint
  highWatermark: bigint
  /** Where the last cleaning ended, null if never (the log manager also keeps cleaner-offset-checkpoint). */
  cleanerCheckpoint: bigint | null
}

const VERSION = 0

export function cleanShutdownPath (dir: string): string {
  return join(dir, CLEAN_SHUTDOWN_FILE)
}

/** The state, or null when there is no marker or it cannot be trusted (then the stop counts as unclean). */
export function readCleanShutdown (dir: string): CleanShutdownState | null {
  let text: string
  try {
    text = readFileSync(cleanShutdownPath(dir), 'utf8')
  } catch (err) {
    if (isNotFound(err)) return null
    return null
  }
  try {
    const json = JSON.parse(text) as { version?: unknown, logStartOffset?: unknown, highWatermark?: unknown, cleanerCheckpoint?: unknown }
    if (json.version !== VERSION || typeof json.logStartOffset !== 'string' || typeof json.highWatermark !== 'string') return null
    const cleaner = typeof json.cleanerCheckpoint === 'string' ? BigInt(json.cleanerCheckpoint) : null
    return { logStartOffset: BigInt(json.logStartOffset), highWatermark: BigInt(json.highWatermark), cleanerCheckpoint: cleaner }
  } catch {
    return null
  }
}

/** Written last by close(), after every file is synced; synced itself with its directory entry. */
export function writeCleanShutdown (dir: string, state: CleanShutdownState): void {
  const fd = openSync(cleanShutdownPath(dir), 'w')
  try {
    writeSync(fd, JSON.stringify({
      version: VERSION,
      logStartOffset: String(state.logStartOffset),
      highWatermark: String(state.highWatermark),
      cleanerCheckpoint: state.cleanerCheckpoint === null ? null : String(state.cleanerCheckpoint)
    }) + '\n')
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  fsyncDirectorySync(dir)
}

/**
 * Removed by open() before the log takes any write, durably: a marker that
 * survived a later crash would make the next open trust unsynced data.
 */
export function removeCleanShutdown (dir: string): boolean {
  try {
    unlinkSync(cleanShutdownPath(dir))
  } catch (err) {
    if (isNotFound(err)) return false
    throw err
  }
  fsyncDirectorySync(dir)
  return true
}
