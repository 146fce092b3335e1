import { readBatchHeader, type RecordBatchHeader } from '@tributary/protocol'
import { OffsetMap } from '../../src/cleaner/offset-map.js'
import type { ModelBatch, ModelRecord, ReferenceLog } from './reference-log.js'

/*
 * What one round of Kafka's log cleaner must do to a log, worked out from
 * the reference model and the segment layout before the round, written
 * apart from src/cleaner (after Kafka's LogCleanerManager.cleanableOffsets,
 * Cleaner.doClean/buildOffsetMap/cleanSegments/shouldRetainRecord,
 * MemoryRecords.filterTo and KIP-534), so that the fuzzer can check a
 * cleaning exactly rather than by what it "may" do:
 *
 * - the dirty section runs from the checkpoint (or the log start when the
 *   checkpoint is outside the log) to the first uncleanable offset: the base
 *   of the segment holding min(last stable offset, active segment base);
 * - the offset map takes the latest offset of every key at or above the
 *   first dirty offset, batch by batch, until it is full (its memory
 *   accounting is the implementation's own: OffsetMap.full; where it stops
 *   is worked out here) or the dirty section ends; the round ends there;
 * - every batch of every non-active segment below the round's end is
 *   filtered: a record stays iff it is above the map, or it has a key (or
 *   keyless records are retained), is not older than its key's mapped
 *   offset, and has a value or is a tombstone whose delete horizon has not
 *   passed; records above the round's end and segments not cleaned are
 *   untouched;
 * - a batch keeping everything and needing no new horizon stays byte for
 *   byte; a batch keeping some records is rewritten with its offsets,
 *   producer fields, leader epoch, codec and timestamp type, and gets
 *   horizon = now + delete.retention.ms the first time it keeps a
 *   tombstone; a batch keeping nothing goes, unless it ends a segment group
 *   or the dirty section, where it stays as an empty header;
 * - segments are rewritten in groups of consecutive segments within
 *   segment.bytes; the checkpoint becomes the round's end.
 */

/** The part of a segment descriptor the model needs (a snapshot taken before the round). */
export interface SegmentSnapshot {
  baseOffset: bigint
  nextOffset: bigint
  sizeBytes: number
  isActive: boolean
}

export interface CleaningSettings {
  /** The cleaner's clock for this round, ms. */
  now: number
  /**
   * force: LogCleaner.cleanLog ignoring min.cleanable.dirty.ratio; ratio:
   * cleanLog honouring it; scheduler: cleanFilthiest, which does not even
   * look at a log whose ratio does not qualify (so does not reset its
   * checkpoint either).
   */
  via: 'force' | 'ratio' | 'scheduler'
  deleteRetentionMs: number
  minCleanableDirtyRatio: number
  segmentBytes: number
  offsetMapBytes: number
  keyless: 'discard' | 'retain'
}

export type BatchFate =
  /** The same bytes. */
  | 'unchanged'
  /** Rebuilt around the records kept (or with a new delete horizon). */
  | 'rewritten'
  /** Every record gone, the batch kept as a bare header with its offset range. */
  | 'emptied'
  /** Gone. */
  | 'dropped'

export interface ExpectedBatch {
  batch: ModelBatch
  header: RecordBatchHeader
  fate: BatchFate
  kept: ModelRecord[]
  /** The delete horizon the batch has after the round, null if none. */
  horizon: bigint | null
  /** Index of the segment group it was cleaned in; -1 when not cleaned. */
  group: number
}

export interface ExpectedRound {
  firstUncleanableOffset: bigint
  /** The map's latest offset + 1: the new checkpoint. */
  endOffset: bigint
  mapFull: boolean
  /** Segment groups rewritten: the base offsets of the segments each joins, and its last segment's next offset. */
  groups: Array<{ bases: bigint[], nextOffset: bigint }>
  /** Groups in which some batch the model sees changes. */
  groupsChanged: Set<number>
}

