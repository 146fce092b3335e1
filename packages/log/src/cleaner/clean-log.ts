import { lastOffset, readBatchHeader, type RecordBatchHeader } from '@tributary/protocol'
import type { AbortedTxn } from '../types.js'
import { cleanBatch, retainLastBatchOfProducers, type CleanContext, type KeylessPolicy } from './clean-batches.js'
import { groupSegmentsBySize, segmentsInRange, type CleanableRange, type SegmentDescriptor } from './cleanable.js'
import type { CompactableLog } from './compactable-log.js'
import { OffsetMap, addBatchToOffsetMap } from './offset-map.js'
import type { Slicer } from './slicer.js'
import { newCleanerStats, type CleanerStats } from './stats.js'
import { TxnCleaningState } from './txn-state.js'

/**
 * One cleaning round of one log (Kafka's Cleaner.doClean): map the dirty
 * section, then rewrite every non-active segment below the end of the map,
 * group by group, each group into one cleaned segment swapped in by the log.
 */

export interface CleanRoundOptions {
  now: number
  offsetMapBytes: number
  keyless: KeylessPolicy
  writeChunkBytes: number
  slicer: Slicer
}

export interface CleanResult {
  log: string
  firstDirtyOffset: bigint
  /** The new checkpoint: every record below it has been compared with the map of this round. */
  endOffset: bigint
  dirtyRatio: number
  /** Segment groups rewritten and swapped in. */
  groupsReplaced: number
  /** Groups where nothing changed (the cleaned copy was discarded). */
  groupsUnchanged: number
  /** The log changed under the cleaner (replaceSegments said no) or the round was aborted; the checkpoint did not move. */
  abandoned: boolean
  stats: CleanerStats
}

/** Phase 1 (Kafka's buildOffsetMap): key -> latest offset over [firstDirty, firstUncleanable), until the map is full. */
async function mapDirtySection (log: CompactableLog, segments: readonly SegmentDescriptor[], range: CleanableRange,
  opts: CleanRoundOptions, stats: CleanerStats): Promise<OffsetMap> {
  const start = range.firstDirtyOffset
  const end = range.firstUncleanableOffset
  const dirty = segmentsInRange(segments, start, end).filter(s => !s.isActive)
  const map = new OffsetMap({ baseOffset: start, maxBytes: opts.offsetMapBytes })
  const txns = new TxnCleaningState(await log.abortedTransactions(start, end))
  for (let i = 0; i < dirty.length; i++) {
    for await (const batch of log.readBatches(dirty[i]!, start)) {
      // Every step may yield to the event loop (only when the slice is used up: no promise otherwise).
      if (addBatchToOffsetMap(batch, map, txns, start, stats)) return map
      const p = opts.slicer.step(batch.length)
      if (p !== null) await p
    }
    // Offsets missing at a segment's end are covered too (Kafka fast-forwards over the gap).
    map.updateLatestOffset((i + 1 < dirty.length ? dirty[i + 1]!.baseOffset : end) - 1n)
  }
  return map
}

/** Without producer state: the last data batch and last marker of every producer id in the range are kept. */
async function lastBatchesOfProducers (log: CompactableLog, segments: readonly SegmentDescriptor[], slicer: Slicer): Promise<(h: RecordBatchHeader) => boolean> {
  const data = new Map<bigint, bigint>()
  const markers = new Map<bigint, bigint>()
  for (const seg of segments) {
    for await (const batch of log.readBatches(seg)) {
      const h = readBatchHeader(batch)
      if (h.producerId >= 0n) (h.isControl ? markers : data).set(h.producerId, lastOffset(h))
      const p = slicer.step(batch.length)
      if (p !== null) await p
    }
  }
  return h => (h.isControl ? markers : data).get(h.producerId) === lastOffset(h)
}

export async function cleanRound (log: CompactableLog, segments: readonly SegmentDescriptor[], range: CleanableRange,
  opts: CleanRoundOptions): Promise<CleanResult> {
  const stats = newCleanerStats()
  const config = log.config()
  const map = await mapDirtySection(log, segments, range, opts, stats)
  const endOffset = map.latestOffset + 1n
  const result: CleanResult = {
    log: log.name,
    firstDirtyOffset: range.firstDirtyOffset,
    endOffset,
    dirtyRatio: range.dirtyRatio,
    groupsReplaced: 0,
    groupsUnchanged: 0,
    abandoned: false,
    stats
  }

  // Phase 2 (Kafka's cleanSegments): the whole log below endOffset, clean part included.
  const toClean = segments.filter(s => !s.isActive && s.baseOffset < endOffset)
  if (toClean.length === 0) return result
  const groups = groupSegmentsBySize(toClean, config.segmentBytes, endOffset)
  const rangeEnd = toClean.at(-1)!.nextOffset > endOffset ? toClean.at(-1)!.nextOffset : endOffset
  const txns = new TxnCleaningState<AbortedTxn>(await log.abortedTransactions(toClean[0]!.baseOffset, rangeEnd))
  const producers = log.lastRecordsOfActiveProducers?.()
  const retainEmpty = producers !== undefined
    ? retainLastBatchOfProducers(producers)
    : await lastBatchesOfProducers(log, toClean, opts.slicer)

  for (const group of groups) {
    const ctx: CleanContext = {
      map,
      now: opts.now,
      deleteRetentionMs: config.deleteRetentionMs,
      txns,
      retainEmpty,
      // Kafka keeps the batch that ends the round; keeping the one that ends
      // the group too makes the cleaned segment end where the group did.
      keepBatchesEndingAt: new Set([range.firstUncleanableOffset, group.at(-1)!.nextOffset]),
      keyless: opts.keyless,
      stats
    }
    const replaced = await cleanGroup(log, group, ctx, txns, opts)
    if (replaced === null) {
      result.abandoned = true
      return result
    }
    if (replaced) result.groupsReplaced++
    else result.groupsUnchanged++
  }
  await log.setCleanerCheckpoint(endOffset)
  return result
}

/** Rewrites one group into a cleaned segment: true if swapped in, false if unchanged, null if the log refused the swap. */
async function cleanGroup (log: CompactableLog, group: readonly SegmentDescriptor[], ctx: CleanContext,
  txns: TxnCleaningState<AbortedTxn>, opts: CleanRoundOptions): Promise<boolean | null> {
  const writer = await log.createCleanedSegment(group[0]!.baseOffset)
  let swapped = false
  try {
    let changed = false
    let pending: Buffer[] = []
    let pendingBytes = 0
    for (const seg of group) {
      for await (const batch of log.readBatches(seg)) {
        const out = cleanBatch(batch, ctx)
        if (out !== batch) changed = true
        if (out !== null) {
          pending.push(out)
          pendingBytes += out.length
        }
        if (pendingBytes >= opts.writeChunkBytes) {
          await writer.append(pending)
          pending = []
          pendingBytes = 0
        }
        const p = opts.slicer.step(batch.length)
        if (p !== null) await p
      }
    }
    const retainedAborted = txns.takeRetainedAborted()
    if (!changed) return false
    if (pending.length > 0) await writer.append(pending)
    for (const t of retainedAborted) writer.addAbortedTxn(t)
    // Last chance to honour an abort before the work becomes visible.
    const p = opts.slicer.step(0)
    if (p !== null) await p
    swapped = await log.replaceSegments(writer, group)
    return swapped ? true : null
  } finally {
    if (!swapped) await writer.abort()
  }
}
