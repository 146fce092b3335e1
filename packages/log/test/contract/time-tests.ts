import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CompressionCodec } from '@tributary/protocol'
import { T0, makeRecords, type TestBatch } from '../helpers/batches.js'
import type { ContractTarget } from './log-contract.js'
import { SMALL_SEGMENTS, withSession, type Session } from './session.js'

/** A batch whose records carry T0 + the given deltas, in that (not sorted) order. */
function timed (deltas: number[], tag: string, compression: CompressionCodec = CompressionCodec.NONE): TestBatch {
  return { records: makeRecords(deltas.length, tag, i => T0 + BigInt(deltas[i]!)), compression }
}

/** offsetForTimestamp for every target in [from, to] by `step`, and maxTimestampOffset, equal the model's. */
async function timeQueriesMatchModel (s: Session, from: bigint, to: bigint, step = 1n): Promise<void> {
  for (let t = from; t <= to; t += step) {
    assert.deepEqual(await s.log.offsetForTimestamp(t), s.ref.offsetForTimestamp(t), `offsetForTimestamp(T0 + ${t - T0})`)
  }
  assert.deepEqual(await s.log.maxTimestampOffset(), s.ref.maxTimestampOffset(), 'maxTimestampOffset')
}

export function timeTests ({ open, reopen }: ContractTarget): void {
  test('offsetForTimestamp finds the first record at or after a time, record by record inside compressed batches', () => withSession(open, reopen, {}, async s => {
    await s.append([timed([100, 300, 200], 'a', CompressionCodec.GZIP)])
    await s.append([timed([150, 400, 50, 400], 'b', CompressionCodec.GZIP)])
    await s.append([timed([250], 'c')])
    const cases: Array<[number, [bigint, number] | null]> = [
      [0, [0n, 100]], [100, [0n, 100]], [101, [1n, 300]], [250, [1n, 300]], [301, [4n, 400]], [400, [4n, 400]], [401, null]
    ]
    for (const [target, expected] of cases) {
      const got = await s.log.offsetForTimestamp(T0 + BigInt(target))
      assert.deepEqual(got, expected === null ? null : { offset: expected[0], timestamp: T0 + BigInt(expected[1]) }, `offsetForTimestamp(T0 + ${target})`)
    }
    await timeQueriesMatchModel(s, T0 - 5n, T0 + 405n)
  }))

  test('maxTimestampOffset is the first record with the largest timestamp, not the end of its batch', () => withSession(open, reopen, {}, async s => {
    await s.append([timed([5, 9, 3], 'a', CompressionCodec.GZIP)])
    assert.deepEqual(await s.log.maxTimestampOffset(), { offset: 1n, timestamp: T0 + 9n })
    await s.append([timed([9, 9], 'tie')])
    assert.deepEqual(await s.log.maxTimestampOffset(), { offset: 1n, timestamp: T0 + 9n }, 'a later tie does not win')
    await s.append([timed([1, 2], 'lat-tie')], { timestampType: 'LogAppendTime', now: () => T0 + 9n })
    assert.deepEqual(await s.log.maxTimestampOffset(), { offset: 1n, timestamp: T0 + 9n }, 'nor a LogAppendTime tie')
    await s.append([timed([1, 2, 3], 'lat', CompressionCodec.GZIP)], { timestampType: 'LogAppendTime', now: () => T0 + 20n })
    assert.deepEqual(await s.log.maxTimestampOffset(), { offset: 7n, timestamp: T0 + 20n }, 'a LogAppendTime batch: its first record')
    await timeQueriesMatchModel(s, T0, T0 + 21n)
  }))

  test('time queries across many small segments (time index lookups)', () => withSession(open, reopen, SMALL_SEGMENTS, async s => {
    for (let i = 0; i < 60; i++) {
      const deltas = Array.from({ length: 1 + i % 5 }, (_, j) => ((i * 31 + j * 17) % 97) * 10)
      await s.append([timed(deltas, `t${i}`, i % 3 === 0 ? CompressionCodec.GZIP : CompressionCodec.NONE)])
      if (i % 13 === 12) await s.log.roll()
    }
    await timeQueriesMatchModel(s, T0 - 1n, T0 + 975n, 3n)
  }))

  test('time queries forget truncated records and records below the log start', () => withSession(open, reopen, {}, async s => {
    await s.append([timed([10, 50, 20], 'a')])
    await s.append([timed([60, 30, 60], 'b', CompressionCodec.GZIP)])
    await s.append([timed([40, 70], 'c')])
    assert.deepEqual(await s.log.maxTimestampOffset(), { offset: 7n, timestamp: T0 + 70n })
    await s.log.truncateTo(6n)
    s.ref.truncateTo(6n)
    assert.deepEqual(await s.log.maxTimestampOffset(), { offset: 3n, timestamp: T0 + 60n }, 'after truncation')
    assert.equal(await s.log.offsetForTimestamp(T0 + 61n), null, 'no record at or after T0 + 61 after truncation')
    await s.log.advanceLogStartOffset(4n)
    s.ref.advanceLogStart(4n)
    assert.deepEqual(await s.log.offsetForTimestamp(T0), { offset: 4n, timestamp: T0 + 30n }, 'the first record at or above the log start')
    assert.deepEqual(await s.log.maxTimestampOffset(), { offset: 5n, timestamp: T0 + 60n }, 'offset 3 is below the log start')
    await timeQueriesMatchModel(s, T0, T0 + 71n)
    await s.log.advanceLogStartOffset(6n)
    s.ref.advanceLogStart(6n)
    assert.equal(await s.log.offsetForTimestamp(T0), null)
    assert.equal(await s.log.maxTimestampOffset(), null)
  }))
}
