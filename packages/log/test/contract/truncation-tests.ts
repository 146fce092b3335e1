import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rejectsWith } from '../helpers/assertions.js'
import { T0, makeRecords, spans, type TestBatch } from '../helpers/batches.js'
import type { ContractTarget } from './log-contract.js'
import { fillAcrossSegments } from './read-tests.js'
import { ALL, SMALL_SEGMENTS, withSession, type Session } from './session.js'

function batch (n: number, tag: string): TestBatch {
  return { records: makeRecords(n, tag, i => T0 + BigInt(i)) }
}

/** Three batches of five records: 0-4, 5-9, 10-14. */
async function threeBatches (s: Session): Promise<void> {
  for (const tag of ['a', 'b', 'c']) await s.append([batch(5, tag)])
}

async function truncate (s: Session, offset: bigint): Promise<void> {
  await s.log.truncateTo(offset)
  s.ref.truncateTo(offset)
}

async function advance (s: Session, offset: bigint): Promise<void> {
  await s.log.advanceLogStartOffset(offset)
  assert.ok(s.ref.advanceLogStart(offset))
}

export function truncationTests ({ open, reopen }: ContractTarget): void {
  test('truncating at a batch boundary keeps what is below, and appends continue at the truncation offset', () => withSession(open, reopen, {}, async s => {
    await threeBatches(s)
    await truncate(s, 10n)
    assert.equal(s.log.logEndOffset(), 10n)
    assert.deepEqual(spans((await s.log.read(0n, ALL)).records), ['0-4', '5-9'])
    await rejectsWith(s.log.read(11n, ALL), 'TRIB_LOG_OFFSET_OUT_OF_RANGE', 'the old end is gone')
    const r = await s.append([batch(2, 'new')])
    assert.equal(r.firstOffset, 10n)
    await s.matchesModel()
  }))

  test('truncating inside a batch removes that whole batch and the log end becomes the offset, as in Kafka', () => withSession(open, reopen, {}, async s => {
    // Kafka's LogSegment.truncateTo cuts the file at the first batch whose last offset is >= the target, and
    // LocalLog.truncateTo then sets the log end to the target itself: offsets 5 and 6 are left unused.
    await threeBatches(s)
    await truncate(s, 7n)
    assert.equal(s.log.logEndOffset(), 7n)
    assert.deepEqual(spans((await s.log.read(0n, ALL)).records), ['0-4'])
    const gap = await s.log.read(5n, ALL)
    assert.deepEqual([gap.records.length, gap.nextOffset], [0, 5n], 'a read in the gap at the end returns nothing')
    const r = await s.append([batch(3, 'new')])
    assert.equal(r.firstOffset, 7n)
    assert.deepEqual(spans((await s.log.read(5n, ALL)).records), ['7-9'], 'a read in the gap returns the next batch')
    await s.matchesModel()
  }))

  test('truncating at or above the log end changes nothing', () => withSession(open, reopen, {}, async s => {
    await threeBatches(s)
    await truncate(s, 15n)
    await truncate(s, 100n)
    await s.matchesModel()
  }))

  test('truncating to 0 empties the log; truncating below the log start moves the start down to the offset (Kafka)', () => withSession(open, reopen, {}, async s => {
    await threeBatches(s)
    await advance(s, 10n)
    await truncate(s, 7n)
    assert.deepEqual([s.log.logStartOffset(), s.log.logEndOffset()], [7n, 7n])
    await s.matchesModel('below the start')
    await s.append([batch(2, 'x')])
    await truncate(s, 0n)
    assert.deepEqual([s.log.logStartOffset(), s.log.logEndOffset()], [0n, 0n])
    await s.matchesModel('to 0')
    assert.equal((await s.append([batch(1, 'y')])).firstOffset, 0n)
  }))

  test('truncating into an earlier segment deletes the later ones, and appends continue', () => withSession(open, reopen, SMALL_SEGMENTS, async s => {
    await fillAcrossSegments(s, 50, 'before')
    const target = s.ref.batches[12]!.base
    await truncate(s, target)
    await s.matchesModel('after truncation')
    await fillAcrossSegments(s, 20, 'after')
    await s.matchesModel('after appending again')
    await s.readsMatchModel([1, 600, ALL])
  }))

  test('advancing the log start: reads below it are OFFSET_OUT_OF_RANGE, a read from it returns the batch that holds it', () => withSession(open, reopen, {}, async s => {
    await threeBatches(s)
    await advance(s, 7n)
    assert.deepEqual([s.log.logStartOffset(), s.log.logEndOffset()], [7n, 15n])
    await rejectsWith(s.log.read(6n, ALL), 'TRIB_LOG_OFFSET_OUT_OF_RANGE', 'just below the start')
    await rejectsWith(s.log.read(0n, ALL), 'TRIB_LOG_OFFSET_OUT_OF_RANGE', 'far below the start')
    const r = await s.log.read(7n, ALL)
    assert.deepEqual(spans(r.records), ['5-9', '10-14'])
    assert.equal(r.logStartOffset, 7n)
    const appended = await s.append([batch(1, 'd')])
    assert.equal(appended.logStartOffset, 7n, 'append results carry the log start')
    await s.matchesModel()
  }))

  test('the log start never moves back, may reach the log end, and cannot pass it', () => withSession(open, reopen, {}, async s => {
    await threeBatches(s)
    await advance(s, 7n)
    await advance(s, 3n)
    assert.equal(s.log.logStartOffset(), 7n, 'no move backwards')
    await rejectsWith(s.log.advanceLogStartOffset(16n), 'TRIB_LOG_OFFSET_OUT_OF_RANGE', 'past the end')
    assert.equal(s.log.logStartOffset(), 7n)
    await advance(s, 15n)
    const r = await s.log.read(15n, ALL)
    assert.deepEqual([r.records.length, r.nextOffset, r.logStartOffset, r.logEndOffset], [0, 15n, 15n, 15n])
    assert.equal((await s.append([batch(2, 'e')])).firstOffset, 15n)
    await s.matchesModel()
  }))

  test('advancing the log start across many small segments', () => withSession(open, reopen, SMALL_SEGMENTS, async s => {
    await fillAcrossSegments(s, 50, 'old')
    const middle = s.ref.batches[30]!
    await advance(s, middle.base + (middle.last - middle.base) / 2n)
    await s.matchesModel('after advancing')
    await s.readsMatchModel([1, 500, ALL])
    await rejectsWith(s.log.read(s.ref.logStart - 1n, ALL), 'TRIB_LOG_OFFSET_OUT_OF_RANGE')
    await fillAcrossSegments(s, 10, 'new')
    await s.matchesModel('after appending')
  }))
}
