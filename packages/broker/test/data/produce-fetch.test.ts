import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, decodeRecordBatch, decodeResponse, encodeRequest, splitBatches, CRC_OFFSET } from '@tributary/protocol'
import { FetchApi, ListOffsetsApi, ProduceApi } from '@tributary/protocol/apis'
import { RawClient } from '../raw-client.js'
import { createTopics, withBroker } from '../admin/helpers.js'
import { batch, fetch, kv, produce, produceOk } from './helpers.js'

async function values (records: Buffer | null): Promise<string[]> {
  const out: string[] = []
  for (const b of splitBatches(records ?? Buffer.alloc(0)).batches) {
    for (const r of (await decodeRecordBatch(b)).records) out.push(`${r.offset}:${r.key?.toString() ?? 'null'}=${r.value?.toString()}`)
  }
  return out
}

test('produce then fetch returns the records with their offsets, HW and log start', () =>
  withBroker({}, async c => {
    await createTopics(c, [{ name: 't', partitions: 2 }])
    assert.equal(await produceOk(c, 't', 1, batch([kv('a', '1'), kv('b', '2')])), 0n)
    assert.equal(await produceOk(c, 't', 1, batch([kv(null, '3')])), 2n)
    const p = await fetch(c, 't', 1, 0n)
    assert.equal(p.errorCode, ErrorCode.NONE)
    assert.equal(p.highWatermark, 3n)
    assert.equal(p.lastStableOffset, 3n)
    assert.equal(p.logStartOffset, 0n)
    assert.equal(p.preferredReadReplica, -1)
    assert.deepEqual(await values(p.records), ['0:a=1', '1:b=2', '2:null=3'])
    assert.deepEqual(await values((await fetch(c, 't', 1, 2n)).records), ['2:null=3'])
    const empty = await fetch(c, 't', 0, 0n)
    assert.equal(empty.errorCode, ErrorCode.NONE)
    assert.equal(empty.highWatermark, 0n)
    assert.equal(empty.records?.length ?? 0, 0)
    assert.equal((await fetch(c, 't', 1, 4n)).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE)
    assert.equal((await fetch(c, 'missing', 0, 0n)).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  }))

test('fetch by topic id (v13+), unknown id; a sessionless fetch creates no session', () =>
  withBroker({}, async c => {
    const [id] = await createTopics(c, [{ name: 't', partitions: 1 }])
    await produceOk(c, 't', 0, batch([kv('k', 'v')]))
    const req = (topicId: string, sessionId = 0, sessionEpoch = -1) => ({
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 1, sessionId, sessionEpoch,
      topics: [{ topicId, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: 0, logStartOffset: -1n, lastFetchedEpoch: -1 }] }],
      forgottenTopicsData: [], rackId: ''
    })
    const ok = await c.request(FetchApi, 17, req(id!, 0, -1))
    assert.equal(ok.sessionId, 0, 'no session is created')
    assert.equal(ok.responses[0]!.topicId, id)
    assert.deepEqual(await values(ok.responses[0]!.partitions[0]!.records), ['0:k=v'])
    assert.deepEqual(ok.responses[0]!.partitions[0]!.abortedTransactions, [], 'read_committed')
    const unknown = await c.request(FetchApi, 13, req('00000000-0000-0000-0000-00000000abcd'))
    assert.equal(unknown.responses[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_ID)
    assert.equal((await c.request(FetchApi, 17, req(id!, 77, 3))).errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
  }))

test('max_bytes: the first partition returns at least one batch; later partitions only what fits', () =>
  withBroker({}, async c => {
    await createTopics(c, [{ name: 't', partitions: 2 }])
    const big = 'x'.repeat(3000)
    for (let i = 0; i < 3; i++) { await produceOk(c, 't', 0, batch([kv('a', big)])); await produceOk(c, 't', 1, batch([kv('b', big)])) }
    const res = await c.request(FetchApi, 12, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 100, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 't', topicId: '', partitions: [0, 1].map(partition => ({ partition, fetchOffset: 0n, partitionMaxBytes: 50, currentLeaderEpoch: -1, logStartOffset: -1n, lastFetchedEpoch: -1 })) }],
      forgottenTopicsData: [], rackId: ''
    } as never)
    const [p0, p1] = res.responses[0]!.partitions
    assert.equal((await values(p0!.records)).length, 1, 'one whole batch above the limits')
    assert.equal(p1!.records?.length ?? 0, 0)
  }))

