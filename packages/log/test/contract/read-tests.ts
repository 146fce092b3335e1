import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CompressionCodec } from '@tributary/protocol'
import { equalBytes, rejectsWith } from '../helpers/assertions.js'
import { T0, makeRecords, spans, type TestBatch } from '../helpers/batches.js'
import type { ContractTarget } from './log-contract.js'
import { ALL, SMALL_SEGMENTS, withSession, type Session } from './session.js'

function batch (n: number, tag: string, valueBytes = 16, compression: CompressionCodec = CompressionCodec.NONE): TestBatch {
  return { records: makeRecords(n, tag, i => T0 + BigInt(i), valueBytes), compression }
}

/** Three batches of five records: 0-4, 5-9, 10-14. */
async function threeBatches (s: Session): Promise<void> {
  for (const tag of ['a', 'b', 'c']) await s.append([batch(5, tag)])
}

/** Many batches of varied sizes across many small segments, with explicit rolls in between. */
export async function fillAcrossSegments (s: Session, appends: number, tag: string): Promise<void> {
  for (let i = 0; i < appends; i++) {
    const n = 1 + (i * 7) % 6
    const compression = i % 5 === 0 ? CompressionCodec.GZIP : CompressionCodec.NONE
    await s.append([batch(n, `${tag}${i}`, 8 + (i * 37) % 120, compression)])
    if (i % 17 === 16) await s.log.roll()
  }
}

export function readTests ({ open, reopen }: ContractTarget): void {
  test('a read returns whole batches, starting with the one that holds the offset', () => withSession(open, reopen, {}, async s => {
    await threeBatches(s)
    for (const [offset, expected, next] of [[0n, ['0-4', '5-9', '10-14'], 15n], [7n, ['5-9', '10-14'], 15n], [5n, ['5-9', '10-14'], 15n], [14n, ['10-14'], 15n]] as const) {
      const r = await s.log.read(offset, ALL)
      assert.deepEqual(spans(r.records), expected, `read(${offset})`)
      assert.equal(r.nextOffset, next)
      assert.deepEqual([r.logStartOffset, r.logEndOffset], [0n, 15n])
    }
  }))

  test('the log end reads empty; below the start or past the end is OFFSET_OUT_OF_RANGE', () => withSession(open, reopen, {}, async s => {
    await threeBatches(s)
    const end = await s.log.read(15n, ALL)
    assert.deepEqual([end.records.length, end.nextOffset, end.logEndOffset], [0, 15n, 15n])
    await rejectsWith(s.log.read(16n, ALL), 'TRIB_LOG_OFFSET_OUT_OF_RANGE', 'past the end')
    await rejectsWith(s.log.read(1000n, ALL), 'TRIB_LOG_OFFSET_OUT_OF_RANGE', 'far past the end')
    await rejectsWith(s.log.read(-1n, ALL), 'TRIB_LOG_OFFSET_OUT_OF_RANGE', 'negative')
  }))

  test('maxBytes bounds the whole batches returned; the first batch comes even when larger, unless minOneBatch is false', () => withSession(open, reopen, {}, async s => {
    await threeBatches(s)
    const [size0, size1] = s.ref.batches.map(b => b.bytes.length) as [number, number]
    const cases: Array<[number, boolean | undefined, string[], bigint]> = [
      [size0 + size1, undefined, ['0-4', '5-9'], 10n],
      [size0 + size1 - 1, undefined, ['0-4'], 5n],
      [size0, undefined, ['0-4'], 5n],
      [size0 - 1, undefined, ['0-4'], 5n],
      [1, undefined, ['0-4'], 5n],
      [0, undefined, ['0-4'], 5n],
      [1, true, ['0-4'], 5n],
      [size0 - 1, false, [], 0n],
      [0, false, [], 0n],
      [size0, false, ['0-4'], 5n]
    ]
    for (const [maxBytes, minOneBatch, expected, next] of cases) {
      const r = await s.log.read(0n, maxBytes, minOneBatch === undefined ? {} : { minOneBatch })
      assert.deepEqual(spans(r.records), expected, `read(0, ${maxBytes}, minOneBatch ${String(minOneBatch)})`)
      assert.equal(r.nextOffset, next, `nextOffset of read(0, ${maxBytes})`)
    }
  }))

  test('maxOffset excludes every batch whose last offset is at or above it, even the first', () => withSession(open, reopen, {}, async s => {
    await threeBatches(s)
    const cases: Array<[bigint, bigint, string[], bigint]> = [
      [0n, 15n, ['0-4', '5-9', '10-14'], 15n],
      [0n, 10n, ['0-4', '5-9'], 10n],
      [0n, 9n, ['0-4'], 5n],
      [0n, 5n, ['0-4'], 5n],
      [0n, 4n, [], 0n],
      [0n, 0n, [], 0n],
      [6n, 9n, [], 6n],
      [12n, 10n, [], 12n]
    ]
    for (const [offset, maxOffset, expected, next] of cases) {
      const r = await s.log.read(offset, ALL, { maxOffset })
      assert.deepEqual(spans(r.records), expected, `read(${offset}, maxOffset ${maxOffset})`)
      assert.equal(r.nextOffset, next, `nextOffset of read(${offset}, maxOffset ${maxOffset})`)
    }
    const tight = await s.log.read(0n, 1, { maxOffset: 10n })
    assert.deepEqual(spans(tight.records), ['0-4'], 'maxBytes and maxOffset together')
  }))

  test('reads across many small segments and explicit rolls return what was appended', () => withSession(open, reopen, SMALL_SEGMENTS, async s => {
    await fillAcrossSegments(s, 80, 'seg')
    await s.matchesModel()
    await s.readsMatchModel([0, 1, 150, 700, 5000, ALL])
    // Following nextOffset with a small maxBytes walks the whole log exactly once.
    const parts: Buffer[] = []
    let offset = 0n
    while (offset < s.log.logEndOffset()) {
      const r = await s.log.read(offset, 300)
      assert.ok(r.nextOffset > offset, `read(${offset}) made progress`)
      parts.push(r.records)
      offset = r.nextOffset
    }
    equalBytes(Buffer.concat(parts), s.ref.everything(), 'the log read in steps')
  }))

  test('roll is harmless on an empty log, twice in a row, and between appends', () => withSession(open, reopen, SMALL_SEGMENTS, async s => {
    await s.log.roll()
    await s.log.roll()
    await s.append([batch(3, 'a')])
    await s.log.roll()
    await s.log.roll()
    await s.append([batch(2, 'b')])
    assert.equal(s.log.logEndOffset(), 5n)
    await s.matchesModel()
    await s.readsMatchModel([1, ALL])
  }))
}
