import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { cleanableRange, groupSegmentsBySize, maxSegmentMs, type CleanableInput, type SegmentDescriptor } from '../../src/cleaner/index.js'
import { compactConfig } from './helpers.js'

const NOW = 1_000_000

function seg (base: number, next: number, size: number, maxTs = 1000, first?: number): SegmentDescriptor {
  return { baseOffset: BigInt(base), nextOffset: BigInt(next), sizeBytes: size, maxTimestamp: BigInt(maxTs), firstBatchTimestamp: first === undefined ? undefined : BigInt(first), isActive: false }
}

function active (base: number, size = 10): SegmentDescriptor {
  return { ...seg(base, base + 5, size, NOW), isActive: true }
}

// Three closed segments of 100 bytes, offsets 0-299, and the active one from 300.
const SEGS = [seg(0, 100, 100), seg(100, 200, 100), seg(200, 300, 100), active(300)]

function input (over: Partial<CleanableInput> & { minRatio?: number, minLag?: number, maxLag?: number } = {}): CleanableInput {
  const c = compactConfig({
    minCleanableDirtyRatio: over.minRatio ?? 0.5,
    minCompactionLagMs: over.minLag ?? 0,
    maxCompactionLagMs: over.maxLag ?? Number.MAX_SAFE_INTEGER
  })
  return {
    segments: SEGS,
    logStartOffset: 0n,
    logEndOffset: 305n,
    lastStableOffset: 305n,
    checkpoint: null,
    now: NOW,
    config: c,
    ...over
  }
}

describe('cleanableRange', () => {
  test('a never cleaned log is all dirty, up to the active segment', () => {
    const r = cleanableRange(input())
    assert.equal(r.firstDirtyOffset, 0n)
    assert.equal(r.firstUncleanableOffset, 300n)
    assert.equal(r.cleanableBytes, 300)
    assert.equal(r.cleanBytes, 0)
    assert.equal(r.dirtyRatio, 1)
    assert.equal(r.shouldClean, true)
    assert.equal(r.checkpointReset, false)
  })

  test('dirty ratio = cleanable / (clean + cleanable), compared strictly with min.cleanable.dirty.ratio as Kafka does', () => {
    const r = cleanableRange(input({ checkpoint: 100n }))
    assert.equal(r.cleanBytes, 100)
    assert.equal(r.cleanableBytes, 200)
    assert.ok(Math.abs(r.dirtyRatio - 2 / 3) < 1e-9)
    assert.equal(r.shouldClean, true)
    assert.equal(cleanableRange(input({ checkpoint: 100n, minRatio: 0.7 })).shouldClean, false)
    const half = cleanableRange(input({ checkpoint: 200n, segments: [seg(0, 100, 50), seg(100, 200, 50), seg(200, 300, 100), active(300)] }))
    assert.equal(half.dirtyRatio, 0.5)
    assert.equal(half.shouldClean, false)
  })

  test('min.compaction.lag.ms: the range stops at the first segment holding a record that is too recent (KIP-58)', () => {
    const segments = [seg(0, 100, 100, NOW - 5000), seg(100, 200, 100, NOW - 500), seg(200, 300, 100, NOW - 5000), active(300)]
    const r = cleanableRange(input({ segments, minLag: 1000 }))
    assert.equal(r.firstUncleanableOffset, 100n)
    assert.equal(r.cleanableBytes, 100)
    const none = cleanableRange(input({ segments, minLag: 10_000 }))
    assert.equal(none.firstUncleanableOffset, 0n)
    assert.equal(none.cleanableBytes, 0)
    assert.equal(none.shouldClean, false)
  })

  test('the last stable offset bounds the range, rounded down to a segment', () => {
    const r = cleanableRange(input({ lastStableOffset: 150n }))
    assert.equal(r.firstUncleanableOffset, 100n)
    assert.equal(r.cleanableBytes, 100)
  })

  test('a checkpoint outside the log restarts from the log start', () => {
    assert.equal(cleanableRange(input({ checkpoint: 400n })).checkpointReset, true)
    const below = cleanableRange(input({ checkpoint: 50n, logStartOffset: 100n, segments: SEGS.slice(1) }))
    assert.equal(below.checkpointReset, true)
    assert.equal(below.firstDirtyOffset, 100n)
  })

  test('max.compaction.lag.ms forces a cleaning below the dirty ratio (KIP-354)', () => {
    const segments = [seg(0, 100, 1000, NOW - 100, NOW - 200), seg(100, 200, 1000, NOW - 100, NOW - 150), seg(200, 300, 10, NOW - 90, NOW - 95), active(300)]
    const calm = cleanableRange(input({ segments, checkpoint: 200n, maxLag: 1000 }))
    assert.equal(calm.shouldClean, false)
    const forced = cleanableRange(input({ segments, checkpoint: 200n, maxLag: 50 }))
    assert.equal(forced.needCompactionNow, true)
    assert.equal(forced.compactionDelayMs, 45)
    assert.equal(forced.shouldClean, true)
    // Forced, but nothing cleanable (min lag holds everything back): no cleaning.
    const held = cleanableRange(input({ segments, checkpoint: 200n, maxLag: 50, minLag: 1000 }))
    assert.equal(held.needCompactionNow, true)
    assert.equal(held.shouldClean, false)
  })

  test('an empty log has nothing to clean', () => {
    const r = cleanableRange(input({ segments: [active(0, 0)], logEndOffset: 0n, lastStableOffset: 0n }))
    assert.equal(r.totalBytes, 0)
    assert.equal(r.shouldClean, false)
  })
})

describe('groupSegmentsBySize', () => {
  test('merges consecutive segments up to segment.bytes', () => {
    const g = groupSegmentsBySize([seg(0, 10, 300), seg(10, 20, 300), seg(20, 30, 500), seg(30, 40, 100)], 1000, 40n)
    assert.deepEqual(g.map(x => x.map(s => s.baseOffset)), [[0n, 10n], [20n, 30n]])
  })

  test('keeps every offset of a group within an int32 of its base', () => {
    const far = 0x80000000
    const g = groupSegmentsBySize([seg(0, 10, 1), seg(10, far, 1), seg(far, far + 10, 1)], 1000, BigInt(far + 10))
    assert.deepEqual(g.map(x => x.map(s => s.baseOffset)), [[0n, 10n], [BigInt(far)]])
  })
})

test('maxSegmentMs rolls compacted logs after max.compaction.lag.ms', () => {
  assert.equal(maxSegmentMs(compactConfig({ segmentMs: 1000, maxCompactionLagMs: 300 })), 300)
  assert.equal(maxSegmentMs({ ...compactConfig({ segmentMs: 1000, maxCompactionLagMs: 300 }), cleanupPolicy: ['delete'] }), 1000)
})
