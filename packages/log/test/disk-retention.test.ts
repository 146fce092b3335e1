import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { LogManager, parsePartitionDir } from '../src/log-manager.js'
import { retentionDeletions, type RetentionCandidate } from '../src/retention.js'
import { T0 } from './helpers/batches.js'
import { withTempDir } from './helpers/temp-dir.js'
import { batchOf, openLog, quiet, waitFor } from './disk-helpers.js'

function seg (sizeBytes: number, largestTimestamp: number, nextBaseOffset: bigint): RetentionCandidate {
  return { sizeBytes, largestTimestamp: () => largestTimestamp, nextBaseOffset }
}

test('retention picks the oldest closed segments: by time, then by size, never past the high watermark', () => {
  const closed = [seg(100, 1000, 10n), seg(100, 2000, 20n), seg(100, 3000, 30n), seg(100, 4000, 40n)]
  const cfg = (retentionMs: number, retentionBytes: number): { retentionMs: number, retentionBytes: number } => ({ retentionMs, retentionBytes })
  assert.deepEqual(retentionDeletions(closed, 450, cfg(-1, -1), 10_000, 100n), { count: 0, reasons: [] })
  assert.deepEqual(retentionDeletions(closed, 450, cfg(7500, -1), 10_000, 100n), { count: 2, reasons: ['retention.ms'] }, 'older than 7.5 s')
  assert.equal(retentionDeletions(closed, 450, cfg(8000, -1), 10_000, 100n).count, 1, 'exactly retention.ms is kept')
  assert.deepEqual(retentionDeletions(closed, 450, cfg(-1, 250), 10_000, 100n), { count: 2, reasons: ['retention.bytes'] }, '450 - 200 <= 250')
  assert.equal(retentionDeletions(closed, 450, cfg(-1, 50), 10_000, 100n).count, 4)
  assert.equal(retentionDeletions(closed, 450, cfg(-1, 50), 10_000, 25n).count, 2, 'segments ending above the high watermark stay')
  assert.deepEqual(retentionDeletions(closed, 450, cfg(8500, 150), 10_000, 100n), { count: 3, reasons: ['retention.ms', 'retention.bytes'] })
  assert.equal(retentionDeletions([seg(100, 1000, 10n), seg(100, 99_000, 20n), seg(100, 1000, 30n)], 350, cfg(5000, -1), 10_000, 100n).count, 1, 'stops at the first young segment')
})

test('DiskLog retention deletes whole closed segments, moves the log start, never touches the active segment', () => withTempDir('ret', async dir => {
  const log = await openLog(dir, { segmentBytes: 700, retentionMs: 1000, cleanupPolicy: ['delete'] })
  for (let i = 0; i < 12; i++) await log.append(batchOf(2, { deltas: [i * 100, i * 100 + 1], valueBytes: 60 }))
  const segs = log.segments()
  assert.ok(segs.length >= 3)
  assert.equal(log.deleteRetentionSegments(Number(T0) + 5000), 0, 'nothing is below the high watermark yet')
  log.highWatermark = log.logEndOffset()
  assert.equal(log.deleteRetentionSegments(Number(T0) + 100_000), segs.length - 1, 'everything old but the active segment')
  assert.equal(log.segments().length, 1)
  assert.equal(log.logStartOffset(), segs[segs.length - 1]!.baseOffset)
  await log.close()

  const bySize = await openLog(`${dir}/size`, { segmentBytes: 700, retentionBytes: 1500, cleanupPolicy: ['delete'] })
  for (let i = 0; i < 12; i++) await bySize.append(batchOf(2, { valueBytes: 60 }))
  bySize.highWatermark = bySize.logEndOffset()
  const before = bySize.size()
  const deleted = bySize.deleteRetentionSegments()
  assert.ok(deleted > 0)
  assert.ok(bySize.size() <= 1500 + 700 && bySize.size() >= before - deleted * 700, `size ${bySize.size()}`)
  assert.ok(bySize.size() - bySize.segments()[0]!.sizeBytes < 1500, 'one more deletion would go below retention.bytes')
  await bySize.close()

  const compacted = await openLog(`${dir}/compact`, { segmentBytes: 700, retentionMs: 1, cleanupPolicy: ['compact'] })
  for (let i = 0; i < 12; i++) await compacted.append(batchOf(2, { valueBytes: 60 }))
  compacted.highWatermark = compacted.logEndOffset()
  assert.equal(compacted.deleteRetentionSegments(Number(T0) + 1e9), 0, 'cleanup.policy=compact alone has no time or size retention')
  await compacted.close()
}))

