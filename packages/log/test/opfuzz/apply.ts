import assert from 'node:assert/strict'
import { decodeRecordBatchSync, splitBatches } from '@tributary/protocol'
import type { PartitionLog } from '../../src/types.js'
import type { LogContext, OpenLog } from '../contract/session.js'
import { equalBytes, rejectsWith } from '../helpers/assertions.js'
import { encodeBatch, spans } from '../helpers/batches.js'
import type { Rng } from '../helpers/random.js'
import type { ModelRecord, ReferenceLog } from '../helpers/reference-log.js'
import { cleanAndCheck, type FuzzCleaner } from './cleaning.js'
import { ALL, type Op } from './ops.js'

/** The log under test and what the steps need to replace it (restart) or compact it. */
export interface Applied {
  log: PartitionLog
  ctx: LogContext
  reopen: OpenLog | undefined
  /** A compaction checked loosely (checkCompaction)... */
  compact: ((log: PartitionLog) => Promise<unknown>) | undefined
  /** ...or the real cleaner, checked exactly (cleaning.ts). */
  cleaner?: FuzzCleaner
}

function safeSpans (records: Buffer): string {
  try {
    return spans(records).join(' ')
  } catch (err) {
    return `unparseable (${String(err)})`
  }
}

/** Runs one step on the log and the model, and checks the step's own result. */
export async function applyOp (a: Applied, m: ReferenceLog, op: Op): Promise<void> {
  const log = a.log
  switch (op.kind) {
    case 'append': {
      const input = Buffer.concat(op.batches.map(encodeBatch))
      const result = await log.append(input, {
        durable: op.durable,
        leaderEpoch: op.leaderEpoch,
        ...(op.logAppendTime === undefined ? {} : { timestampType: 'LogAppendTime', now: () => op.logAppendTime! })
      })
      const expected = m.append(op.batches, { leaderEpoch: op.leaderEpoch, logAppendTime: op.logAppendTime })
      assert.deepEqual(
        [result.firstOffset, result.lastOffset, result.logAppendTime, result.logStartOffset, result.batches, result.bytes],
        [expected.firstOffset, expected.lastOffset, op.logAppendTime ?? -1n, m.logStart, op.batches.length, input.length],
        'append result [firstOffset, lastOffset, logAppendTime, logStartOffset, batches, bytes]')
      return
    }
    case 'append-invalid':
      await rejectsWith(log.append(Buffer.from(op.bytes)), op.code, op.why)
      return
    case 'burst': {
      const before = m.everything().length
      const first = log.append(Buffer.concat(op.appends[0]!.batches.map(encodeBatch)), { durable: op.appends[0]!.durable })
      const racing = log.read(m.logStart, ALL)
      const rest = op.appends.slice(1).map(x => log.append(Buffer.concat(x.batches.map(encodeBatch)), { durable: x.durable }))
      const results = await Promise.all([first, ...rest])
      for (const [i, x] of op.appends.entries()) {
        const expected = m.append(x.batches)
        assert.equal(results[i]!.firstOffset, expected.firstOffset, `burst append #${i}: firstOffset (appends apply in call order)`)
        assert.equal(results[i]!.lastOffset, expected.lastOffset, `burst append #${i}: lastOffset`)
      }
      const seen = (await racing).records
      const all = m.everything()
      assert.ok(seen.length >= before && seen.length <= all.length && all.subarray(0, seen.length).equals(seen),
        `a read racing appends returns a prefix of the log that includes what was there before (${seen.length} bytes, before ${before}, after ${all.length})`)
      spans(seen) // whole batches only
      return
    }
    case 'read': {
      const expected = m.read(op.offset, op.maxBytes, op.maxOffset ?? m.logEnd, op.minOneBatch ?? true)
      const options = { ...(op.maxOffset === undefined ? {} : { maxOffset: op.maxOffset }), ...(op.minOneBatch === undefined ? {} : { minOneBatch: op.minOneBatch }) }
      if (expected === null) {
        await rejectsWith(log.read(op.offset, op.maxBytes, options), 'TRIB_LOG_OFFSET_OUT_OF_RANGE', `read(${op.offset}) outside [${m.logStart}, ${m.logEnd}]`)
        return
      }
      const got = await log.read(op.offset, op.maxBytes, options)
      equalBytes(got.records, expected.records, `read: expected batches [${expected.spans.join(' ')}], got [${safeSpans(got.records)}]`)
      assert.deepEqual([got.nextOffset, got.logStartOffset, got.logEndOffset], [expected.nextOffset, m.logStart, m.logEnd],
        'read result [nextOffset, logStartOffset, logEndOffset]')
      return
    }
    case 'offset-for-timestamp':
      assert.deepEqual(await log.offsetForTimestamp(op.timestamp), m.offsetForTimestamp(op.timestamp), 'offsetForTimestamp')
      return
    case 'max-timestamp':
      assert.deepEqual(await log.maxTimestampOffset(), m.maxTimestampOffset(), 'maxTimestampOffset')
      return
    case 'truncate':
      await log.truncateTo(op.offset)
      m.truncateTo(op.offset)
      return
    case 'advance-start':
      if (op.offset > m.logEnd) {
        await rejectsWith(log.advanceLogStartOffset(op.offset), 'TRIB_LOG_OFFSET_OUT_OF_RANGE', 'advanceLogStartOffset past the log end')
        return
      }
      await log.advanceLogStartOffset(op.offset)
      m.advanceLogStart(op.offset)
      return
    case 'set-high-watermark':
      log.highWatermark = op.offset
      m.highWatermark = op.offset
      return
    case 'roll': await log.roll(); return
    case 'flush': await log.flush(); return
    case 'restart':
      if (a.reopen === undefined) return
      await log.close()
      a.log = await a.reopen(a.ctx)
      return
    case 'compact': {
      if (op.highWatermark !== undefined) {
        log.highWatermark = op.highWatermark
        m.highWatermark = op.highWatermark
      }
      if (op.roll) await log.roll()
      if (a.cleaner !== undefined) {
        const racing = op.racing ?? []
        // One append per turn of the event loop, in call order, while the round runs.
        const appendWhileCleaning = async (): Promise<void> => {
          for (const [i, x] of racing.entries()) {
            await new Promise(resolve => setImmediate(resolve))
            const result = await log.append(Buffer.concat(x.batches.map(encodeBatch)), { durable: x.durable })
            const expected = m.append(x.batches)
            assert.deepEqual([result.firstOffset, result.lastOffset], [expected.firstOffset, expected.lastOffset], `append #${i} racing the cleaning: [firstOffset, lastOffset]`)
          }
        }
        await cleanAndCheck(log, m, a.cleaner, a.ctx.config, op, appendWhileCleaning)
        return
      }
      if (a.compact === undefined) return
      await a.compact(log)
      m.adopt(await checkCompaction(log, m))
    }
  }
}

