import assert from 'node:assert/strict'
import { copyFileSync, existsSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { decodeRecordBatchSync, encodeRecordBatchSync, splitBatches } from '@tributary/protocol'
import { LogCleaner } from '../src/cleaner/cleaner.js'
import type { DiskLog } from '../src/disk-log.js'
import { T0 } from './helpers/batches.js'
import { withTempDir } from './helpers/temp-dir.js'
import { allBatches, openLog } from './disk-helpers.js'

const CONFIG = { segmentBytes: 1200, indexIntervalBytes: 100, cleanupPolicy: ['compact'] as const, minCleanableDirtyRatio: 0, deleteRetentionMs: 0 }

function keyed (round: number, keys: number): Buffer {
  return encodeRecordBatchSync({
    records: Array.from({ length: keys }, (_, k) => ({ key: Buffer.from(`key-${k}`), value: Buffer.from(`v${round}-${k}`), timestamp: T0 + BigInt(round) }))
  })
}

/** key -> (offset, value) of the latest record of each key. */
async function latest (log: DiskLog): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const b of await allBatches(log)) {
    for (const r of decodeRecordBatchSync(b).records) out.set(r.key!.toString(), `${r.offset}:${r.value!.toString()}`)
  }
  return out
}

test('the cleaner compacts a DiskLog through CompactableLog: latest value per key kept, offsets kept, swap is crash-safe', () => withTempDir('compact', async dir => {
  const log = await openLog(dir, { ...CONFIG })
  for (let round = 0; round < 30; round++) await log.append(keyed(round, 5))
  log.highWatermark = log.logEndOffset()
  const expectedFirst = await latest(log)
  const sizeBefore = log.size()
  const cleaner = new LogCleaner({ backoffMs: 10 })
  const result = await cleaner.cleanLog(log, { force: true })
  assert.ok(result !== null && !result.abandoned, 'a round ran')
  assert.ok(log.size() < sizeBefore / 2, `compaction shrank the log (${sizeBefore} -> ${log.size()})`)
  assert.ok(result.groupsReplaced > 0)
  assert.deepEqual(await latest(log), expectedFirst, 'the latest record of every key, at its offset')
  // With new dirty data, the next round also merges the shrunken segments (groups are cut by segment.bytes).
  for (let round = 30; round < 45; round++) await log.append(keyed(round, 5))
  log.highWatermark = log.logEndOffset()
  const expectedSecond = await latest(log)
  const segmentsBeforeSecond = log.segments().length
  const second = await cleaner.cleanLog(log, { force: true })
  assert.ok(second !== null && !second.abandoned)
  assert.ok(log.segments().length < segmentsBeforeSecond, `segments merge (${segmentsBeforeSecond} -> ${log.segments().length})`)
  const before = await latest(log)
  assert.deepEqual(before, expectedSecond)
  for (const [k, v] of before) assert.match(v, new RegExp(`:v44-${k.slice(4)}$`), 'the latest value of every key')
  assert.equal(log.cleanerCheckpoint(), second.endOffset)
  const all = (await log.read(0n, 1 << 20)).records
  assert.equal(splitBatches(all).leftover.length, 0)
  assert.deepEqual(readdirSync(dir).filter(n => /\.(cleaned|swap)$/.test(n)), [], 'no cleaner files left')
  await log.close()

  const again = await openLog(dir, { ...CONFIG })
  assert.deepEqual(await latest(again), before, 'after reopen')
  assert.equal(again.cleanerCheckpoint(), second.endOffset, 'the cleaner checkpoint survives a clean close')
  await again.truncateTo(again.logEndOffset() - 3n)
  assert.ok(again.cleanerCheckpoint()! <= again.logEndOffset(), 'truncation lowers the cleaner checkpoint')
  await again.close()
}))

test('replaceSegments refuses a copy of segments that changed meanwhile, and discards it', () => withTempDir('refuse', async dir => {
  const log = await openLog(dir, { ...CONFIG })
  for (let round = 0; round < 12; round++) await log.append(keyed(round, 5))
  const segs = log.segments()
  const old = segs.slice(0, 2)
  const writer = await log.createCleanedSegment(old[0]!.baseOffset)
  for await (const b of log.readBatches(old[0]!)) await writer.append([b])
  assert.ok(existsSync(join(dir, `${old[0]!.path.slice(dir.length + 1)}.cleaned`)), 'written as .cleaned')
  await log.truncateTo(old[1]!.baseOffset + 1n)
  assert.equal(await log.replaceSegments(writer, old), false)
  assert.deepEqual(readdirSync(dir).filter(n => /\.(cleaned|swap)$/.test(n)), [])
  const stale = await log.createCleanedSegment(log.segments()[0]!.baseOffset)
  assert.equal(await log.replaceSegments(stale, [{ ...log.segments()[0]!, sizeBytes: 1 }]), false, 'a size that differs')
  await log.close()
}))

test('a restart completes a swap that a crash interrupted after the .swap rename', () => withTempDir('swap', async dir => {
  const log = await openLog(dir, { ...CONFIG })
  for (let round = 0; round < 12; round++) await log.append(keyed(round, 5))
  const before = await allBatches(log)
  const old = log.segments().slice(0, 2)
  // The copy: the same batches as the two segments (the simplest valid cleaning).
  const writer = await log.createCleanedSegment(old[0]!.baseOffset)
  for (const s of old) for await (const b of log.readBatches(s)) await writer.append([b])
  const copies = readdirSync(dir).filter(n => n.endsWith('.cleaned'))
  assert.ok(copies.length >= 1)
  for (const n of copies) copyFileSync(join(dir, n), join(dir, n.replace(/\.cleaned$/, '.copy')))
  await log.close()
  assert.equal(readdirSync(dir).filter(n => n.endsWith('.cleaned')).length, 0, 'close discards an unfinished copy')
  // As if the process had died after renaming the copy to .swap and the first old segment to .deleted.
  for (const n of readdirSync(dir).filter(n => n.endsWith('.copy'))) renameSync(join(dir, n), join(dir, n.replace(/\.copy$/, '.swap')))
  renameSync(old[0]!.path, old[0]!.path + '.deleted')
  rmSync(join(dir, '.clean-shutdown'))
  const again = await openLog(dir, { ...CONFIG })
  assert.deepEqual((await allBatches(again)).map(b => b.toString('hex')), before.map(b => b.toString('hex')))
  assert.equal(again.segments()[0]!.nextOffset, old[1]!.nextOffset, 'the swapped-in segment replaced both')
  assert.deepEqual(readdirSync(dir).filter(n => /\.(swap|deleted|copy)$/.test(n)), [])
  await again.close()
}))
