// Incremental fetch sessions (KIP-227) over raw sockets.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, ZERO_UUID, decodeRecordBatch, splitBatches } from '@tributary/protocol'
import { DeleteRecordsApi, FetchApi } from '@tributary/protocol/apis'
import { RawClient } from '../raw-client.js'
import { createTopics, withBroker } from '../admin/helpers.js'
import { batch, kv, produceOk } from './helpers.js'

/** [topic name (v<13) or id (v13+), partition, fetch offset] */
type Want = [string, number, bigint]

interface Opts { forget?: Array<[string, number[]]>, maxWaitMs?: number, minBytes?: number }

async function sfetch (c: RawClient, version: number, sessionId: number, sessionEpoch: number, want: Want[], opts: Opts = {}) {
  const byId = version >= 13
  const topics = [...new Set(want.map(w => w[0]))].map(t => ({
    topic: byId ? '' : t,
    topicId: byId ? t : ZERO_UUID,
    partitions: want.filter(w => w[0] === t).map(([, partition, fetchOffset]) => ({ partition, fetchOffset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, logStartOffset: -1n, lastFetchedEpoch: -1 }))
  }))
  return await c.request(FetchApi, version, {
    replicaId: -1,
    maxWaitMs: opts.maxWaitMs ?? 0,
    minBytes: opts.minBytes ?? 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId,
    sessionEpoch,
    topics,
    forgottenTopicsData: (opts.forget ?? []).map(([t, partitions]) => ({ topic: byId ? '' : t, topicId: byId ? t : ZERO_UUID, partitions })),
    rackId: ''
  })
}

type Res = Awaited<ReturnType<typeof sfetch>>

/** 'topic:partition' (name, or id from v13) of each partition in a response, with its record values. */
async function summary (res: Res, version: number): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const t of res.responses) {
    for (const p of t.partitions) {
      const vals: string[] = []
      for (const b of splitBatches(p.records ?? Buffer.alloc(0)).batches) {
        for (const r of (await decodeRecordBatch(b)).records) vals.push(`${r.offset}:${r.value?.toString()}`)
      }
      out[`${version >= 13 ? t.topicId : t.topic}:${p.partitionIndex}`] = vals
    }
  }
  return out
}

for (const version of [7, 12, 17]) {
  test(`v${version}: create a session, incremental fetches carry only changed partitions, forget, errors, close`, () =>
    withBroker({}, async c => {
      const [id] = await createTopics(c, [{ name: 't', partitions: 3 }])
      const t = version >= 13 ? id! : 't'
      await produceOk(c, 't', 0, batch([kv('k', 'a')]))

      // Epoch 0 creates a session and returns every partition.
      const created = await sfetch(c, version, 0, 0, [[t, 0, 0n], [t, 1, 0n], [t, 2, 0n]])
      assert.equal(created.errorCode, ErrorCode.NONE)
      const s = created.sessionId
      assert.ok(s > 0, `session id ${s}`)
      assert.deepEqual(await summary(created, version), { [`${t}:0`]: ['0:a'], [`${t}:1`]: [], [`${t}:2`]: [] })

      // Epoch 1 with the new offset of p0: nothing changed, nothing returned.
      const idle = await sfetch(c, version, s, 1, [[t, 0, 1n]])
      assert.equal(idle.errorCode, ErrorCode.NONE)
      assert.equal(idle.sessionId, s)
      assert.deepEqual(await summary(idle, version), {})

      // New records on p1: only p1, from the offset the session remembers.
      await produceOk(c, 't', 1, batch([kv('k', 'b')]))
      const p1 = await sfetch(c, version, s, 2, [])
      assert.deepEqual(await summary(p1, version), { [`${t}:1`]: ['0:b'] })
      assert.equal(p1.responses[0]!.partitions[0]!.highWatermark, 1n)

      // The client moves p1 on: same high watermark, no records, omitted.
      assert.deepEqual(await summary(await sfetch(c, version, s, 3, [[t, 1, 1n]]), version), {})

      // Forget p0; records on p0 and p2 then show only p2.
      assert.deepEqual(await summary(await sfetch(c, version, s, 4, [], { forget: [[t, [0]]] }), version), {})
      await produceOk(c, 't', 0, batch([kv('k', 'c')]))
      await produceOk(c, 't', 2, batch([kv('k', 'd')]))
      assert.deepEqual(await summary(await sfetch(c, version, s, 5, []), version), { [`${t}:2`]: ['0:d'] })

      // A partition re-added in an incremental fetch is returned on its first response.
      assert.deepEqual(await summary(await sfetch(c, version, s, 6, [[t, 0, 1n], [t, 2, 1n]]), version), { [`${t}:0`]: ['1:c'] })

      // A changed log start offset alone makes a partition show up.
      if (version >= 12) {
        const del = await c.request(DeleteRecordsApi, 2, { topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: 1n }] }], timeoutMs: 1000 })
        assert.equal(del.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE)
      }
      const afterDelete = await sfetch(c, version, s, 7, [[t, 0, 2n]])
      if (version >= 12) {
        assert.deepEqual(await summary(afterDelete, version), { [`${t}:0`]: [] })
        assert.equal(afterDelete.responses[0]!.partitions[0]!.logStartOffset, 1n)
      } else assert.deepEqual(await summary(afterDelete, version), {})

      // Wrong epoch: an error with session id 0; the session is unchanged.
      const stale = await sfetch(c, version, s, 7, [])
      assert.equal(stale.errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH)
      assert.equal(stale.sessionId, 0)
      assert.deepEqual(stale.responses, [])
      assert.equal((await sfetch(c, version, s, 9, [])).errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH)
      assert.equal((await sfetch(c, version, s, 8, [])).errorCode, ErrorCode.NONE)

      // Unknown session.
      const unknown = await sfetch(c, version, s === 12345 ? 12346 : 12345, 1, [])
      assert.equal(unknown.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
      assert.equal(unknown.sessionId, 0)

      // Epoch -1 closes the session and is answered as a full sessionless fetch.
      const closed = await sfetch(c, version, s, -1, [[t, 1, 0n]])
      assert.equal(closed.errorCode, ErrorCode.NONE)
      assert.equal(closed.sessionId, 0)
      assert.deepEqual(await summary(closed, version), { [`${t}:1`]: ['0:b'] })
      assert.equal((await sfetch(c, version, s, 9, [])).errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
    }))
}