export interface ExpectedCleaning {
  firstDirtyOffset: bigint
  checkpointReset: boolean
  dirtyRatio: number
  /** null: the cleaner must not run a round (nothing cleanable, or the ratio is not above the minimum). */
  round: ExpectedRound | null
  /** Every batch of the model, in order, with what the round does to it. */
  batches: ExpectedBatch[]
  checkpointAfter: bigint | null
}

function minOf (a: bigint, b: bigint): bigint { return a < b ? a : b }

/** Kafka's logSegments(from, to): the segment holding `from` (or the first) and every later one starting below `to`. */
function segmentsOverlapping (segs: readonly SegmentSnapshot[], from: bigint, to: bigint): SegmentSnapshot[] {
  if (segs.length === 0 || from >= to) return []
  let floor = 0
  for (let i = 0; i < segs.length; i++) if (segs[i]!.baseOffset <= from) floor = i
  const out: SegmentSnapshot[] = []
  for (let i = floor; i < segs.length && segs[i]!.baseOffset < to; i++) out.push(segs[i]!)
  return out
}

function bytesOf (segs: readonly SegmentSnapshot[]): number {
  return segs.reduce((n, s) => n + s.sizeBytes, 0)
}

/** The segment a batch lives in: the last one based at or below the batch's base offset. */
function segmentIndexOf (segs: readonly SegmentSnapshot[], base: bigint): number {
  let at = -1
  for (let i = 0; i < segs.length; i++) if (segs[i]!.baseOffset <= base) at = i
  return at
}

/** Kafka's groupSegmentsBySize: consecutive segments while their bytes stay within segment.bytes. */
function groupBySize (segs: readonly SegmentSnapshot[], maxBytes: number): SegmentSnapshot[][] {
  const groups: SegmentSnapshot[][] = []
  for (const s of segs) {
    const g = groups.at(-1)
    if (g !== undefined && bytesOf(g) + s.sizeBytes <= maxBytes) g.push(s)
    else groups.push([s])
  }
  return groups
}

const keyOf = (r: ModelRecord): string => r.key!.toString('latin1')

/** A batch the round does not touch. */
export function untouched (batch: ModelBatch): ExpectedBatch {
  const header = readBatchHeader(batch.bytes)
  return { batch, header, fate: 'unchanged', kept: batch.records, horizon: header.hasDeleteHorizonMs ? header.baseTimestamp : null, group: -1 }
}

