import assert from 'node:assert/strict'
import { CompressionCodec, NO_TIMESTAMP, TimestampType, decodeRecordBatchSync, splitBatches } from '@tributary/protocol'
import { LogCleaner } from '../../src/cleaner/cleaner.js'
import type { CleanResult } from '../../src/cleaner/clean-log.js'
import type { KeylessPolicy } from '../../src/cleaner/clean-batches.js'
import type { CompactableLog } from '../../src/cleaner/compactable-log.js'
import type { LogConfig, PartitionLog } from '../../src/types.js'
import { equalBytes } from '../helpers/assertions.js'
import { expectCleaning, untouched, type ExpectedBatch, type ExpectedCleaning } from '../helpers/compaction-model.js'
import type { Rng } from '../helpers/random.js'
import type { ReferenceLog } from '../helpers/reference-log.js'
import { ALL, type CleanVia, type CompactOp } from './ops.js'

/*
 * The compaction step with the real cleaner (src/cleaner) on a log that
 * implements CompactableLog: one cleaning round, then an exact check against
 * helpers/compaction-model.ts (which records stay, which batches are kept
 * as they were, rewritten, emptied or dropped, their delete horizons, the
 * round's range and the checkpoint), after which the model takes over the
 * log's bytes.
 */

/** What the cleaning steps of this process did, by kind: to see that the fuzzer reaches each case (see the test file). */
export const cleaningCoverage = new Map<string, number>()

function count (what: string, n = 1): void {
  if (n > 0) cleaningCoverage.set(what, (cleaningCoverage.get(what) ?? 0) + n)
}

/** One real cleaner per sequence, with settings drawn from the sequence's seed. */
export interface FuzzCleaner {
  offsetMapBytes: number
  keyless: KeylessPolicy
  sliceMs: number
  /** Runs what `via` says on `log` with the cleaner's clock at `now`. */
  clean: (log: CompactableLog, now: number, via: CleanVia) => Promise<CleanResult | null>
}

/** A LogCleaner on a clock the fuzzer sets, mostly with a map that holds everything, sometimes one that fills (partial rounds). */
export function realCleaner (rng: Rng): FuzzCleaner {
  let clock = 0
  const offsetMapBytes = rng.chance(0.7) ? 64 * 1024 * 1024 : rng.int(100, 1200)
  const keyless: KeylessPolicy = rng.chance(0.8) ? 'discard' : 'retain'
  // Slices of 0 ms: the round yields to the event loop after every batch, so that racing appends interleave.
  const sliceMs = rng.pick([0, 5])
  const cleaner = new LogCleaner({ now: () => clock, offsetMapBytes, keyless, sliceMs })
  let registered: CompactableLog | null = null
  return {
    offsetMapBytes,
    keyless,
    sliceMs,
    clean: async (log, now, via) => {
      clock = now
      if (via !== 'scheduler') return await cleaner.cleanLog(log, { force: via === 'force' })
      // The scheduler's path: the log registered (again after a restart), the filthiest one picked by dirty ratio.
      if (registered !== log) {
        if (registered !== null) await cleaner.remove(registered)
        cleaner.add(log)
        registered = log
      }
      return await cleaner.cleanFilthiest()
    }
  }
}

function spansOf (batches: readonly Buffer[]): string {
  return batches.map(b => {
    const { header } = decodeRecordBatchSync(b)
    return `${header.baseOffset}-${header.baseOffset + BigInt(header.lastOffsetDelta)}(${header.recordsCount})`
  }).join(' ')
}

function expectedSpans (batches: readonly ExpectedBatch[]): string {
  return batches.map(e => `${e.batch.base}-${e.batch.last}(${e.kept.length}${e.fate === 'unchanged' ? '' : ` ${e.fate}`})`).join(' ')
}

