import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rejectsWith } from '../helpers/assertions.js'
import { T0, encodeBatch, makeRecords, type TestBatch } from '../helpers/batches.js'
import type { ContractTarget } from './log-contract.js'
import { ALL, withSession } from './session.js'

function batch (n: number, tag: string): TestBatch {
  return { records: makeRecords(n, tag, i => T0 + BigInt(i)) }
}

export function lifecycleTests ({ open, reopen }: ContractTarget): void {
  test('the high watermark is stored as set, lowered by truncation and raised by a new log start (Kafka keeps start <= HW <= end)', () => withSession(open, reopen, {}, async s => {
    for (const tag of ['a', 'b', 'c']) await s.append([batch(5, tag)])
    s.log.highWatermark = 12n
    assert.equal(s.log.highWatermark, 12n)
    await s.log.truncateTo(10n)
    assert.equal(s.log.highWatermark, 10n, 'truncation below the HW lowers it to the new end')
    await s.log.truncateTo(20n)
    assert.equal(s.log.highWatermark, 10n, 'a truncation that removes nothing leaves it')
    s.log.highWatermark = 5n
    await s.log.advanceLogStartOffset(7n)
    assert.equal(s.log.highWatermark, 7n, 'a log start above the HW raises it')
    await s.log.advanceLogStartOffset(8n)
    s.log.highWatermark = 9n
    await s.log.advanceLogStartOffset(9n)
    assert.equal(s.log.highWatermark, 9n)
  }))

  test('flush and roll leave the contents as they were', () => withSession(open, reopen, {}, async s => {
    await s.log.flush()
    await s.append([batch(3, 'a')])
    await s.log.flush()
    await s.log.roll()
    await s.log.flush()
    await s.append([batch(2, 'b')], { durable: true })
    await s.matchesModel()
  }))

  test('operations on a closed log fail with TRIB_LOG_CLOSED', () => withSession(open, reopen, {}, async s => {
    await s.append([batch(3, 'a')])
    await s.log.close()
    await rejectsWith(s.log.append(encodeBatch(batch(1, 'late'))), 'TRIB_LOG_CLOSED', 'append')
    await rejectsWith(s.log.append(encodeBatch(batch(1, 'late')), { durable: true }), 'TRIB_LOG_CLOSED', 'durable append')
    await rejectsWith(s.log.read(0n, ALL), 'TRIB_LOG_CLOSED', 'read')
  }))

  test('close may be called twice', () => withSession(open, reopen, {}, async s => {
    await s.append([batch(1, 'a')])
    await s.log.close()
    await s.log.close()
  }))

  test('close waits for appends already made, which then read back after reopen', { skip: reopen === undefined ? 'needs reopen' : false }, () => withSession(open, reopen, {}, async s => {
    const pending = [0, 1, 2, 3].map(i => s.log.append(encodeBatch(batch(2, `p${i}`)), { durable: i % 2 === 0 }))
    await s.log.close()
    const results = await Promise.all(pending)
    assert.deepEqual(results.map(r => r.firstOffset), [0n, 2n, 4n, 6n])
    for (let i = 0; i < 4; i++) s.ref.append([batch(2, `p${i}`)])
    s.log = await reopen!(s.ctx)
    await s.matchesModel()
  }))
}
