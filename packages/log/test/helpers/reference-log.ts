import { decodeRecordBatchSync, readBatchHeader, splitBatches } from '@tributary/protocol'
import type { TimestampOffset } from '../../src/types.js'
import { storedBatch, type StoredAs, type TestBatch } from './batches.js'

/*
 * The test-side model of a partition log, written apart from MemoryLog so
 * that the two check each other: it keeps every record with its offset,
 * timestamp, key and value, and the exact bytes each batch must have (built
 * by re-encoding, see storedBatch). Reads are answered from the record list
 * grouped by batch, not from a batch array walk like MemoryLog's.
 */

export interface ModelRecord {
  offset: bigint
  timestamp: bigint
  key: Buffer | null
  value: Buffer | null
}

export interface ModelBatch {
  base: bigint
  last: bigint
  bytes: Buffer
  records: ModelRecord[]
}

export interface ModelRead {
  records: Buffer
  nextOffset: bigint
  /** base-last of each batch, for messages. */
  spans: string[]
}

export class ReferenceLog {
  batches: ModelBatch[] = []
  logStart = 0n
  logEnd = 0n
  highWatermark = 0n
  /**
   * Where the last cleaning ended (Kafka's cleaner-offset-checkpoint), null
   * before the first: set by the compaction model, lowered by truncation.
   */
  cleanerCheckpoint: bigint | null = null

  /** Appends as the log must: dense offsets from the log end, one batch after another. */
  append (batches: TestBatch[], as: StoredAs = {}): { firstOffset: bigint, lastOffset: bigint } {
    const firstOffset = this.logEnd
    for (const b of batches) {
      const base = this.logEnd
      const bytes = storedBatch(b, base, as)
      const h = readBatchHeader(bytes)
      const records = b.records.map((r, i) => ({
        offset: base + BigInt(i),
        timestamp: as.logAppendTime ?? r.timestamp,
        key: r.key,
        value: r.value
      }))
      const last = base + BigInt(h.lastOffsetDelta)
      this.batches.push({ base, last, bytes, records })
      this.logEnd = last + 1n
    }
    return { firstOffset, lastOffset: this.logEnd - 1n }
  }

  inRange (offset: bigint): boolean {
    return offset >= this.logStart && offset <= this.logEnd
  }

  /** null when the log must answer OFFSET_OUT_OF_RANGE. */
  read (offset: bigint, maxBytes: number, maxOffset = this.logEnd, minOneBatch = true): ModelRead | null {
    if (!this.inRange(offset)) return null
    const candidates = this.batches.filter(b => b.last >= offset)
    const taken: ModelBatch[] = []
    let size = 0
    for (const b of candidates) {
      if (b.last >= maxOffset) break
      const first = taken.length === 0
      if (size + b.bytes.length > maxBytes && !(first && minOneBatch)) break
      taken.push(b)
      size += b.bytes.length
    }
    return {
      records: Buffer.concat(taken.map(b => b.bytes)),
      nextOffset: taken.length === 0 ? offset : taken[taken.length - 1]!.last + 1n,
      spans: taken.map(b => `${b.base}-${b.last}`)
    }
  }

  /** Records a reader may see: at or above the log start. */
  liveRecords (): ModelRecord[] {
    return this.batches.flatMap(b => b.records).filter(r => r.offset >= this.logStart)
  }

  offsetForTimestamp (timestamp: bigint): TimestampOffset | null {
    const hit = this.liveRecords().find(r => r.timestamp >= timestamp)
    return hit === undefined ? null : { offset: hit.offset, timestamp: hit.timestamp }
  }

  maxTimestampOffset (): TimestampOffset | null {
    let best: ModelRecord | undefined
    for (const r of this.liveRecords()) if (best === undefined || r.timestamp > best.timestamp) best = r
    return best === undefined ? null : { offset: best.offset, timestamp: best.timestamp }
  }

  /** Kafka's truncation: whole batches with last offset >= target go; the end becomes target. */
  truncateTo (offset: bigint): void {
    if (offset >= this.logEnd) return
    this.batches = this.batches.filter(b => b.last < offset)
    this.logEnd = offset
    if (this.logStart > offset) this.logStart = offset
    if (this.highWatermark > offset) this.highWatermark = offset
    // Kafka's maybeTruncateCheckpoint: records written after the cut are dirty.
    if (this.cleanerCheckpoint !== null && this.cleanerCheckpoint > offset) this.cleanerCheckpoint = offset
  }

  /** false when the log must answer OFFSET_OUT_OF_RANGE (beyond the log end). */
  advanceLogStart (offset: bigint): boolean {
    if (offset > this.logEnd) return false
    if (offset <= this.logStart) return true
    this.logStart = offset
    this.batches = this.batches.filter(b => b.last >= offset)
    if (this.highWatermark < offset) this.highWatermark = offset
    return true
  }

  /** Replaces the batches with what a log returned (after compaction, which the model cannot predict byte for byte). */
  adopt (records: Buffer): void {
    const { batches, leftover } = splitBatches(records)
    if (leftover.length !== 0) throw new Error('cannot adopt a partial batch')
    this.batches = batches.map(bytes => {
      const { header, records } = decodeRecordBatchSync(bytes)
      return {
        base: header.baseOffset,
        last: header.baseOffset + BigInt(header.lastOffsetDelta),
        bytes: Buffer.from(bytes),
        records: records.map(r => ({
          offset: r.offset,
          timestamp: r.timestamp,
          key: r.key === null ? null : Buffer.from(r.key),
          value: r.value === null ? null : Buffer.from(r.value)
        }))
      }
    })
  }

  /** All batches, as one read of everything would return them. */
  everything (): Buffer {
    return Buffer.concat(this.batches.map(b => b.bytes))
  }
}