/** After every step: offsets, high watermark and the whole contents. */
export async function checkState (log: PartitionLog, m: ReferenceLog): Promise<void> {
  assert.deepEqual([log.logStartOffset(), log.logEndOffset(), log.highWatermark], [m.logStart, m.logEnd, m.highWatermark],
    '[logStartOffset, logEndOffset, highWatermark]')
  const all = await log.read(m.logStart, ALL)
  equalBytes(all.records, m.everything(), `contents: expected batches [${m.batches.map(b => `${b.base}-${b.last}`).join(' ')}], got [${safeSpans(all.records)}]`)
}

/** Periodically: reads from every batch and inside it with two sizes, and time queries around every live timestamp sampled. */
export async function checkEverything (log: PartitionLog, m: ReferenceLog, rng: Rng): Promise<void> {
  for (const b of m.batches) {
    for (const offset of [b.base, b.last, (b.base + b.last) / 2n]) {
      if (!m.inRange(offset)) continue
      for (const maxBytes of [1, 4096]) {
        const expected = m.read(offset, maxBytes)!
        const got = await log.read(offset, maxBytes)
        equalBytes(got.records, expected.records, `read(${offset}, ${maxBytes}): expected [${expected.spans.join(' ')}], got [${safeSpans(got.records)}]`)
      }
    }
  }
  const live = m.liveRecords()
  for (let i = 0; i < 8 && live.length > 0; i++) {
    const t = rng.pick(live).timestamp + BigInt(rng.int(-1, 1))
    assert.deepEqual(await log.offsetForTimestamp(t), m.offsetForTimestamp(t), `offsetForTimestamp(${t})`)
  }
  assert.deepEqual(await log.maxTimestampOffset(), m.maxTimestampOffset(), 'maxTimestampOffset')
}

function sameBytes (a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b)
}

/**
 * What compaction may do, not what it will do: offsets, start, end and
 * high watermark stay; every record left is one the model has at the same
 * offset, unchanged; the latest record of every key survives unless it is
 * a tombstone. Returns the compacted contents for the model to adopt.
 */
async function checkCompaction (log: PartitionLog, m: ReferenceLog): Promise<Buffer> {
  assert.deepEqual([log.logStartOffset(), log.logEndOffset(), log.highWatermark], [m.logStart, m.logEnd, m.highWatermark],
    'compaction leaves [logStartOffset, logEndOffset, highWatermark]')
  const all = (await log.read(m.logStart, ALL)).records
  const { batches, leftover } = splitBatches(all)
  assert.equal(leftover.length, 0, 'compacted log: whole batches')
  const byOffset = new Map<bigint, ModelRecord>()
  const latest = new Map<string, ModelRecord>()
  for (const r of m.batches.flatMap(b => b.records)) {
    byOffset.set(r.offset, r)
    latest.set(r.key?.toString('latin1') ?? '', r)
  }
  const kept = new Set<bigint>()
  let previous = -1n
  for (const bytes of batches) {
    const { header, records } = decodeRecordBatchSync(bytes) // checks the CRC of rewritten batches
    assert.ok(header.baseOffset > previous, `compacted batch at ${header.baseOffset} follows offset ${previous}`)
    for (const r of records) {
      const was = byOffset.get(r.offset)
      assert.ok(was !== undefined, `compaction kept offset ${r.offset}, which the log did not hold`)
      assert.ok(r.offset > previous, `offsets increase after compaction (${r.offset} after ${previous})`)
      assert.ok(sameBytes(r.key, was.key) && sameBytes(r.value, was.value) && r.timestamp === was.timestamp,
        `compaction changed the record at ${r.offset}`)
      kept.add(r.offset)
      previous = r.offset
    }
    previous = header.baseOffset + BigInt(header.lastOffsetDelta)
  }
  for (const [key, r] of latest) {
    if (r.value !== null && r.offset >= m.logStart) assert.ok(kept.has(r.offset), `compaction removed the latest record of key ${key} at ${r.offset}`)
  }
  return all
}