/** One cleaned batch against its expectation. */
function checkBatch (got: Buffer, e: ExpectedBatch): void {
  const at = `batch ${e.batch.base}-${e.batch.last} (${e.fate}, group ${e.group})`
  if (e.fate === 'unchanged') {
    equalBytes(got, e.batch.bytes, `${at}: kept as it was`)
    return
  }
  const { header: h, records } = decodeRecordBatchSync(got) // checks the CRC
  const o = e.header
  assert.deepEqual(
    [h.baseOffset, h.lastOffsetDelta, h.partitionLeaderEpoch, h.timestampType, h.producerId, h.producerEpoch, h.baseSequence, h.isTransactional, h.isControl],
    [o.baseOffset, o.lastOffsetDelta, o.partitionLeaderEpoch, o.timestampType, o.producerId, o.producerEpoch, o.baseSequence, o.isTransactional, o.isControl],
    `${at}: [baseOffset, lastOffsetDelta, leaderEpoch, timestampType, producerId, producerEpoch, baseSequence, transactional, control] kept`)
  assert.equal(h.compression, e.fate === 'emptied' ? CompressionCodec.NONE : o.compression, `${at}: codec`)
  assert.equal(h.hasDeleteHorizonMs, e.horizon !== null, `${at}: has a delete horizon`)
  if (e.horizon !== null) assert.equal(h.baseTimestamp, e.horizon, `${at}: delete horizon (base timestamp)`)
  if (e.fate === 'emptied') {
    assert.equal(records.length, 0, `${at}: no records`)
    assert.equal(h.baseTimestamp, NO_TIMESTAMP, `${at}: empty header's base timestamp`)
    assert.equal(h.maxTimestamp, o.maxTimestamp, `${at}: empty header keeps the max timestamp`)
    return
  }
  const createTime = o.timestampType === TimestampType.CREATE_TIME
  const maxTs = e.kept.reduce((max, r) => r.timestamp > max ? r.timestamp : max, e.kept[0]!.timestamp)
  assert.equal(h.maxTimestamp, createTime ? maxTs : o.maxTimestamp, `${at}: max timestamp`)
  if (createTime && e.horizon === null) assert.equal(h.baseTimestamp, e.kept[0]!.timestamp, `${at}: base timestamp is the first kept record's`)
  const show = (rs: ReadonlyArray<{ offset: bigint }>): string => rs.map(r => r.offset).join(',')
  assert.equal(show(records), show(e.kept), `${at}: offsets kept`)
  for (const [i, r] of records.entries()) {
    const want = e.kept[i]!
    const same = (a: Uint8Array | null, b: Buffer | null): boolean => a === null || b === null ? a === b : b.equals(a)
    assert.ok(same(r.key, want.key) && same(r.value, want.value) && r.timestamp === want.timestamp && r.headers.length === 0,
      `${at}: the record at ${r.offset} changed (key, value, timestamp or headers)`)
  }
}

function describeExpectation (x: ExpectedCleaning): string {
  const r = x.round
  const round = r === null
    ? 'no round'
    : `round [${x.firstDirtyOffset}, ${r.endOffset}) firstUncleanable=${r.firstUncleanableOffset}${r.mapFull ? ' (map full)' : ''}, ` +
      `groups ${r.groups.map(g => `[${g.bases.join(',')}]-${g.nextOffset}`).join(' ')}`
  return `expected ${round}, dirty ratio ${x.dirtyRatio.toFixed(3)}${x.checkpointReset ? ', checkpoint reset' : ''}`
}

/**
 * The compaction step with a real cleaner: runs it (and `meanwhile`, which
 * may only append, to the log and the model), checks it exactly, and the
 * model adopts the result.
 */
