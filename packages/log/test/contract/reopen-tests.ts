import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CompressionCodec } from '@tributary/protocol'
import { T0, makeRecords, type TestBatch } from '../helpers/batches.js'
import { fillAcrossSegments } from './read-tests.js'
import { ALL, SMALL_SEGMENTS, withSession, type OpenLog, type Session } from './session.js'

function batch (n: number, tag: string, compression: CompressionCodec = CompressionCodec.NONE): TestBatch {
  return { records: makeRecords(n, tag, i => T0 + BigInt((i * 37) % 11)), compression }
}

/** Everything a reader can observe equals the model: contents, offsets, reads from every offset, time queries. */
async function observablyEqual (s: Session, label: string): Promise<void> {
  await s.matchesModel(label)
  await s.readsMatchModel([1, 700, ALL])
  for (let t = T0 - 1n; t <= T0 + 12n; t++) {
    assert.deepEqual(await s.log.offsetForTimestamp(t), s.ref.offsetForTimestamp(t), `offsetForTimestamp(T0 + ${t - T0}) ${label}`)
  }
  assert.deepEqual(await s.log.maxTimestampOffset(), s.ref.maxTimestampOffset(), `maxTimestampOffset ${label}`)
}

export function reopenTests ({ open, reopen }: { open: OpenLog, reopen: OpenLog }): void {
  test('an empty log reopens empty', () => withSession(open, reopen, {}, async s => {
    await s.reopen()
    await s.matchesModel()
    assert.equal((await s.append([batch(1, 'a')])).firstOffset, 0n)
  }))

  test('contents, log start, log end and high watermark survive close and reopen, across many segments', () => withSession(open, reopen, SMALL_SEGMENTS, async s => {
    await fillAcrossSegments(s, 40, 'a')
    await s.append([batch(3, 'lat', CompressionCodec.GZIP)], { timestampType: 'LogAppendTime', now: () => T0 + 5n, leaderEpoch: 4 })
    await s.append([batch(4, 'epoch')], { leaderEpoch: 5, durable: true })
    const middle = s.ref.batches[10]!
    await s.log.advanceLogStartOffset(middle.base + 1n)
    s.ref.advanceLogStart(middle.base + 1n)
    const cut = s.ref.batches[s.ref.batches.length - 3]!.base
    await s.log.truncateTo(cut)
    s.ref.truncateTo(cut)
    const hw = s.ref.logEnd - 2n
    s.log.highWatermark = hw
    s.ref.highWatermark = hw
    await observablyEqual(s, 'before reopen')
    await s.reopen()
    await observablyEqual(s, 'after reopen')
    await fillAcrossSegments(s, 10, 'b')
    await s.reopen()
    await observablyEqual(s, 'after appending and reopening again')
  }))

  test('durable appends survive reopen under both flush policies', async () => {
    for (const overrides of [{}, { flushPolicy: 'pagecache' as const, flushMessages: 1000, flushMs: 3_600_000 }]) {
      await withSession(open, reopen, overrides, async s => {
        for (let i = 0; i < 6; i++) await s.append([batch(1 + i, `d${i}`, i % 2 === 0 ? CompressionCodec.GZIP : CompressionCodec.NONE)], { durable: true })
        await s.reopen()
        await s.matchesModel(JSON.stringify(overrides))
      })
    }
  })

  test('a log emptied by advancing its start to its end keeps both offsets over reopen', () => withSession(open, reopen, SMALL_SEGMENTS, async s => {
    await fillAcrossSegments(s, 20, 'a')
    await s.log.advanceLogStartOffset(s.ref.logEnd)
    s.ref.advanceLogStart(s.ref.logEnd)
    await s.reopen()
    await s.matchesModel()
    assert.equal((await s.append([batch(2, 'next')])).firstOffset, s.ref.logEnd - 2n)
  }))

  test('a truncation inside a batch keeps its log end over reopen', () => withSession(open, reopen, {}, async s => {
    for (const tag of ['a', 'b', 'c']) await s.append([batch(5, tag)])
    await s.log.truncateTo(12n)
    s.ref.truncateTo(12n)
    await s.reopen()
    await s.matchesModel()
    assert.equal((await s.append([batch(1, 'd')])).firstOffset, 12n)
  }))
}
