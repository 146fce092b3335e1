// Durability of committed offsets: a broker in a child process is killed
// with SIGKILL while a client commits; after each restart every commit the
// broker acknowledged is there (DESIGN.md §1 principle 4: the answer is
// sent only once the records are durable). Offsets grow with every commit,
// so a group's committed offset after the crash must lie between its last
// acknowledged commit and its last sent one.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@tributary/protocol'
import { CreateTopicsApi, FindCoordinatorApi, OffsetCommitApi, OffsetFetchApi } from '@tributary/protocol/apis'
import { startBroker } from '../../src/index.js'
import { startChildBroker } from '../child-broker.js'
import { RawClient } from '../raw-client.js'

const ROUNDS = 8
const GROUPS = ['g0', 'g1', 'g2', 'g3', 'g4']
const FIXTURE = fileURLToPath(new URL('./fixtures/commit-broker.js', import.meta.url))

async function commit (c: RawClient, group: string, offset: bigint): Promise<number> {
  const r = await c.request(OffsetCommitApi, 8, {
    groupId: group, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: `m${offset}` }] }]
  })
  return r.topics[0]!.partitions[0]!.errorCode
}

test(`acknowledged offset commits survive SIGKILL (${ROUNDS} rounds)`, { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-commit-crash-'))
  const acked = new Map<string, bigint>()
  const sent = new Map<string, bigint>()
  let next = 1n
  let totalAcked = 0
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const child = await startChildBroker(FIXTURE, dir)
      const c = await RawClient.connect(child.port)
      if (round === 0) {
        const created = await c.request(CreateTopicsApi, 7, { topics: [{ name: 't', numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false })
        assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE)
      }
      for (const g of GROUPS) assert.equal((await c.request(FindCoordinatorApi, 3, { key: g, keyType: 0 })).errorCode, ErrorCode.NONE)
      // Commit in a loop (pipelined, one in flight per group) until the kill lands mid-way.
      const killAt = Date.now() + 60 + (round * 37) % 200
      let killed = false
      const loops = GROUPS.map(async g => {
        for (let i = 0; i < 100_000 && !killed; i++) {
          const offset = next++
          sent.set(g, offset)
          try {
            const code = await commit(c, g, offset)
            if (code === ErrorCode.NONE) { acked.set(g, offset); totalAcked++ }
          } catch {
            return // the connection died with the broker
          }
        }
      })
      while (Date.now() < killAt) await new Promise(resolve => setTimeout(resolve, 10))
      killed = true
      await child.kill()
      await Promise.all(loops)
      c.close()

      // Restart in process and check every group.
      const broker = await startBroker({ port: 0, dataDir: dir, 'offsets.topic.num.partitions': 3, logLevel: 'error' })
      const r = await RawClient.connect(broker.port)
      try {
        for (const g of GROUPS) {
          let fetched: { committedOffset: bigint, metadata: string | null, errorCode: number } | undefined
          for (let attempt = 0; attempt < 100; attempt++) {
            const res = await r.request(OffsetFetchApi, 7, { groupId: g, topics: [{ name: 't', partitionIndexes: [0] }], requireStable: false })
            if (res.errorCode !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) { fetched = res.topics[0]!.partitions[0]!; break }
            await new Promise(resolve => setTimeout(resolve, 20))
          }
          assert.ok(fetched !== undefined, `${g}: coordinator loaded`)
          const low = acked.get(g) ?? -1n
          const high = sent.get(g) ?? -1n
          assert.ok(fetched.committedOffset >= low && fetched.committedOffset <= high,
            `round ${round} ${g}: committed ${fetched.committedOffset} not within [acked ${low}, sent ${high}]`)
          if (fetched.committedOffset >= 0n) assert.equal(fetched.metadata, `m${fetched.committedOffset}`)
          // What survived is now the floor for the next round.
          acked.set(g, fetched.committedOffset)
        }
      } finally {
        r.close()
        await broker.close()
      }
    }
    assert.ok(totalAcked > ROUNDS * GROUPS.length, `enough commits were acknowledged to mean something (${totalAcked})`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
