import { join } from 'node:path'

/*
 * File names inside a partition directory, as Kafka lays them out: every
 * segment file is named by the segment's base offset, zero-padded to 20
 * digits so that names sort like offsets (Kafka's LogFileUtils).
 */

export const LOG_SUFFIX = '.log'
export const INDEX_SUFFIX = '.index'
export const TIME_INDEX_SUFFIX = '.timeindex'
export const TXN_INDEX_SUFFIX = '.txnindex'
/** Producer-state snapshots, `<offset>.snapshot` (written by the idempotence issue; the log leaves them alone). */
export const SNAPSHOT_SUFFIX = '.snapshot'
/** A file scheduled for deletion (file.delete.delay.ms); removed at the latest on the next open. */
export const DELETED_SUFFIX = '.deleted'
/** A segment being written by the cleaner; incomplete by definition, removed on open. */
export const CLEANED_SUFFIX = '.cleaned'
/** A cleaned segment that is replacing others; the swap is completed on open. */
export const SWAP_SUFFIX = '.swap'
/** Temporary file of an atomic replace (checkpoints). */
export const TMP_SUFFIX = '.tmp'

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint'
/** Written by a clean close, removed by the next open (Kafka keeps `.kafka_cleanshutdown` per log directory; we keep one per partition). */
export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown'

export const SEGMENT_SUFFIXES = [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX] as const

const DIGITS = 20

export function offsetFileStem (offset: bigint): string {
  return offset.toString().padStart(DIGITS, '0')
}

export function segmentFilePath (dir: string, baseOffset: bigint, suffix: string): string {
  return join(dir, offsetFileStem(baseOffset) + suffix)
}

export function snapshotFileName (offset: bigint): string {
  return offsetFileStem(offset) + SNAPSHOT_SUFFIX
}

/** `{ offset, suffix }` for a name made of 20 digits and a suffix (which may itself carry `.deleted` etc.), or null. */
export function parseOffsetFileName (name: string): { offset: bigint, suffix: string } | null {
  if (name.length <= DIGITS) return null
  const stem = name.slice(0, DIGITS)
  if (!/^[0-9]{20}$/.test(stem)) return null
  const suffix = name.slice(DIGITS)
  if (!suffix.startsWith('.')) return null
  return { offset: BigInt(stem), suffix }
}
