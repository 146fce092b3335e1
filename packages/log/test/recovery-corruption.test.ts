import assert from 'node:assert/strict'
import { readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { CompressionCodec, encodeRecordBatchSync, readBatchHeader, splitBatches, verifyBatchCrc } from '@tributary/protocol'
import { DiskLog } from '../src/disk-log.js'
import { LogError } from '../src/errors.js'
import type { LogConfig } from '../src/types.js'
import { Rng, intFromEnv, seedsFromEnv } from './helpers/random.js'
import { withTempDir } from './helpers/temp-dir.js'

/*
 * Issue 3, point 4, second test: damage a stopped log's files (truncate or
 * flip a bit in a .log, .index or .timeindex at a random position), then
 * reopen. Opening never throws; every batch that lies wholly before the
 * damage (for index damage: every batch) reads back identical; appends work.
 * Half the cases stop cleanly (the open trusts the files and checks the
 * active segment's tail), half without the clean-shutdown marker (full
 * recovery from offset 0).
 */

const CASES = intFromEnv('TRIB_CORRUPTION_CASES', 200)
const CONFIG: Partial<LogConfig> = { segmentBytes: 3000, indexIntervalBytes: 200, segmentIndexBytes: 400, retentionMs: -1 }
const quiet = { logger: { warn: () => {} } }

interface Stored { offset: bigint, bytes: Buffer, segment: string, position: number }

async function buildLog (dir: string, rng: Rng): Promise<Stored[]> {
  const log = await DiskLog.open(dir, CONFIG, quiet)
  const appends = rng.int(5, 40)
  for (let i = 0; i < appends; i++) {
    const batches = Array.from({ length: rng.int(1, 2) }, () => encodeRecordBatchSync({
      compression: rng.chance(0.3) ? CompressionCodec.GZIP : CompressionCodec.NONE,
      records: Array.from({ length: rng.int(1, 6) }, (_, r) => ({ key: Buffer.from(`k${r}`), value: rng.bytes(rng.int(0, 200)), timestamp: 1_700_000_000_000n + BigInt(rng.int(0, 5000)) }))
    }))
    await log.append(Buffer.concat(batches), { durable: rng.chance(0.3), leaderEpoch: rng.chance(0.5) ? 1 : undefined })
    if (rng.chance(0.05)) await log.roll()
  }
  // Where each batch lives: segment file and byte position.
  const stored: Stored[] = []
  for (const seg of log.segments()) {
    let position = 0
    let offset = seg.baseOffset
    while (position < seg.sizeBytes) {
      const r = await log.read(offset, 1)
      const h = readBatchHeader(r.records)
      stored.push({ offset: h.baseOffset, bytes: Buffer.from(r.records), segment: seg.path, position })
      position += r.records.length
      offset = r.nextOffset
    }
  }
  await log.close()
  return stored
}

function damage (dir: string, rng: Rng): { file: string, position: number, kind: string } {
  const files = readdirSync(dir).filter(n => /\.(log|index|timeindex)$/.test(n) && statSync(join(dir, n)).size > 0)
  const name = rng.pick(files)
  const path = join(dir, name)
  const size = statSync(path).size
  const position = rng.int(0, size - 1)
  if (rng.chance(0.5)) {
    truncateSync(path, position)
    return { file: path, position, kind: 'truncate' }
  }
  const bytes = readFileSync(path)
  bytes[position] = bytes[position]! ^ (1 << rng.int(0, 7))
  writeFileSync(path, bytes)
  return { file: path, position, kind: 'bit flip' }
}

test(`damaged segment and index files cost at most the damaged tail (${CASES} cases)`, { timeout: 120_000 }, async () => {
  const started = Date.now()
  let truncatedCases = 0
  for (const seed of seedsFromEnv('CORRUPTION', CASES)) {
    await withTempDir('corrupt', async dir => {
      const rng = new Rng(seed)
      const stored = await buildLog(dir, rng)
      const clean = rng.chance(0.5)
      if (!clean) rmSync(join(dir, '.clean-shutdown'))
      const hit = damage(dir, rng)
      const label = `seed ${seed}: ${hit.kind} of ${hit.file.slice(dir.length + 1)} at ${hit.position}, ${clean ? 'clean' : 'unclean'} stop`
      const log = await DiskLog.open(dir, CONFIG, quiet)
      try {
        if (log.stats.recovery.truncatedBytes > 0) truncatedCases++
        // The batches before the damage: all of them for index damage; in the damaged .log, those ending before it.
        // Segment paths sort like their base offsets (20-digit names).
        const intact = stored.filter(s => {
          if (!hit.file.endsWith('.log')) return true
          if (s.segment !== hit.file) return s.segment < hit.file
          return s.position + s.bytes.length <= hit.position
        })
        for (const s of intact) {
          const r = await log.read(s.offset, 1)
          assert.ok(r.records.equals(s.bytes), `${label}: batch at offset ${s.offset} reads back identical`)
        }
        const batch = encodeRecordBatchSync({ records: [{ key: null, value: Buffer.from('after'), timestamp: 1_700_000_009_000n }] })
        const copy = Buffer.from(batch)
        const a = await log.append(batch, { durable: true })
        assert.equal(a.firstOffset, log.logEndOffset() - 1n, label)
        const back = await log.read(a.firstOffset, 1)
        assert.equal(back.records.subarray(12).equals(copy.subarray(12)), true, `${label}: the new append reads back`)
        if (!clean) {
          // A full recovery leaves only batches that pass their CRC.
          const all = await log.read(log.logStartOffset(), 1 << 30)
          const { batches, leftover } = splitBatches(all.records)
          assert.equal(leftover.length, 0, label)
          assert.ok(batches.every(b => verifyBatchCrc(b)), `${label}: every batch left passes its CRC`)
        }
        // Time queries may meet the damage (a clean stop does not scan): an error, never a crash.
        for (const query of [() => log.offsetForTimestamp(1_700_000_001_000n), () => log.maxTimestampOffset()]) {
          await query().catch((err: unknown) => {
            assert.ok(err instanceof LogError && err.code === 'TRIB_LOG_CORRUPT_BATCH', `${label}: ${String(err)}`)
          })
        }
      } finally {
        await log.close()
      }
    })
  }
  console.log(`# corruption test: ${CASES} cases (${truncatedCases} cut a damaged tail on open), ${((Date.now() - started) / 1000).toFixed(1)} s`)
})
