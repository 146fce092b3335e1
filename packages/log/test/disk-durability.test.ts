import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { GroupCommit } from '../src/flusher.js'
import { withTempDir } from './helpers/temp-dir.js'
import { batchOf, openLog, waitFor } from './disk-helpers.js'

test('group commit: requests made during a run share the next run; a failure rejects exactly its waiters', async () => {
  const events: string[] = []
  let fail = false
  let release: (() => void) | null = null
  const gc = new GroupCommit(async () => {
    events.push('start')
    await new Promise<void>(resolve => { release = resolve })
    events.push('end')
    if (fail) throw new Error('disk on fire')
  })
  const a = gc.request()
  const b = gc.request()
  await sleep(5)
  assert.deepEqual(events, ['start'], 'requests of one turn of the event loop share a run')
  const c = gc.request()
  const d = gc.request()
  release!()
  await Promise.all([a, b])
  await sleep(5)
  assert.deepEqual(events, ['start', 'end', 'start'], 'the waiters that came during the run get the next one')
  fail = true
  release!()
  await assert.rejects(c, /disk on fire/)
  await assert.rejects(d, /disk on fire/)
  fail = false
  const e = gc.request()
  await sleep(5)
  release!()
  await e
  await gc.idle()
  assert.equal(gc.runs, 3)
})

test('8 concurrent durable appends share fsyncs (group commit); sequential ones get one each', () => withTempDir('gc', async dir => {
  const log = await openLog(dir)
  await log.flush()
  const rounds0 = log.stats.syncRounds
  const syncs0 = log.stats.fileSyncs
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => log.append(batchOf(2, { tag: `c${i}` }), { durable: true })))
  assert.deepEqual(results.map(r => r.firstOffset), [0n, 2n, 4n, 6n, 8n, 10n, 12n, 14n])
  const concurrentRounds = log.stats.syncRounds - rounds0
  const concurrentSyncs = log.stats.fileSyncs - syncs0
  assert.ok(concurrentSyncs < 8, `8 concurrent durable appends took ${concurrentSyncs} fsyncs`)
  assert.equal(concurrentRounds, 1, 'appends of one turn of the event loop share one round')

  // Closed-loop appenders: while one fsync runs, the others queue for the next.
  let next = 0
  const before = log.stats.fileSyncs
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < 80) {
      next++
      await log.append(batchOf(1), { durable: true })
    }
  }))
  const shared = log.stats.fileSyncs - before
  assert.ok(shared <= 80 / 4, `80 durable appends from 8 writers took ${shared} fsyncs`)

  const seq0 = log.stats.fileSyncs
  for (let i = 0; i < 5; i++) await log.append(batchOf(1), { durable: true })
  assert.equal(log.stats.fileSyncs - seq0, 5, 'one at a time: one fsync each')

  const nd0 = log.stats.fileSyncs
  for (let i = 0; i < 5; i++) await log.append(batchOf(1))
  await sleep(20)
  assert.equal(log.stats.fileSyncs, nd0, 'non-durable appends do not fsync under the fsync policy')
  await log.close()
}))

test('page-cache policy: durable appends do not wait; flush.messages and flush.ms trigger flushes', () => withTempDir('pc', async dir => {
  const log = await openLog(dir, { flushPolicy: 'pagecache', flushMessages: 10, flushMs: 60_000 })
  await log.flush()
  const s0 = log.stats.syncRounds
  for (let i = 0; i < 3; i++) await log.append(batchOf(3), { durable: true })
  assert.equal(log.stats.syncRounds, s0, 'no fsync for 9 messages')
  assert.equal(log.recoveryPoint(), 0n)
  await log.append(batchOf(3))
  await waitFor(() => log.stats.syncRounds > s0, 'the flush after flush.messages')
  assert.equal(log.stats.syncRounds, s0 + 1, 'the 10th message flushes')
  assert.equal(log.recoveryPoint(), 12n, 'a flush moves the recovery point to the log end')
  await log.close()

  const timed = await openLog(`${dir}/timed`, { flushPolicy: 'pagecache', flushMs: 30 })
  const t0 = timed.stats.syncRounds
  await timed.append(batchOf(1))
  await waitFor(() => timed.stats.syncRounds > t0 && timed.recoveryPoint() === 1n, 'the flush.ms timer')
  assert.equal(timed.recoveryPoint(), 1n)
  await timed.close()
}))

test('the recovery point follows flushes and rolls; an unclean restart recovers only from it', () => withTempDir('rp', async dir => {
  const config = { segmentBytes: 800 }
  const log = await openLog(dir, config)
  for (let i = 0; i < 12; i++) await log.append(batchOf(2, { valueBytes: 40 }))
  await waitFor(() => log.recoveryPoint() >= log.segments().at(-1)!.baseOffset, 'the background sync of rolled segments')
  const segs = log.segments()
  assert.ok(segs.length >= 3)
  assert.ok(log.recoveryPoint() >= segs[segs.length - 1]!.baseOffset, `rolls flush the closed segment in the background (rp ${log.recoveryPoint()})`)
  await log.append(batchOf(2))
  await log.flush()
  assert.equal(log.recoveryPoint(), log.logEndOffset())
  const rp = segs[segs.length - 2]!.baseOffset
  await log.close()
  rmSync(`${dir}/.clean-shutdown`)
  const again = await openLog(dir, config, { recoveryPoint: rp })
  assert.equal(again.stats.recovery.cleanShutdown, false)
  assert.equal(again.stats.recovery.rebuiltIndexes, again.segments().length - (segs.length - 2), 'segments below the recovery point are trusted')
  assert.equal(again.recoveryPoint(), again.logEndOffset(), 'recovery syncs what it checked')
  await again.close()
}))
