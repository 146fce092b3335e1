import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { CompressionCodec, lastOffset, readBatchHeader, verifyBatchCrc } from '@tributary/protocol'
import { LogCleaner, buildOffsetMap, cleanBatches } from '../../src/cleaner/index.js'
import { FakeLog, T0, batch, records, type Flat, type Rec } from './helpers.js'

const NOW = Number(T0) + 1_000_000

interface BatchSpec { gap: number, codec: CompressionCodec, recs: Rec[] }

const recArb: fc.Arbitrary<Rec> = fc.record({
  key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
  value: fc.option(fc.string({ maxLength: 6 }), { freq: 4, nil: null })
})
const batchArb: fc.Arbitrary<BatchSpec> = fc.record({
  gap: fc.nat({ max: 3 }),
  codec: fc.constantFrom(CompressionCodec.NONE, CompressionCodec.GZIP, CompressionCodec.SNAPPY, CompressionCodec.LZ4, CompressionCodec.ZSTD),
  recs: fc.array(recArb, { minLength: 1, maxLength: 5 })
})
const logArb = fc.array(batchArb, { minLength: 1, maxLength: 25 })

function build (specs: BatchSpec[]): Buffer[] {
  let next = 0n
  return specs.map(s => {
    const b = batch(next + BigInt(s.gap), s.recs, { codec: s.codec })
    next = lastOffset(readBatchHeader(b)) + 1n
    return b
  })
}

/** The latest record of each key, tombstones included or not, in offset order. */
function model (input: Buffer[], withTombstones: boolean): Flat[] {
  const latest = new Map<string, Flat>()
  for (const r of records(input)) latest.set(r.key!, r)
  return [...latest.values()].filter(r => withTombstones || r.value !== null).sort((x, y) => x.offset < y.offset ? -1 : 1)
}

function checkShape (input: Buffer[], output: Buffer[]): void {
  const spans = new Set(input.map(b => { const h = readBatchHeader(b); return `${h.baseOffset}-${lastOffset(h)}` }))
  let prev = -1n
  for (const b of output) {
    assert.ok(verifyBatchCrc(b))
    const h = readBatchHeader(b)
    assert.ok(spans.has(`${h.baseOffset}-${lastOffset(h)}`), 'every output batch keeps the offsets of an input batch')
    assert.ok(h.baseOffset > prev)
    prev = lastOffset(h)
  }
  const byOffset = new Map(records(input).map(r => [r.offset, r]))
  for (const r of records(output)) assert.deepEqual(r, byOffset.get(r.offset), 'a kept record is the input record at that offset')
}

describe('compaction properties', () => {
  test('pure core: one pass keeps the latest record per key, a pass after the horizon drops tombstones', () => {
    fc.assert(fc.property(logArb, specs => {
      const input = build(specs)
      const once = cleanBatches(input, { map: buildOffsetMap(input, { startOffset: 0n }), now: NOW, deleteRetentionMs: 0 }).batches
      assert.deepEqual(records(once), model(input, true))
      checkShape(input, once)
      const twice = cleanBatches(once, { map: buildOffsetMap(once, { startOffset: 0n }), now: NOW, deleteRetentionMs: 0 }).batches
      assert.deepEqual(records(twice), model(input, false))
      checkShape(input, twice)
      const again = cleanBatches(twice, { map: buildOffsetMap(twice, { startOffset: 0n }), now: NOW, deleteRetentionMs: 0 }).batches
      assert.deepEqual(again, twice, 'cleaning a clean log changes nothing')
    }), { numRuns: 300 })
  })

  test('scheduler over segments: incremental rounds converge to the same result', async () => {
    const arb = fc.record({ specs: logArb, cuts: fc.array(fc.nat({ max: 24 }), { maxLength: 5 }), mapBytes: fc.constantFrom(250, 600, 1 << 20) })
    await fc.assert(fc.asyncProperty(arb, async ({ specs, cuts, mapBytes }) => {
      const input = build(specs)
      const bounds = [...new Set(cuts.filter(c => c > 0 && c < input.length))].sort((a, b) => a - b)
      const segs: Buffer[][] = []
      let at = 0
      for (const c of [...bounds, input.length]) { segs.push(input.slice(at, c)); at = c }
      segs.push([])
      let now = NOW
      const log = new FakeLog(segs, { deleteRetentionMs: 10 })
      const cleaner = new LogCleaner({ now: () => now, offsetMapBytes: mapBytes })
      cleaner.add(log)
      const untilClean = async (): Promise<void> => {
        for (let i = 0; i < 200; i++) {
          if (await cleaner.cleanLog(log, { force: true }) === null) return
        }
        assert.fail('no convergence')
      }
      await untilClean()
      assert.equal(log.checkpoint, log.segments().at(-1)!.baseOffset)
      assert.deepEqual(records(log.allBatches()), model(input, true))
      checkShape(input, log.allBatches())
      // Past the delete horizon, a full round drops the tombstones.
      log.checkpoint = 0n
      now += 10
      await untilClean()
      assert.deepEqual(records(log.allBatches()), model(input, false))
      checkShape(input, log.allBatches())
      assert.equal(log.writersOpen, 0)
    }), { numRuns: 60 })
  })
})
