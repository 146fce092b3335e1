import { readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { crc32c } from '@tributary/protocol'
import { SNAPSHOT_SUFFIX, parseOffsetFileName, snapshotFileName } from './segment-files.js'
import type { ProducerEntry } from './producer-state.js'

/**
 * Producer-state snapshot files, `<offset>.snapshot` beside the segments
 * (Kafka's ProducerStateManager snapshots): the state of every producer as
 * of `offset` (everything below it applied). Format: a 4-byte big-endian
 * CRC-32C of the rest, then JSON (version 1; offsets, ids and timestamps as
 * decimal strings). A snapshot whose CRC fails is ignored and removed: the
 * log is replayed from an older one instead.
 *
 * Written with a temporary file and a rename, without fsync: a snapshot is
 * only a shortcut, recovery drops one that lies above the recovered log
 * end, and a torn one fails its CRC.
 */
const VERSION = 1
const TMP = '.tmp'

interface StoredEntry {
  id: string
  epoch: number
  lastTimestamp: string
  coordinatorEpoch: number
  txnFirstOffset: string
  /** [firstSeq, lastSeq, firstOffset, lastOffset, timestamp], oldest first. */
  batches: Array<[number, number, string, string, string]>
}

export function encodeProducerSnapshot (entries: Iterable<ProducerEntry>): Buffer {
  const producers: StoredEntry[] = []
  for (const e of entries) {
    producers.push({
      id: e.producerId.toString(),
      epoch: e.producerEpoch,
      lastTimestamp: e.lastTimestamp.toString(),
      coordinatorEpoch: e.coordinatorEpoch,
      txnFirstOffset: e.currentTxnFirstOffset.toString(),
      batches: e.batches.map(b => [b.firstSeq, b.lastSeq, b.firstOffset.toString(), b.lastOffset.toString(), b.timestamp.toString()])
    })
  }
  const body = Buffer.from(JSON.stringify({ version: VERSION, producers }))
  const out = Buffer.allocUnsafe(4 + body.length)
  out.writeUInt32BE(crc32c(body), 0)
  body.copy(out, 4)
  return out
}

/** The entries of a snapshot, or null when the file is damaged or of an unknown version. */
export function decodeProducerSnapshot (data: Buffer): ProducerEntry[] | null {
  if (data.length < 4) return null
  const body = data.subarray(4)
  if (crc32c(body) !== data.readUInt32BE(0)) return null
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { version: number, producers: StoredEntry[] }
    if (parsed.version !== VERSION || !Array.isArray(parsed.producers)) return null
    return parsed.producers.map(p => ({
      producerId: BigInt(p.id),
      producerEpoch: p.epoch,
      lastTimestamp: BigInt(p.lastTimestamp),
      coordinatorEpoch: p.coordinatorEpoch,
      currentTxnFirstOffset: BigInt(p.txnFirstOffset),
      batches: p.batches.map(([firstSeq, lastSeq, firstOffset, lastOffset, timestamp]) => ({
        firstSeq, lastSeq, firstOffset: BigInt(firstOffset), lastOffset: BigInt(lastOffset), timestamp: BigInt(timestamp)
      }))
    }))
  } catch {
    return null
  }
}

export function writeProducerSnapshot (dir: string, offset: bigint, entries: Iterable<ProducerEntry>): void {
  const path = join(dir, snapshotFileName(offset))
  writeFileSync(path + TMP, encodeProducerSnapshot(entries))
  renameSync(path + TMP, path)
}

export function readProducerSnapshot (dir: string, offset: bigint): ProducerEntry[] | null {
  try {
    return decodeProducerSnapshot(readFileSync(join(dir, snapshotFileName(offset))))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

/** Offsets of the snapshot files in `dir`, ascending. */
export function listProducerSnapshots (dir: string): bigint[] {
  const found: bigint[] = []
  for (const name of readdirSync(dir)) {
    const parsed = parseOffsetFileName(name)
    if (parsed !== null && parsed.suffix === SNAPSHOT_SUFFIX) found.push(parsed.offset)
  }
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

export function deleteProducerSnapshot (dir: string, offset: bigint): void {
  try {
    unlinkSync(join(dir, snapshotFileName(offset)))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}
