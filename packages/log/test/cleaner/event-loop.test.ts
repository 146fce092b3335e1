import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { test } from 'node:test'
import { CompressionCodec } from '@tributary/protocol'
import { LogCleaner } from '../../src/cleaner/index.js'
import { FakeLog, T0, batch, records, type Rec } from './helpers.js'

const RECORDS = 200_000
const PER_BATCH = 100
const PER_SEGMENT = 100
const KEYS = 20_000

test(`cleaning ${RECORDS} records keeps yielding to the event loop`, async () => {
  const segs: Buffer[][] = []
  let seg: Buffer[] = []
  for (let b = 0; b < RECORDS / PER_BATCH; b++) {
    const recs: Rec[] = []
    for (let i = 0; i < PER_BATCH; i++) {
      const o = b * PER_BATCH + i
      recs.push({ key: `key-${(o * 7919) % KEYS}`, value: `value-${o}` })
    }
    seg.push(batch(BigInt(b * PER_BATCH), recs, { codec: b % 2 === 0 ? CompressionCodec.NONE : CompressionCodec.LZ4 }))
    if (seg.length === PER_SEGMENT) { segs.push(seg); seg = [] }
  }
  segs.push(seg)
  const log = new FakeLog(segs)
  const cleaner = new LogCleaner({ now: () => Number(T0) + 1000 })
  cleaner.add(log)

  let last = performance.now()
  let maxGap = 0
  let ticks = 0
  const timer = setInterval(() => {
    const t = performance.now()
    maxGap = Math.max(maxGap, t - last)
    last = t
    ticks++
  }, 1)
  const started = performance.now()
  let result
  try {
    result = await cleaner.cleanLog(log)
  } finally {
    clearInterval(timer)
  }
  const elapsed = performance.now() - started
  assert.ok(result !== null && !result.abandoned)
  assert.equal(result.stats.recordsRead, RECORDS)
  assert.equal(records(log.allBatches()).length, KEYS)
  console.log(`# cleaned ${RECORDS} records in ${elapsed.toFixed(0)} ms; longest event-loop gap ${maxGap.toFixed(1)} ms over ${ticks} timer ticks`)
  assert.ok(ticks > 10, `the timer ran ${ticks} times`)
  assert.ok(maxGap < 200, `longest gap ${maxGap.toFixed(1)} ms`)
})
