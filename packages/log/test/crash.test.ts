import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { crc32c, encodeRecordBatchSync, readBatchHeader, splitBatches } from '@tributary/protocol'
import { DiskLog } from '../src/disk-log.js'
import { Rng, intFromEnv, seedsFromEnv } from './helpers/random.js'
import { withTempDir } from './helpers/temp-dir.js'

/*
 * Issue 3, point 4: a child process appends with durable acknowledgements
 * and is killed with SIGKILL at a random moment (seeded), ROUNDS times.
 * After each kill, every batch the child acknowledged must be in the log
 * byte for byte (offset and CRC-32C of the stored batch), and appends must
 * go on. Odd rounds recover in the parent (which also appends and then
 * closes cleanly); even rounds leave the recovery to the next child.
 */

const ROUNDS = intFromEnv('TRIB_CRASH_ROUNDS', 30)
const FIXTURE = fileURLToPath(new URL('./fixtures/crash-appender.js', import.meta.url))

interface Ack { offset: bigint, crc: number }

function runChild (dir: string, seed: number, killAfterReadyMs: number, killAfterSpawnMs: number | null): Promise<{ acks: Ack[], ready: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, dir, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] })
    const acks: Ack[] = []
    let ready = false
    let pending = ''
    let stderr = ''
    const kill = (): void => { child.kill('SIGKILL') }
    const hard = setTimeout(kill, 10_000)
    if (killAfterSpawnMs !== null) setTimeout(kill, killAfterSpawnMs)
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      pending += chunk
      let nl: number
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl)
        pending = pending.slice(nl + 1)
        const [kind, a, b] = line.split(' ')
        if (kind === 'ready') {
          ready = true
          if (killAfterSpawnMs === null) setTimeout(kill, killAfterReadyMs)
        } else if (kind === 'ack') {
          acks.push({ offset: BigInt(a!), crc: Number(b) })
        }
      }
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => { stderr += chunk })
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(hard)
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code ?? signal}: ${stderr}`))
      else resolve({ acks, ready })
    })
  })
}

/** Every acknowledged batch is stored at its offset with the same bytes; the log is a clean sequence of batches. */
async function verify (log: DiskLog, acks: ReadonlyMap<bigint, number>, label: string): Promise<void> {
  const all = await log.read(log.logStartOffset(), 1 << 30)
  const { batches, leftover } = splitBatches(all.records)
  assert.equal(leftover.length, 0, `${label}: no partial batch`)
  const stored = new Map<bigint, number>()
  let next = -1n
  for (const b of batches) {
    const h = readBatchHeader(b)
    assert.ok(h.baseOffset > next, `${label}: offsets increase`)
    next = h.baseOffset + BigInt(h.lastOffsetDelta)
    stored.set(h.baseOffset, crc32c(b))
  }
  for (const [offset, crc] of acks) {
    assert.equal(stored.get(offset), crc, `${label}: acknowledged batch at offset ${offset} is present and identical`)
  }
}

test(`acknowledged appends survive SIGKILL (${ROUNDS} rounds)`, { timeout: 120_000 }, async () => {
  for (const seed of seedsFromEnv('CRASH', 1)) {
    await withTempDir('crash', async dir => {
      const rng = new Rng(seed)
      const acked = new Map<bigint, number>()
      let total = 0
      let readyRounds = 0
      const started = Date.now()
      for (let round = 0; round < ROUNDS; round++) {
        const early = round % 6 === 5 ? rng.int(20, 250) : null
        const { acks, ready } = await runChild(dir, rng.next(), rng.int(5, 250), early)
        if (ready) readyRounds++
        for (const a of acks) acked.set(a.offset, a.crc)
        total += acks.length
        if (round % 2 === 1) {
          const log = await DiskLog.open(dir, { segmentBytes: 24 * 1024, indexIntervalBytes: 512, segmentIndexBytes: 1024, retentionMs: -1 }, { logger: { warn: () => {} } })
          try {
            await verify(log, acked, `seed ${seed} round ${round}`)
            const batch = encodeRecordBatchSync({ records: [{ key: null, value: Buffer.from(`parent-${round}`), timestamp: 1_700_000_000_000n }] })
            const r = await log.append(batch, { durable: true })
            acked.set(r.firstOffset, crc32c(batch))
          } finally {
            await log.close()
          }
        }
      }
      const log = await DiskLog.open(dir, {}, { logger: { warn: () => {} } })
      try {
        await verify(log, acked, `seed ${seed} final`)
      } finally {
        await log.close()
      }
      assert.ok(total > ROUNDS, `the children acknowledged appends (${total} in ${readyRounds} rounds that got ready)`)
      console.log(`# crash test seed ${seed}: ${ROUNDS} rounds, ${total} acknowledged appends verified, ${((Date.now() - started) / 1000).toFixed(1)} s`)
    })
  }
})
