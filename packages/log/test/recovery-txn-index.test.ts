// After an unclean stop, recovery rebuilds the transaction index (.txnindex)
// of every segment it scans from the ABORT markers and the producer state,
// as it rebuilds the offset and time indexes (Kafka's LogSegment.recover):
// read_committed fetches get the same aborted-transaction list as before.
import assert from 'node:assert/strict'
import { existsSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { CompressionCodec, encodeControlBatch, encodeRecordBatchSync, readBatchHeader } from '@tributary/protocol'
import type { DiskLog } from '../src/disk-log.js'
import { takeProducerSnapshot } from '../src/producer-recovery.js'
import { ProducerStateManager } from '../src/producer-state.js'
import { TXN_INDEX_ENTRY_SIZE } from '../src/txn-index.js'
import { openLog } from './disk-helpers.js'
import { withTempDir } from './helpers/temp-dir.js'

const NOW = 1_700_000_000_000n
const CONFIG = { segmentBytes: 600, indexIntervalBytes: 100 }

/** What the broker's Partition does around the log: producer state checks, snapshots at rolls, markers with their index entries. */
class Writer {
  readonly state = new ProducerStateManager()
  private readonly seqs = new Map<bigint, number>()
  constructor (readonly log: DiskLog) {}

  async data (producerId: bigint, transactional: boolean, count = 2): Promise<void> {
    const seq = this.seqs.get(producerId) ?? 0
    this.seqs.set(producerId, seq + count)
    const batch = encodeRecordBatchSync({
      compression: CompressionCodec.NONE, transactional, producerId, producerEpoch: 0, baseSequence: seq,
      records: Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.alloc(40, i), timestamp: NOW }))
    })
    const h = readBatchHeader(batch)
    const first = this.log.logEndOffset()
    const check = this.state.prepare([h], [[first, first + BigInt(h.lastOffsetDelta)]])
    assert.equal(check.kind, 'append')
    await this.appendAndSnapshot(batch, first)
    if (check.kind === 'append') check.plan.commit()
  }

  async marker (producerId: bigint, commit: boolean): Promise<void> {
    const markerOffset = this.log.logEndOffset()
    await this.appendAndSnapshot(encodeControlBatch({ producerId, producerEpoch: 0, commit, coordinatorEpoch: 0, timestamp: NOW }), markerOffset)
    const first = this.state.completeTxn(producerId, 0, 0, NOW)
    if (!commit && first >= 0n) {
      const lso = this.state.firstUnstableOffset()
      this.log.addAbortedTxn({ producerId, firstOffset: first, lastOffset: markerOffset, lastStableOffset: lso === null || lso > markerOffset ? markerOffset + 1n : lso })
    }
  }

  private async appendAndSnapshot (batch: Buffer, first: bigint): Promise<void> {
    const base = this.log.activeSegmentBaseOffset()
    await this.log.append(batch, { durable: true })
    if (this.log.activeSegmentBaseOffset() !== base) takeProducerSnapshot(this.log, this.state, first)
  }
}

/**
 * Interleaved transactions of three producers across several segments:
 * aborts with another transaction open (lastStableOffset below the marker),
 * an abort whose transaction started segments earlier, commits, and plain
 * idempotent batches. Returns the aborted-transaction list of the whole log.
 */
async function fill (dir: string): Promise<{ aborted: string, segments: number }> {
  const log = await openLog(dir, CONFIG)
  const w = new Writer(log)
  for (let round = 0; round < 4; round++) {
    await w.data(1n, true)
    await w.data(2n, true)
    await w.data(3n, false)
    await w.data(1n, true)
    await w.marker(1n, false) // 2 is open: LSO is its first offset
    await w.data(3n, false)
    await w.data(2n, true)
    await w.data(3n, false)
    await w.data(3n, false)
    await w.marker(2n, round % 2 === 0) // alternately committed and aborted
    await w.data(1n, true)
    await w.marker(1n, true)
  }
  // One transaction that spans several segments before its abort.
  await w.data(2n, true)
  for (let i = 0; i < 8; i++) await w.data(3n, false, 3)
  await w.marker(2n, false)
  await w.data(1n, false)
  const aborted = await log.abortedTransactions(0n, log.logEndOffset())
  assert.ok(aborted.length >= 7)
  assert.ok(aborted.some(t => t.lastStableOffset <= t.lastOffset), 'an abort with another transaction open')
  const segments = log.segments().length
  assert.ok(segments >= 4)
  await log.close()
  return { aborted: JSON.stringify(aborted, (_k, v) => typeof v === 'bigint' ? v.toString() : v), segments }
}

