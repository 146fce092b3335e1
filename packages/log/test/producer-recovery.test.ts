import assert from 'node:assert/strict'
import { existsSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { CompressionCodec, encodeRecordBatchSync } from '@tributary/protocol'
import type { DiskLog } from '../src/disk-log.js'
import { listProducerSnapshots } from '../src/producer-snapshot.js'
import { recoverProducerState, takeProducerSnapshot } from '../src/producer-recovery.js'
import { ProducerStateManager, type ProducerEntry } from '../src/producer-state.js'
import { snapshotFileName } from '../src/segment-files.js'
import { openLog } from './disk-helpers.js'
import { withTempDir } from './helpers/temp-dir.js'

const CONFIG = { segmentBytes: 600 }
const NOW = 1_700_000_000_000
const OPTS = { nowMs: NOW, expirationMs: 86_400_000 }

function idem (producerId: bigint, epoch: number, seq: number, count: number): Buffer {
  return encodeRecordBatchSync({
    compression: CompressionCodec.NONE,
    producerId,
    producerEpoch: epoch,
    baseSequence: seq,
    records: Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.alloc(40, i), timestamp: BigInt(NOW) }))
  })
}

/** What the broker's Partition does: check, write, snapshot if the append rolled, commit. */
async function appendIdem (log: DiskLog, state: ProducerStateManager, producerId: bigint, epoch: number, seq: number, count: number): Promise<void> {
  const first = log.logEndOffset()
  const check = state.prepare([{ producerId, producerEpoch: epoch, baseSequence: seq, lastOffsetDelta: count - 1, maxTimestamp: BigInt(NOW), isTransactional: false }], [[first, first + BigInt(count - 1)]])
  assert.equal(check.kind, 'append')
  const base = log.activeSegmentBaseOffset()
  await log.append(idem(producerId, epoch, seq, count))
  if (log.activeSegmentBaseOffset() !== base) takeProducerSnapshot(log, state, first)
  if (check.kind === 'append') check.plan.commit()
}

/** Three producers, interleaved, over several segments. */
async function fill (log: DiskLog, state: ProducerStateManager, rounds = 12): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    for (const id of [100n, 200n, 300n]) await appendIdem(log, state, id, 1, i * 2, 2)
  }
}

function snapshotOf (state: ProducerStateManager): ProducerEntry[] {
  return [...state.all()].sort((a, b) => Number(a.producerId - b.producerId))
}

test('a clean close snapshots at the log end: the next open replays nothing', () => withTempDir('pstate-clean', async dir => {
  const log = await openLog(dir, CONFIG)
  const state = new ProducerStateManager()
  await fill(log, state)
  assert.ok(log.segments().length > 3)
  assert.ok(listProducerSnapshots(dir).length > 1, 'rolls wrote snapshots')
  takeProducerSnapshot(log, state, log.logEndOffset())
  const end = log.logEndOffset()
  await log.close()

  const again = await openLog(dir, CONFIG)
  const loaded = new ProducerStateManager()
  assert.deepEqual(await recoverProducerState(again, loaded, OPTS), { snapshotOffset: end, replayedBatches: 0 })
  assert.deepEqual(snapshotOf(loaded), snapshotOf(state))
  // A retry of the last batch is still recognised.
  assert.equal(loaded.prepare([{ producerId: 300n, producerEpoch: 1, baseSequence: 22, lastOffsetDelta: 1, maxTimestamp: 0n, isTransactional: false }], [[end, end + 1n]]).kind, 'duplicate')
  await again.close()
}))

test('without a close snapshot, the latest roll snapshot is loaded and the log after it replayed', () => withTempDir('pstate-replay', async dir => {
  const log = await openLog(dir, CONFIG)
  const state = new ProducerStateManager()
  await fill(log, state)
  await log.close()
  const latest = listProducerSnapshots(dir).at(-1)!

  const again = await openLog(dir, CONFIG)
  const loaded = new ProducerStateManager()
  const r = await recoverProducerState(again, loaded, OPTS)
  assert.equal(r.snapshotOffset, latest)
  assert.ok(r.replayedBatches > 0)
  assert.deepEqual(snapshotOf(loaded), snapshotOf(state))
  await again.close()
}))

test('with no snapshot and at most two segments the whole log is replayed', () => withTempDir('pstate-none', async dir => {
  const log = await openLog(dir, { segmentBytes: 1 << 20 })
  const state = new ProducerStateManager()
  await fill(log, state, 4)
  assert.deepEqual(listProducerSnapshots(dir), [])
  const loaded = new ProducerStateManager()
  assert.deepEqual(await recoverProducerState(log, loaded, OPTS), { snapshotOffset: null, replayedBatches: 12 })
  assert.deepEqual(snapshotOf(loaded), snapshotOf(state))
  await log.close()
}))

test('with no snapshot and more segments only the last two are replayed, as Kafka does for a log written before producer state', () => withTempDir('pstate-upgrade', async dir => {
  const log = await openLog(dir, CONFIG)
  const state = new ProducerStateManager()
  await appendIdem(log, state, 1n, 0, 0, 2)
  await fill(log, state)
  for (const o of listProducerSnapshots(dir)) unlinkSync(join(dir, snapshotFileName(o)))
  const segments = log.segments()
  assert.ok(segments.length > 3)
  const loaded = new ProducerStateManager()
  const r = await recoverProducerState(log, loaded, OPTS)
  const from = segments.at(-2)!.baseOffset
  assert.equal(r.snapshotOffset, null)
  assert.equal(BigInt(r.replayedBatches * 2), log.logEndOffset() - from)
  assert.equal(loaded.get(1n), undefined, 'a producer only seen in older segments is unknown')
  // Producers whose batches span the cut keep only the batches replayed; the epoch and timestamps are the same.
  const expected = snapshotOf(state).filter(e => e.producerId !== 1n).map(e => ({ ...e, batches: e.batches.filter(b => b.firstOffset >= from) }))
  assert.deepEqual(snapshotOf(loaded), expected)
  await log.close()
}))

