import { join } from 'node:path'
import { CheckpointFormatError, parseOffsetField, readCheckpoint, writeCheckpoint } from './checkpoint-file.js'

/** Kafka's per-log-directory checkpoint files, "topic partition offset" lines, version 0. */
export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint'
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint'
/** Where the last cleaning of each compacted log ended (Kafka's LogCleanerManager keeps it per log directory). */
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint'
/** The high watermarks (Kafka's ReplicaManager keeps this file; here the log manager does, since the log stores the HW). */
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint'

const VERSION = 0

/** "topic-partition" -> offset. Topic names cannot contain spaces (Kafka's legal characters: [a-zA-Z0-9._-]). */
export type OffsetsByPartition = Map<string, bigint>

export function partitionKey (topic: string, partition: number): string {
  return `${topic}-${partition}`
}

/**
 * Reads one of the offset checkpoint files of `logDir`. A missing file is
 * empty; a damaged one throws CheckpointFormatError (the caller decides:
 * the log manager then recovers every log of the directory fully).
 */
export async function readOffsetsCheckpoint (logDir: string, file: string): Promise<OffsetsByPartition> {
  const path = join(logDir, file)
  const lines = await readCheckpoint(path, VERSION)
  const out: OffsetsByPartition = new Map()
  for (const line of lines ?? []) {
    const fields = line.split(' ')
    if (fields.length !== 3) throw new CheckpointFormatError(path, `bad line ${JSON.stringify(line)}`)
    const [topic, partitionField, offsetField] = fields as [string, string, string]
    const partition = Number(partitionField)
    if (topic === '' || !Number.isInteger(partition) || partition < 0) throw new CheckpointFormatError(path, `bad line ${JSON.stringify(line)}`)
    out.set(partitionKey(topic, partition), parseOffsetField(path, offsetField))
  }
  return out
}

export async function writeOffsetsCheckpoint (logDir: string, file: string,
  entries: ReadonlyArray<{ topic: string, partition: number, offset: bigint }>): Promise<void> {
  await writeCheckpoint(join(logDir, file), VERSION, entries.map(e => `${e.topic} ${e.partition} ${e.offset}`))
}
