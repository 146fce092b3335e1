import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { readBatchHeader } from '@tributary/protocol'
import { LogCleaner } from '../../src/cleaner/index.js'
import { FakeLog, T0, allCrcValid, batch, records } from './helpers.js'

const NOW = Number(T0) + 100_000

/** Segments of `perSegment` batches of one record each, keys cycling over `keys`. */
function keyedSegments (segments: number, perSegment: number, keys: number): Buffer[][] {
  const out: Buffer[][] = []
  let o = 0
  for (let s = 0; s < segments; s++) {
    const seg: Buffer[] = []
    for (let b = 0; b < perSegment; b++, o++) seg.push(batch(BigInt(o), [{ key: `k${o % keys}`, value: `v${o}` }]))
    out.push(seg)
  }
  return out
}

function latestPerKey (log: FakeLog): Map<string, string | null> {
  const m = new Map<string, string | null>()
  for (const r of records(log.allBatches())) m.set(r.key!, r.value)
  return m
}

describe('LogCleaner', () => {
  test('cleans every closed segment, never the active one, and checkpoints the end', async () => {
    const segs = keyedSegments(4, 10, 5)
    const log = new FakeLog([...segs, [batch(40n, [{ key: 'k0', value: 'active' }])]])
    const before = latestPerKey(log)
    const activeBefore = log.segs.at(-1)!.batches.slice()
    const cleaner = new LogCleaner({ now: () => NOW })
    cleaner.add(log)
    const r = await cleaner.cleanLog(log)
    assert.ok(r !== null)
    assert.equal(r.abandoned, false)
    assert.equal(r.endOffset, 40n)
    assert.equal(log.checkpoint, 40n)
    assert.deepEqual(log.segs.at(-1)!.batches, activeBefore, 'active segment untouched')
    const closed = log.segs.slice(0, -1).flatMap(s => s.batches)
    assert.deepEqual(records(closed).map(x => x.offset), [35n, 36n, 37n, 38n, 39n])
    assert.deepEqual(latestPerKey(log), before)
    assert.ok(allCrcValid(log.allBatches()))
    // Small segments were merged into one group.
    assert.equal(log.segs.length, 2)
    assert.equal(log.segs[0]!.base, 0n)
    assert.equal(log.writersOpen, 0)
    // Nothing dirty any more.
    assert.equal(await cleaner.cleanLog(log), null)
    assert.equal(await cleaner.cleanFilthiest(), null)
  })

  test('the cleaned segment ends where the replaced group ended', async () => {
    // Offsets 0-5 in one segment, all superseded by later keys except nothing at its end.
    const log = new FakeLog([
      [batch(0n, [{ key: 'a', value: '1' }]), batch(1n, [{ key: 'b', value: '1' }])],
      [batch(2n, [{ key: 'a', value: '2' }, { key: 'b', value: '2' }])],
      []
    ], { segmentBytes: 1 })
    const cleaner = new LogCleaner({ now: () => NOW })
    cleaner.add(log)
    await cleaner.cleanLog(log, { force: true })
    const first = log.segs[0]!
    assert.equal(first.batches.length, 1)
    const h = readBatchHeader(first.batches[0]!)
    assert.deepEqual([h.baseOffset, h.lastOffsetDelta, h.recordsCount], [1n, 0, 0])
  })

  test('picks the dirtiest log above min.cleanable.dirty.ratio', async () => {
    const a = new FakeLog([...keyedSegments(2, 5, 2), []], {}, 'a')
    const b = new FakeLog([...keyedSegments(4, 5, 2), []], {}, 'b')
    const cleaner = new LogCleaner({ now: () => NOW })
    cleaner.add(a)
    cleaner.add(b)
    a.checkpoint = 5n // half clean
    const first = await cleaner.cleanFilthiest()
    assert.equal(first?.log, 'b')
    // a's ratio is 0.5, not above the default 0.5.
    assert.equal(await cleaner.cleanFilthiest(), null)
    a.cfg.minCleanableDirtyRatio = 0.1
    assert.equal((await cleaner.cleanFilthiest())?.log, 'a')
  })

  test('logs without compact in cleanup.policy are left alone', async () => {
    const log = new FakeLog([...keyedSegments(2, 5, 2), []], { cleanupPolicy: ['delete'] })
    const cleaner = new LogCleaner({ now: () => NOW })
    cleaner.add(log)
    assert.equal(await cleaner.cleanFilthiest(), null)
  })

  test('min.compaction.lag.ms keeps recent segments out of the round', async () => {
    const old = [batch(0n, [{ key: 'a', value: '1' }]), batch(1n, [{ key: 'a', value: '2' }])]
    const recent = [batch(2n, [{ key: 'a', value: '3', ts: BigInt(NOW - 10) }]), batch(3n, [{ key: 'a', value: '4', ts: BigInt(NOW - 10) }])]
    const log = new FakeLog([old, recent, []], { minCompactionLagMs: 1000 })
    const cleaner = new LogCleaner({ now: () => NOW })
    cleaner.add(log)
    const r = await cleaner.cleanLog(log)
    assert.equal(r?.endOffset, 2n)
    assert.deepEqual(records(log.allBatches()).map(x => x.value), ['2', '3', '4'])
  })

  test('a refused swap abandons the round without moving the checkpoint', async () => {
    const log = new FakeLog([...keyedSegments(3, 5, 2), []])
    log.refuseReplace = true
    const cleaner = new LogCleaner({ now: () => NOW })
    cleaner.add(log)
    const r = await cleaner.cleanLog(log)
    assert.equal(r?.abandoned, true)
    assert.equal(log.checkpoint, null)
    assert.equal(log.writersOpen, 0)
  })

  test('a truncation during the round makes the log refuse the swap', async () => {
    const log = new FakeLog([...keyedSegments(2, 5, 2), []], { segmentBytes: 1 })
    let reads = 0
    log.onRead = () => { if (++reads === 12) log.segs[1]!.batches.pop() }
    const cleaner = new LogCleaner({ now: () => NOW })
    cleaner.add(log)
    const r = await cleaner.cleanLog(log)
    assert.equal(r?.abandoned, true)
    assert.equal(log.writersOpen, 0)
  })

  test('abortAndPause stops a running cleaning; resume lets it run again', async () => {
    const log = new FakeLog([...keyedSegments(20, 50, 10), []])
    const cleaner = new LogCleaner({ now: () => NOW, sliceMs: 0 })
    cleaner.add(log)
    const running = cleaner.cleanLog(log)
    await new Promise(resolve => setImmediate(resolve))
    await cleaner.abortAndPause(log)
    const r = await running
    assert.equal(r?.abandoned, true)
    assert.equal(log.replaceCalls, 0)
    assert.equal(log.writersOpen, 0)
    assert.equal(await cleaner.cleanLog(log), null, 'paused')
    cleaner.resume(log)
    const again = await cleaner.cleanLog(log)
    assert.equal(again?.abandoned, false)
    assert.equal(log.checkpoint, 1000n)
  })

  test('a corrupt batch marks the log uncleanable until it is added again', async () => {
    const segs = keyedSegments(2, 5, 2)
    const bad = Buffer.from(segs[0]![2]!)
    bad[bad.length - 1] ^= 0xff
    segs[0]![2] = bad
    const log = new FakeLog([...segs, []])
    const cleaner = new LogCleaner({ now: () => NOW })
    cleaner.add(log)
    await assert.rejects(cleaner.cleanLog(log), /CRC/)
    assert.ok(cleaner.uncleanable.has(log))
    assert.equal(log.writersOpen, 0)
    assert.equal(await cleaner.cleanFilthiest(), null)
    cleaner.add(log)
    assert.equal(cleaner.uncleanable.has(log), false)
  })

  test('a small offset map cleans the dirty section over several rounds', async () => {
    const log = new FakeLog([...keyedSegments(10, 20, 200), []])
    const cleaner = new LogCleaner({ now: () => NOW, offsetMapBytes: 3000 })
    cleaner.add(log)
    const ends: bigint[] = []
    for (let i = 0; i < 50; i++) {
      const r = await cleaner.cleanLog(log, { force: true })
      if (r === null) break
      ends.push(r.endOffset)
    }
    assert.ok(ends.length > 2, `rounds: ${ends.join(', ')}`)
    assert.equal(ends.at(-1), 200n)
    assert.equal(records(log.allBatches()).length, 200 - 0, 'every key appears once (200 distinct keys, each written once)')
  })

  test('without producer state the last batch of each producer id stays, as an empty batch if need be', async () => {
    const log = new FakeLog([[
      batch(0n, [{ key: 'a', value: '1' }], { producerId: 8n, producerEpoch: 0, baseSequence: 0 }),
      batch(1n, [{ key: 'b', value: '1' }], { producerId: 8n, producerEpoch: 0, baseSequence: 1 }),
      batch(2n, [{ key: 'a', value: '2' }, { key: 'b', value: '2' }])
    ], []])
    const cleaner = new LogCleaner({ now: () => NOW })
    cleaner.add(log)
    await cleaner.cleanLog(log)
    const hs = log.allBatches().map(b => readBatchHeader(b))
    assert.deepEqual(hs.map(h => [h.baseOffset, h.recordsCount, h.baseSequence]), [[1n, 0, 1], [2n, 2, -1]])
  })

  test('tombstones: the first round stamps a horizon, a round after it removes them', async () => {
    let now = NOW
    const log = new FakeLog([[batch(0n, [{ key: 'a', value: '1' }]), batch(1n, [{ key: 'a', value: null }, { key: 'b', value: '1' }])], []], { deleteRetentionMs: 1000 })
    const cleaner = new LogCleaner({ now: () => now })
    cleaner.add(log)
    await cleaner.cleanLog(log)
    assert.deepEqual(records(log.allBatches()).map(r => [r.key, r.value]), [['a', null], ['b', '1']])
    log.append(batch(3n, [{ key: 'c', value: '1' }]))
    log.roll()
    now += 1000
    // The dirty ratio is low now; Kafka too removes tombstones only when the log is cleaned again.
    assert.equal(cleaner.inspect(log).shouldClean, false)
    await cleaner.cleanLog(log, { force: true })
    assert.deepEqual(records(log.allBatches()).map(r => [r.key, r.value]), [['b', '1'], ['c', '1']])
  })

  test('the background loop cleans and stops', async () => {
    const log = new FakeLog([...keyedSegments(3, 5, 2), []])
    const cleaned: string[] = []
    const cleaner = new LogCleaner({ now: () => NOW, backoffMs: 10, onCleaned: (l) => cleaned.push(l.name) })
    cleaner.add(log)
    cleaner.start()
    for (let i = 0; i < 100 && cleaned.length === 0; i++) await new Promise(resolve => setTimeout(resolve, 5))
    await cleaner.stop()
    assert.deepEqual(cleaned, ['fake-0'])
    assert.equal(log.checkpoint, 15n)
  })
})