test('a session uses topic ids or names throughout; epoch 0 with a session id replaces it', () =>
  withBroker({}, async c => {
    const [id] = await createTopics(c, [{ name: 't', partitions: 1 }])
    const byId = await sfetch(c, 17, 0, 0, [[id!, 0, 0n]])
    assert.ok(byId.sessionId > 0)
    assert.equal((await sfetch(c, 12, byId.sessionId, 1, [])).errorCode, ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR)
    assert.equal((await sfetch(c, 17, byId.sessionId, 1, [])).errorCode, ErrorCode.NONE)
    const replaced = await sfetch(c, 12, byId.sessionId, 0, [['t', 0, 0n]])
    assert.ok(replaced.sessionId > 0 && replaced.sessionId !== byId.sessionId)
    assert.equal((await sfetch(c, 17, byId.sessionId, 2, [])).errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
    assert.equal((await sfetch(c, 12, replaced.sessionId, 1, [])).errorCode, ErrorCode.NONE)
    // v4-6 have no session fields: always sessionless.
    const old = await sfetch(c, 6, 0, -1, [['t', 0, 0n]])
    assert.equal(old.responses[0]!.partitions.length, 1)
  }))

test('the session cache evicts the least recently used session; 0 slots creates none', async () => {
  await withBroker({ 'max.incremental.fetch.session.cache.slots': 2 }, async c => {
    await createTopics(c, [{ name: 't', partitions: 1 }])
    const a = (await sfetch(c, 12, 0, 0, [['t', 0, 0n]])).sessionId
    const b = (await sfetch(c, 12, 0, 0, [['t', 0, 0n]])).sessionId
    assert.ok(a > 0 && b > 0 && a !== b)
    assert.equal((await sfetch(c, 12, a, 1, [])).errorCode, ErrorCode.NONE, 'a is now the most recently used')
    const cNew = (await sfetch(c, 12, 0, 0, [['t', 0, 0n]])).sessionId
    assert.ok(cNew > 0)
    assert.equal((await sfetch(c, 12, b, 1, [])).errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND, 'b was evicted')
    assert.equal((await sfetch(c, 12, a, 2, [])).errorCode, ErrorCode.NONE)
    assert.equal((await sfetch(c, 12, cNew, 1, [])).errorCode, ErrorCode.NONE)
  })
  await withBroker({ 'max.incremental.fetch.session.cache.slots': 0 }, async c => {
    await createTopics(c, [{ name: 't', partitions: 1 }])
    const res = await sfetch(c, 12, 0, 0, [['t', 0, 0n]])
    assert.equal(res.errorCode, ErrorCode.NONE)
    assert.equal(res.sessionId, 0, 'no slots: no session, the client keeps sending full fetches')
    assert.equal(res.responses[0]!.partitions.length, 1)
  })
})

test('an incremental fetch with nothing new long-polls and is woken by a produce', () =>
  withBroker({}, async (c, broker) => {
    await createTopics(c, [{ name: 't', partitions: 2 }])
    const s = (await sfetch(c, 12, 0, 0, [['t', 0, 0n], ['t', 1, 0n]])).sessionId
    const t0 = Date.now()
    const idle = await sfetch(c, 12, s, 1, [], { maxWaitMs: 300 })
    assert.ok(Date.now() - t0 >= 290, 'an idle incremental fetch waits max_wait_ms')
    assert.deepEqual(await summary(idle, 12), {})
    const started = Date.now()
    const waiting = sfetch(c, 12, s, 2, [], { maxWaitMs: 4000 })
    await new Promise(resolve => setTimeout(resolve, 100))
    const producer = await RawClient.connect(broker.port)
    try {
      await produceOk(producer, 't', 1, batch([kv('k', 'woke')]))
    } finally { producer.close() }
    const res = await waiting
    assert.ok(Date.now() - started < 2000, `answered after ${Date.now() - started} ms`)
    assert.deepEqual(await summary(res, 12), { 't:1': ['0:woke'] })
  }))