export function expectCleaning (m: ReferenceLog, segs: readonly SegmentSnapshot[], s: CleaningSettings): ExpectedCleaning {
  const cp = m.cleanerCheckpoint ?? m.logStart
  const checkpointReset = cp < m.logStart || cp > m.logEnd
  const firstDirty = checkpointReset ? m.logStart : cp
  const activeBase = segs.find(x => x.isActive)?.baseOffset ?? m.logEnd
  const lastStable = minOf(m.highWatermark, m.logEnd)
  let uncleanable = minOf(lastStable, activeBase)
  if (uncleanable < firstDirty) uncleanable = firstDirty
  // Rounded down to a segment base: the non-active segment holding it, else the active segment.
  const holding = uncleanable < activeBase ? segmentsOverlapping(segs, uncleanable, activeBase).filter(x => !x.isActive) : []
  const firstUncleanable = holding.length > 0 ? holding[0]!.baseOffset : activeBase

  const cleanBytes = bytesOf(segs.filter(x => x.baseOffset < firstDirty))
  const cleanableBytes = bytesOf(segmentsOverlapping(segs, minOf(firstDirty, firstUncleanable), firstUncleanable))
  const totalBytes = cleanBytes + cleanableBytes
  const dirtyRatio = totalBytes > 0 ? cleanableBytes / totalBytes : 0
  const runs = firstUncleanable > firstDirty && cleanableBytes > 0 && (s.via === 'force' || dirtyRatio > s.minCleanableDirtyRatio)
  if (!runs) {
    const checkpointAfter = checkpointReset && s.via !== 'scheduler' ? firstDirty : m.cleanerCheckpoint
    return { firstDirtyOffset: firstDirty, checkpointReset, dirtyRatio, round: null, batches: m.batches.map(untouched), checkpointAfter }
  }

  // Phase 1: the offset map over the dirty section, batch by batch, until full.
  const bySegment = new Map<number, ModelBatch[]>()
  for (const b of m.batches) {
    const i = segmentIndexOf(segs, b.base)
    const list = bySegment.get(i)
    if (list === undefined) bySegment.set(i, [b])
    else list.push(b)
  }
  const dirty = segmentsOverlapping(segs, firstDirty, firstUncleanable).filter(x => !x.isActive)
  const sizer = new OffsetMap({ baseOffset: firstDirty, maxBytes: s.offsetMapBytes })
  const latestOf = new Map<string, bigint>()
  let latest = -1n
  let mapFull = false
  mapping: for (let i = 0; i < dirty.length; i++) {
    for (const b of bySegment.get(segs.indexOf(dirty[i]!)) ?? []) {
      if (b.last < firstDirty) continue
      for (const r of b.records) {
        if (r.key === null || r.offset < firstDirty) continue
        sizer.put(r.key, r.offset)
        latestOf.set(keyOf(r), r.offset)
      }
      if (b.last > latest) latest = b.last
      if (sizer.full) {
        mapFull = true
        break mapping
      }
    }
    // A gap at a segment's end (a truncation inside a batch) is covered too.
    const end = (i + 1 < dirty.length ? dirty[i + 1]!.baseOffset : firstUncleanable) - 1n
    if (end > latest) latest = end
  }
  const endOffset = latest + 1n

  // Phase 2: every non-active segment below the end, in groups.
  const toClean = segs.filter(x => !x.isActive && x.baseOffset < endOffset)
  const groups = groupBySize(toClean, s.segmentBytes)
  const groupOfSegment = new Map<SegmentSnapshot, number>()
  groups.forEach((g, i) => { for (const x of g) groupOfSegment.set(x, i) })
  const now = BigInt(Math.trunc(s.now))
  const newHorizon = now + BigInt(Math.max(0, Math.trunc(s.deleteRetentionMs)))
  const groupsChanged = new Set<number>()

  const batches = m.batches.map((b): ExpectedBatch => {
    const seg = segs[segmentIndexOf(segs, b.base)]
    const group = seg === undefined ? undefined : groupOfSegment.get(seg)
    if (group === undefined) return untouched(b)
    const header = readBatchHeader(b.bytes)
    const horizon = header.hasDeleteHorizonMs ? header.baseTimestamp : null
    const kept = b.records.filter(r => {
      if (r.offset >= endOffset) return true
      if (r.key === null) return s.keyless === 'retain'
      if (r.offset < (latestOf.get(keyOf(r)) ?? -1n)) return false
      if (r.value !== null) return true
      return horizon === null || now < horizon
    })
    const g = groups[group]!
    const endsGroup = b.last + 1n === firstUncleanable || b.last + 1n === g.at(-1)!.nextOffset
    let fate: BatchFate
    let after = horizon
    if (kept.length > 0) {
      const needsHorizon = horizon === null && kept.some(r => r.value === null)
      if (needsHorizon) after = newHorizon
      fate = kept.length === b.records.length && !needsHorizon ? 'unchanged' : 'rewritten'
    } else if (endsGroup) {
      fate = b.records.length === 0 ? 'unchanged' : 'emptied'
      // An empty header carries no delete horizon.
      if (fate === 'emptied') after = null
    } else {
      fate = 'dropped'
    }
    if (fate !== 'unchanged') groupsChanged.add(group)
    return { batch: b, header, fate, kept, horizon: after, group }
  })

  return {
    firstDirtyOffset: firstDirty,
    checkpointReset,
    dirtyRatio,
    round: {
      firstUncleanableOffset: firstUncleanable,
      endOffset,
      mapFull,
      groups: groups.map(g => ({ bases: g.map(x => x.baseOffset), nextOffset: g.at(-1)!.nextOffset })),
      groupsChanged
    },
    batches,
    checkpointAfter: endOffset
  }
}