test('acks 0 gets no response, acks 1 and -1 do; invalid acks', () =>
  withBroker({}, async c => {
    await createTopics(c, [{ name: 't', partitions: 1 }])
    const frame = (await import('@tributary/protocol')).encodeRequest(ProduceApi, 9, 999, 'raw', { transactionalId: null, acks: 0, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records: batch([kv('a', '0')]) }] }] })
    c.sendRaw(frame)
    // The next response on the connection is the one of the next request: nothing came for acks=0.
    assert.equal((await produce(c, 't', 0, batch([kv('b', '1')]), 1)).baseOffset, 1n)
    assert.equal((await produce(c, 't', 0, batch([kv('c', '2')]), -1)).baseOffset, 2n)
    assert.equal((await produce(c, 't', 0, batch([kv('d', '3')]), 2)).errorCode, ErrorCode.INVALID_REQUIRED_ACKS)
    assert.deepEqual(await values((await fetch(c, 't', 0, 0n)).records), ['0:a=0', '1:b=1', '2:c=2'])
  }))

test('produce errors: unknown partition, bad CRC, old versions, too large, compacted without key, timestamps, LogAppendTime', () =>
  withBroker({}, async c => {
    await createTopics(c, [
      { name: 't', partitions: 1 },
      { name: 'small', partitions: 1, configs: { 'max.message.bytes': '200' } },
      { name: 'compact', partitions: 1, configs: { 'cleanup.policy': 'compact' } },
      { name: 'strict', partitions: 1, configs: { 'message.timestamp.before.max.ms': '60000', 'message.timestamp.after.max.ms': '60000' } },
      { name: 'lat', partitions: 1, configs: { 'message.timestamp.type': 'LogAppendTime' } }
    ])
    assert.equal((await produce(c, 'nope', 0, batch([kv('a', '1')]))).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    assert.equal((await produce(c, 't', 5, batch([kv('a', '1')]))).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const bad = batch([kv('a', '1')])
    bad.writeUInt32BE((bad.readUInt32BE(CRC_OFFSET) ^ 1) >>> 0, CRC_OFFSET)
    assert.equal((await produce(c, 't', 0, bad)).errorCode, ErrorCode.CORRUPT_MESSAGE)
    assert.equal((await produce(c, 't', 0, batch([kv('a', '1')]), -1, 2)).errorCode, ErrorCode.UNSUPPORTED_VERSION)
    const old = batch([kv('a', '1')]); old.writeInt8(1, 16)
    assert.equal((await produce(c, 't', 0, old)).errorCode, ErrorCode.INVALID_RECORD)
    assert.equal((await produce(c, 'small', 0, batch([kv('a', 'x'.repeat(300))]))).errorCode, ErrorCode.MESSAGE_TOO_LARGE)
    const noKey = await produce(c, 'compact', 0, batch([kv('a', '1'), kv(null, '2'), kv('c', '3')]))
    assert.equal(noKey.errorCode, ErrorCode.INVALID_RECORD)
    assert.deepEqual(noKey.recordErrors.map(e => e.batchIndex), [1])
    assert.equal(await produceOk(c, 'compact', 0, batch([kv('a', '1')])), 0n)
    const now = BigInt(Date.now())
    const stale = await produce(c, 'strict', 0, batch([{ ...kv('a', '1'), timestamp: now }, { ...kv('b', '2'), timestamp: now - 3_600_000n }]))
    assert.equal(stale.errorCode, ErrorCode.INVALID_TIMESTAMP)
    assert.deepEqual(stale.recordErrors.map(e => e.batchIndex), [1])
    assert.equal((await produce(c, 'strict', 0, batch([{ ...kv('a', '1'), timestamp: now + 3_600_000n }]))).errorCode, ErrorCode.INVALID_TIMESTAMP)
    assert.equal(await produceOk(c, 'strict', 0, batch([{ ...kv('a', '1'), timestamp: now }])), 0n)
    const before = BigInt(Date.now())
    const lat = await produce(c, 'lat', 0, batch([{ ...kv('a', '1'), timestamp: 5n }]))
    assert.equal(lat.errorCode, ErrorCode.NONE)
    assert.ok(lat.logAppendTimeMs >= before && lat.logAppendTimeMs <= BigInt(Date.now()), `${lat.logAppendTimeMs}`)
    assert.equal(lat.logStartOffset, 0n)
    const stored = (await decodeRecordBatch(splitBatches((await fetch(c, 'lat', 0, 0n)).records!).batches[0]!))
    assert.equal(stored.header.maxTimestamp, lat.logAppendTimeMs)
    assert.equal((await fetch(c, 't', 0, 0n)).highWatermark, 0n, 'nothing was appended to t')
  }))

test('a request that needs the per-record checks appends nothing twice, and a later request of the connection waits its turn', () =>
  withBroker({}, async c => {
    await createTopics(c, [{ name: 't', partitions: 1 }, { name: 'compact', partitions: 1, configs: { 'cleanup.policy': 'compact' } }])
    // One chunk, two requests: the first needs the asynchronous path (a compacted topic: every record's key is checked),
    // the second alone could be appended at once, but must not overtake the first on t-0.
    const body = (topicData: Array<{ name: string, partitionData: Array<{ index: number, records: Buffer }> }>) => ({ transactionalId: null, acks: -1, timeoutMs: 5000, topicData })
    const first = encodeRequest(ProduceApi, 11, 901, 'order', body([
      { name: 'compact', partitionData: [{ index: 0, records: batch([kv('k', 'c1')]) }] },
      { name: 't', partitionData: [{ index: 0, records: batch([kv('a', 'first')]) }] }
    ]))
    const second = encodeRequest(ProduceApi, 11, 902, 'order', body([{ name: 't', partitionData: [{ index: 0, records: batch([kv('b', 'second')]) }] }]))
    c.sendRaw(Buffer.concat([first, second]))
    const answers = []
    for (let i = 0; i < 2; i++) {
      const frame = await c.next()
      assert.ok(frame !== null, 'the broker closed the connection')
      answers.push(decodeResponse(ProduceApi, 11, frame))
    }
    assert.deepEqual(answers.map(a => a.correlationId), [901, 902])
    const offsets = answers.map(a => a.body.responses.map(t => `${t.name}:${t.partitionResponses[0]!.errorCode}@${t.partitionResponses[0]!.baseOffset}`))
    assert.deepEqual(offsets, [['compact:0@0', 't:0@0'], ['t:0@1']])
    assert.deepEqual(await values((await fetch(c, 't', 0, 0n)).records), ['0:a=first', '1:b=second'])
    assert.deepEqual(await values((await fetch(c, 'compact', 0, 0n)).records), ['0:k=c1'])
  }))

test('a long poll is woken by a produce, well before max_wait_ms', () =>
  withBroker({}, async (c, broker) => {
    await createTopics(c, [{ name: 't', partitions: 1 }])
    const started = Date.now()
    const waiting = fetch(c, 't', 0, 0n, { maxWaitMs: 4000, minBytes: 1 })
    await new Promise(resolve => setTimeout(resolve, 100))
    const producer = await RawClient.connect(broker.port)
    try {
      await produceOk(producer, 't', 0, batch([kv('k', 'woke')]))
    } finally { producer.close() }
    const p = await waiting
    assert.ok(Date.now() - started < 2000, `answered after ${Date.now() - started} ms`)
    assert.deepEqual(await values(p.records), ['0:k=woke'])
    const t0 = Date.now()
    const idle = await fetch(c, 't', 0, 1n, { maxWaitMs: 300, minBytes: 1 })
    assert.ok(Date.now() - t0 >= 290, 'an idle long poll waits max_wait_ms')
    assert.equal(idle.records?.length ?? 0, 0)
  }))

test('ListOffsets: earliest, latest, max timestamp, by timestamp; DeleteRecords moves the start', () =>
  withBroker({}, async c => {
    await createTopics(c, [{ name: 't', partitions: 1 }])
    for (const [i, ts] of [[0, 1000n], [1, 5000n], [2, 3000n]] as const) await produceOk(c, 't', 0, batch([{ ...kv(`k${i}`, 'v'), timestamp: ts }]))
    const list = async (timestamp: bigint, version = 8) => {
      const r = await c.request(ListOffsetsApi, version, { replicaId: -1, isolationLevel: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] }], timeoutMs: 1000 })
      const p = r.topics[0]!.partitions[0]!
      assert.equal(p.errorCode, ErrorCode.NONE)
      return [p.offset, p.timestamp, p.leaderEpoch]
    }
    assert.deepEqual(await list(-2n), [0n, -1n, 0])
    assert.deepEqual(await list(-1n), [3n, -1n, 0])
    assert.deepEqual(await list(-4n), [0n, -1n, 0])
    assert.deepEqual(await list(-3n), [1n, 5000n, 0])
    assert.deepEqual(await list(2000n), [1n, 5000n, 0])
    assert.deepEqual(await list(9000n), [-1n, -1n, -1])
    assert.deepEqual((await list(-1n, 1)).slice(0, 1), [3n])
    const { DeleteRecordsApi } = await import('@tributary/protocol/apis')
    const del = async (offset: bigint) => (await c.request(DeleteRecordsApi, 2, { topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset }] }], timeoutMs: 1000 })).topics[0]!.partitions[0]!
    assert.deepEqual(await del(2n), { partitionIndex: 0, lowWatermark: 2n, errorCode: ErrorCode.NONE })
    assert.equal((await del(10n)).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE)
    assert.deepEqual(await list(-2n), [2n, -1n, 0])
    assert.equal((await fetch(c, 't', 0, 0n)).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE)
    assert.equal((await fetch(c, 't', 0, 2n)).logStartOffset, 2n)
    assert.equal((await del(-1n)).lowWatermark, 3n)
  }))