export async function cleanAndCheck (log: PartitionLog, m: ReferenceLog, cleaner: FuzzCleaner, config: LogConfig, op: CompactOp,
  meanwhile: () => Promise<void>): Promise<void> {
  const c = log as unknown as CompactableLog
  assert.equal(c.cleanerCheckpoint(), m.cleanerCheckpoint, 'cleaner checkpoint before the round (kept over restarts, lowered by truncation)')
  const before = c.segments()
  const expected = expectCleaning(m, before, {
    now: op.now,
    via: op.via,
    deleteRetentionMs: config.deleteRetentionMs,
    minCleanableDirtyRatio: config.minCleanableDirtyRatio,
    segmentBytes: config.segmentBytes,
    offsetMapBytes: cleaner.offsetMapBytes,
    keyless: cleaner.keyless
  })
  const layout = `segments before: ${before.map(s => `${s.baseOffset}-${s.nextOffset}/${s.sizeBytes}B${s.isActive ? '*' : ''}`).join(' ')}; ${describeExpectation(expected)}`

  const endBefore = m.logEnd
  const [result] = await Promise.all([cleaner.clean(c, op.now, op.via), meanwhile()])
  // Appended during the round: above everything it may touch, so as they were written.
  const appended = m.batches.filter(b => b.base >= endBefore)

  if (expected.round === null) {
    assert.equal(result, null, `no cleaning round expected (${layout})`)
  } else {
    const r = expected.round
    assert.ok(result !== null, `a cleaning round expected (${layout})`)
    assert.deepEqual([result.firstDirtyOffset, result.endOffset, result.abandoned], [expected.firstDirtyOffset, r.endOffset, false],
      `round [firstDirtyOffset, endOffset, abandoned] (${layout})`)
    assert.equal(result.groupsReplaced + result.groupsUnchanged, r.groups.length, `segment groups (${layout})`)
    // Batches below the log start (not in the model) may change a group the model sees as unchanged.
    assert.ok(result.groupsReplaced >= r.groupsChanged.size, `groups replaced: ${result.groupsReplaced}, at least ${r.groupsChanged.size} expected (${layout})`)
    // Each changed group is one segment now, based where the group was.
    const after = new Set(c.segments().map(s => s.baseOffset))
    for (const g of r.groupsChanged) {
      const [first, ...rest] = r.groups[g]!.bases
      assert.ok(after.has(first!), `the cleaned group ${g} is a segment based at ${first} (${layout})`)
      for (const base of rest) assert.ok(!after.has(base), `segment ${base} was merged into group ${g}'s segment (${layout})`)
    }
  }
  assert.equal(c.cleanerCheckpoint(), expected.checkpointAfter, `cleaner checkpoint after the round (${layout})`)
  assert.deepEqual([log.logStartOffset(), log.logEndOffset(), log.highWatermark], [m.logStart, m.logEnd, m.highWatermark],
    'compaction leaves [logStartOffset, logEndOffset, highWatermark]')

  const all = (await log.read(m.logStart, ALL)).records
  const { batches, leftover } = splitBatches(all)
  assert.equal(leftover.length, 0, 'compacted log: whole batches')
  const want = [...expected.batches.filter(e => e.fate !== 'dropped'), ...appended.map(untouched)]
  assert.equal(batches.length, want.length,
    `batches after cleaning: expected ${expectedSpans(want)}, got ${spansOf(batches)} (${layout})`)
  for (const [i, b] of batches.entries()) {
    try {
      checkBatch(b, want[i]!)
    } catch (err) {
      if (err instanceof Error) err.message += ` (${layout})`
      throw err
    }
  }
  count(`step via ${op.via}`)
  const round = expected.round
  if (round === null) count(expected.checkpointAfter !== m.cleanerCheckpoint ? 'no round, checkpoint reset' : 'no round')
  m.adopt(all)
  m.cleanerCheckpoint = expected.checkpointAfter
  if (round === null) return
  count('round')
  if (appended.length > 0) count('round with racing appends')
  if (expected.checkpointReset) count('round after a checkpoint reset')
  if (round.mapFull) count('round ended by a full offset map')
  if (round.groups.some(g => g.bases.length > 1)) count('round merging segments')
  for (const e of expected.batches) {
    if (e.group < 0) continue
    count(`batch ${e.fate}`)
    const removed = e.batch.records.filter(r => !e.kept.includes(r))
    count('record superseded', removed.filter(r => r.key !== null && r.value !== null).length)
    count('tombstone removed', removed.filter(r => r.key !== null && r.value === null).length)
    count('keyless record removed', removed.filter(r => r.key === null).length)
    count('keyless record retained', e.kept.filter(r => r.key === null && r.offset < round.endOffset).length)
    count('record kept above the round', e.kept.filter(r => r.offset >= round.endOffset).length)
    if (e.horizon !== null && !e.header.hasDeleteHorizonMs) count('delete horizon set')
    if (e.header.hasDeleteHorizonMs && e.kept.some(r => r.value === null)) count('tombstone kept within its horizon')
  }
}