test('snapshots above the log end are removed; a damaged snapshot is removed and an older one used', () => withTempDir('pstate-stale', async dir => {
  const log = await openLog(dir, CONFIG)
  const state = new ProducerStateManager()
  await fill(log, state)
  const snaps = listProducerSnapshots(dir)
  const newest = snaps.at(-1)!
  writeFileSync(join(dir, snapshotFileName(newest)), 'not a snapshot')
  takeProducerSnapshot(log, new ProducerStateManager(), log.logEndOffset() + 50n)
  const loaded = new ProducerStateManager()
  const r = await recoverProducerState(log, loaded, OPTS)
  assert.equal(r.snapshotOffset, snaps.at(-2))
  assert.deepEqual(listProducerSnapshots(dir), snaps.slice(0, -1))
  assert.deepEqual(snapshotOf(loaded), snapshotOf(state))
  await log.close()
}))

test('truncation: the state is rebuilt for what is left, and a truncated batch is no longer a duplicate', () => withTempDir('pstate-trunc', async dir => {
  const log = await openLog(dir, CONFIG)
  const state = new ProducerStateManager()
  await fill(log, state)
  const cut = 30n // round 5 of 12: producers 100, 200 and 300 wrote sequences 0-9 below it
  await log.truncateTo(cut)
  await recoverProducerState(log, state, OPTS)
  assert.ok(listProducerSnapshots(dir).every(o => o <= cut))
  for (const id of [100n, 200n, 300n]) assert.equal(state.get(id)!.batches.at(-1)!.lastSeq, 9)
  assert.equal(state.prepare([{ producerId: 100n, producerEpoch: 1, baseSequence: 10, lastOffsetDelta: 1, maxTimestamp: 0n, isTransactional: false }], [[cut, cut + 1n]]).kind, 'append')
  await log.close()
}))

test('log start advance: snapshots below it are pruned but the newest is kept, so producers survive until they expire', () => withTempDir('pstate-start', async dir => {
  const log = await openLog(dir, CONFIG)
  const state = new ProducerStateManager()
  for (let i = 0; i < 12; i++) await appendIdem(log, state, 100n, 0, i * 2, 2)
  takeProducerSnapshot(log, state, log.logEndOffset())
  // Producer 200 writes after; then every batch of producer 100 goes below the log start.
  for (let i = 0; i < 6; i++) await appendIdem(log, state, 200n, 0, i * 2, 2)
  const start = log.logEndOffset() - 4n
  await log.advanceLogStartOffset(start)
  takeProducerSnapshot(log, state, log.logEndOffset())
  const snaps = listProducerSnapshots(dir)
  assert.ok(snaps.slice(0, -1).every(o => o >= log.logStartOffset()), `${snaps.join(',')} vs start ${log.logStartOffset()}`)
  const loaded = new ProducerStateManager()
  await recoverProducerState(log, loaded, OPTS)
  assert.deepEqual(snapshotOf(loaded), snapshotOf(state))
  assert.ok(loaded.get(100n) !== undefined)
  await log.close()
}))

test('producers idle past producer.id.expiration.ms are not loaded', () => withTempDir('pstate-expire', async dir => {
  const log = await openLog(dir, CONFIG)
  const state = new ProducerStateManager()
  await fill(log, state, 3)
  takeProducerSnapshot(log, state, log.logEndOffset())
  const loaded = new ProducerStateManager()
  await recoverProducerState(log, loaded, { nowMs: NOW + 1000, expirationMs: 1000 })
  assert.equal(loaded.size, 0)
  await recoverProducerState(log, loaded, { nowMs: NOW + 999, expirationMs: 1000 })
  assert.equal(loaded.size, 3)
  assert.ok(existsSync(dir) && readdirSync(dir).some(n => n.endsWith('.snapshot')))
  await log.close()
}))

test('close snapshots of earlier runs are removed once a newer snapshot exists; roll snapshots stay', () => withTempDir('pstate-stray', async dir => {
  const log = await openLog(dir, CONFIG)
  const state = new ProducerStateManager()
  await fill(log, state, 6)
  const rolls = listProducerSnapshots(dir)
  assert.deepEqual(rolls, log.segments().slice(1).map(s => s.baseOffset))
  const closes: bigint[] = []
  for (let run = 0; run < 3; run++) {
    await appendIdem(log, state, 400n, 0, run, 1)
    closes.push(log.logEndOffset())
    takeProducerSnapshot(log, state, log.logEndOffset())
  }
  const bases = log.segments().map(s => s.baseOffset)
  const left = listProducerSnapshots(dir)
  assert.deepEqual(left.slice(0, rolls.length), rolls)
  assert.equal(left.at(-1), closes.at(-1))
  assert.ok(left.slice(0, -1).every(o => bases.includes(o)), `${left.join(',')} vs segments ${bases.join(',')}`)
  assert.ok(closes.slice(0, -1).every(o => !left.includes(o) || bases.includes(o)))
  await log.close()
}))