function txnIndexes (dir: string): string[] {
  return readdirSync(dir).filter(n => n.endsWith('.txnindex')).sort()
}

async function reopenAborted (dir: string, recoveryPoint?: bigint): Promise<{ aborted: string, log: DiskLog }> {
  const log = await openLog(dir, CONFIG, recoveryPoint === undefined ? {} : { recoveryPoint })
  assert.equal(log.stats.recovery.cleanShutdown, false)
  const aborted = await log.abortedTransactions(0n, log.logEndOffset())
  return { aborted: JSON.stringify(aborted, (_k, v) => typeof v === 'bigint' ? v.toString() : v), log }
}

test('unclean stop, every .txnindex deleted: recovery from the log start rebuilds them', () => withTempDir('txnidx-all', async dir => {
  const before = await fill(dir)
  const files = txnIndexes(dir)
  assert.ok(files.length >= 2, 'aborts in several segments')
  rmSync(join(dir, '.clean-shutdown'))
  for (const f of files) rmSync(join(dir, f))
  const { aborted, log } = await reopenAborted(dir)
  assert.equal(aborted, before.aborted)
  assert.deepEqual(txnIndexes(dir), files, 'the same files come back, and none for segments without aborts')
  await log.close()
}))

test('unclean stop with a truncated and a deleted .txnindex above the recovery point: the producer snapshot gives the open transactions', () => withTempDir('txnidx-snap', async dir => {
  const before = await fill(dir)
  const files = txnIndexes(dir)
  const last = files.at(-1)!
  // Recovery starts at the segment holding the last aborts; the transaction they abort began segments earlier.
  const base = BigInt(last.slice(0, 20))
  assert.ok(existsSync(join(dir, `${last.slice(0, 20)}.snapshot`)), 'a snapshot at that segment base')
  rmSync(join(dir, '.clean-shutdown'))
  rmSync(join(dir, last))
  // The one before it (below the recovery point) is trusted and left alone; a damaged one above is cut and rebuilt.
  const { aborted, log } = await reopenAborted(dir, base)
  assert.equal(aborted, before.aborted)
  await log.close()

  // Now cut the rebuilt file mid-entry and recover from the start.
  rmSync(join(dir, '.clean-shutdown'))
  truncateSync(join(dir, files[0]!), TXN_INDEX_ENTRY_SIZE + 5)
  const again = await reopenAborted(dir)
  assert.equal(again.aborted, before.aborted)
  assert.equal(statSync(join(dir, files[0]!)).size % TXN_INDEX_ENTRY_SIZE, 0)
  await again.log.close()
}))

test('unclean stop with intact indexes: recovery leaves the .txnindex files as they are and drops entries of cut markers', () => withTempDir('txnidx-cut', async dir => {
  const before = await fill(dir)
  rmSync(join(dir, '.clean-shutdown'))
  const { aborted, log } = await reopenAborted(dir)
  assert.equal(aborted, before.aborted)
  // A truncation below the last abort marker removes its entry; an unclean reopen agrees.
  const all = await log.abortedTransactions(0n, log.logEndOffset())
  const cut = all.at(-1)!.lastOffset
  await log.truncateTo(cut)
  const kept = JSON.stringify(await log.abortedTransactions(0n, log.logEndOffset()), (_k, v) => typeof v === 'bigint' ? v.toString() : v)
  assert.equal(JSON.parse(kept).length, all.length - 1)
  await log.close()
  rmSync(join(dir, '.clean-shutdown'))
  const again = await reopenAborted(dir)
  assert.equal(again.aborted, kept)
  await again.log.close()
}))
