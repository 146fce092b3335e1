// Idempotence across SIGKILL: a broker in a child process is killed while
// an idempotent producer writes; after each restart (unclean: producer
// state comes from the last roll snapshot plus the replayed log), the
// producer retries its last acknowledged batch and the batch that was in
// flight, as a client does after a lost connection. The acknowledged one
// must be answered with its original offset and not written again, and at
// the end the log holds every sequence exactly once, in order.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@tributary/protocol'
import { startChildBroker } from '../child-broker.js'
import { RawClient } from '../raw-client.js'
import { createTopic, initProducerId, produceIdem, readValues } from './helpers.js'

const ROUNDS = Number(process.env.TRIB_IDEM_CRASH_ROUNDS ?? 6)
const FIXTURE = fileURLToPath(new URL('./fixtures/idem-broker.js', import.meta.url))
/** 20 KB per record: 1 MiB segments roll every ~50 batches, so rounds cross roll snapshots. */
const PAD = 20_000

test(`a batch retried after SIGKILL is still deduplicated (${ROUNDS} rounds)`, { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-idem-crash-'))
  let pid = -1n
  let nextSeq = 0
  let lastAcked: { seq: number, offset: bigint } | null = null
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const child = await startChildBroker(FIXTURE, dir)
      const c = await RawClient.connect(child.port)
      try {
        if (round === 0) {
          await createTopic(c, 'crash')
          pid = (await initProducerId(c)).producerId
        } else {
          // The retries a client makes after the connection broke.
          if (lastAcked !== null) assert.deepEqual(await produceIdem(c, 'crash', pid, 0, lastAcked.seq, 1, PAD), [ErrorCode.NONE, lastAcked.offset], `round ${round}: acknowledged batch`)
          const [code, offset] = await produceIdem(c, 'crash', pid, 0, nextSeq, 1, PAD)
          assert.equal(code, ErrorCode.NONE, `round ${round}: in-flight batch`)
          lastAcked = { seq: nextSeq++, offset }
        }
        const killAt = Date.now() + 150 + (round * 53) % 250
        let killed = false
        const writer = (async () => {
          for (let i = 0; i < 10_000 && !killed; i++) {
            try {
              const [code, offset] = await produceIdem(c, 'crash', pid, 0, nextSeq, 1, PAD)
              assert.equal(code, ErrorCode.NONE)
              lastAcked = { seq: nextSeq++, offset }
            } catch (err) {
              if (killed) return
              throw err
            }
          }
        })()
        while (Date.now() < killAt) await new Promise(resolve => setTimeout(resolve, 10))
        killed = true
        await child.kill()
        await writer
      } finally {
        c.close()
      }
    }
    const child = await startChildBroker(FIXTURE, dir)
    const c = await RawClient.connect(child.port)
    try {
      const values = await readValues(c, 'crash')
      assert.ok(nextSeq > ROUNDS * 5, `only ${nextSeq} batches were acknowledged`)
      assert.deepEqual(values.map(([, v]) => v), Array.from({ length: nextSeq }, (_, i) => `${pid}:${i}`).concat(values.length > nextSeq ? [`${pid}:${nextSeq}`] : []))
      assert.deepEqual(values.map(([o]) => o), values.map((_, i) => BigInt(i)))
    } finally {
      c.close()
      await child.kill()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