test('log manager: partition directories, Kafka checkpoint files, retention timer, deletion, restart after an unclean stop', () => withTempDir('mgr', async root => {
  const logDirs = [join(root, 'd1'), join(root, 'd2')]
  const manager = await LogManager.open({
    logDirs,
    defaultConfig: { segmentBytes: 700, retentionMs: -1 },
    topicConfig: topic => topic === 'short' ? { retentionMs: 1000, fileDeleteDelayMs: 20 } : undefined,
    retentionCheckIntervalMs: 25,
    checkpointIntervalMs: 0,
    clock: () => Number(T0) + 60_000,
    logger: quiet
  })
  const a0 = await manager.getOrCreateLog('orders', 0)
  const [a1, again] = await Promise.all([manager.getOrCreateLog('orders', 1), manager.getOrCreateLog('orders', 1)])
  assert.equal(a1, again, 'one log per partition, even when opened twice at once')
  const s0 = await manager.getOrCreateLog('short', 0)
  assert.ok(existsSync(join(logDirs[0]!, 'orders-0')) && existsSync(join(logDirs[1]!, 'orders-1')), 'partitions spread over the log directories')
  for (let i = 0; i < 10; i++) {
    await a0.append(batchOf(2, { valueBytes: 60 }))
    await a1.append(batchOf(1, { valueBytes: 60 }))
    await s0.append(batchOf(2, { valueBytes: 60 }))
  }
  await a0.advanceLogStartOffset(3n)
  a0.highWatermark = 15n
  s0.highWatermark = s0.logEndOffset()
  await waitFor(() => s0.logStartOffset() > 0n, 'the retention timer to delete old segments of the short-retention topic')
  assert.equal(a1.logStartOffset(), 0n, 'retention.ms=-1 keeps everything')
  await manager.checkpoint()
  const text = readFileSync(join(logDirs[0]!, 'log-start-offset-checkpoint'), 'utf8').split('\n')
  assert.equal(text[0], '0')
  assert.equal(text[1], String(text.length - 3))
  assert.ok(text.includes('orders 0 3'), text.join('|'))
  assert.ok(readFileSync(join(logDirs[0]!, 'replication-offset-checkpoint'), 'utf8').includes('orders 0 15'))
  assert.match(readFileSync(join(logDirs[0]!, 'recovery-point-offset-checkpoint'), 'utf8'), /^0\n\d+\n/)

  assert.ok(await manager.deleteLog('orders', 1))
  assert.equal(manager.getLog('orders', 1), undefined)
  assert.ok(readdirSync(logDirs[1]!).some(n => /^orders-1\.[0-9a-f]+-delete$/.test(n)), 'renamed for deletion')
  const aEnd = a0.logEndOffset()
  await manager.close()

  // An unclean stop: no markers; the checkpoints carry the log start and the high watermark.
  for (const d of logDirs) for (const n of readdirSync(d)) if (existsSync(join(d, n, '.clean-shutdown'))) rmSync(join(d, n, '.clean-shutdown'))
  const reopened = await LogManager.open({ logDirs, defaultConfig: { segmentBytes: 700, retentionMs: -1 }, retentionCheckIntervalMs: 0, checkpointIntervalMs: 0, logger: quiet })
  const b0 = reopened.getLog('orders', 0)!
  assert.equal(b0.logEndOffset(), aEnd)
  assert.equal(b0.logStartOffset(), 3n)
  assert.equal(b0.highWatermark, 15n)
  assert.equal(b0.stats.recovery.cleanShutdown, false)
  assert.equal(reopened.getLog('orders', 1), undefined, 'a deleted log stays deleted')
  assert.ok(!readdirSync(logDirs[1]!).some(n => n.endsWith('-delete')), 'pending deletions finish at start')
  await reopened.close()
}))

test('partition directory names', () => {
  assert.deepEqual(parsePartitionDir('my-topic-12'), { topic: 'my-topic', partition: 12 })
  assert.deepEqual(parsePartitionDir('__consumer_offsets-0'), { topic: '__consumer_offsets', partition: 0 })
  for (const name of ['topic', 'topic-', '-1', 'orders-1.abc-delete', 'orders-x', 'recovery-point-offset-checkpoint']) assert.equal(parsePartitionDir(name), null, name)
})
