// Idempotent producers over the wire (issue 6, point 1): InitProducerId,
// the sequence and epoch checks of Produce, duplicates answered with their
// original offsets, DescribeProducers, producer.id.expiration.ms, and the
// producer state rebuilt after a clean restart (from the close snapshot)
// and after rolls (from a roll snapshot plus the log after it).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ErrorCode } from '@tributary/protocol'
import { DeleteRecordsApi, DescribeProducersApi, InitProducerIdApi } from '@tributary/protocol/apis'
import { startBroker, type Broker } from '../../src/index.js'
import { RawClient } from '../raw-client.js'
import { createTopic, initProducerId, produceIdem, readValues } from './helpers.js'

async function describeProducers (c: RawClient, topic: string, partitions = [0]) {
  const r = await c.request(DescribeProducersApi, 0, { topics: [{ name: topic, partitionIndexes: partitions }] })
  return r.topics[0]!.partitions
}

describe('idempotent produce', () => {
  let broker: Broker
  let c: RawClient
  before(async () => {
    broker = await startBroker({ port: 0, logLevel: 'error' })
    c = await RawClient.connect(broker.port)
  })
  after(async () => { c?.close(); await broker?.close() })

  test('InitProducerId gives a new id with epoch 0 in every version, also when an id and epoch are passed (Kafka: idempotent producers bump locally)', async () => {
    const seen = new Set<bigint>()
    for (let v = 0; v <= 5; v++) {
      const r = await c.request(InitProducerIdApi, v, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 })
      assert.deepEqual([r.errorCode, r.producerEpoch], [ErrorCode.NONE, 0])
      seen.add(r.producerId)
    }
    const again = await c.request(InitProducerIdApi, 3, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: [...seen][0]!, producerEpoch: 0 })
    assert.equal(again.errorCode, ErrorCode.NONE)
    seen.add(again.producerId)
    assert.equal(seen.size, 7)
  })

  test('only one of producer id and epoch, or an empty transactional id, is INVALID_REQUEST', async () => {
    for (const [producerId, producerEpoch] of [[5n, -1], [-1n, 0]] as const) {
      const r = await c.request(InitProducerIdApi, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId, producerEpoch })
      assert.deepEqual([r.errorCode, r.producerId], [ErrorCode.INVALID_REQUEST, -1n])
    }
    const r = await c.request(InitProducerIdApi, 4, { transactionalId: '', transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 })
    assert.equal(r.errorCode, ErrorCode.INVALID_REQUEST)
  })

  test('a transactional id before __transaction_state exists (no FindCoordinator yet): NOT_COORDINATOR', async () => {
    for (const v of [0, 2, 5]) {
      const r = await c.request(InitProducerIdApi, v, { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 })
      assert.deepEqual([r.errorCode, r.producerId, r.producerEpoch], [ErrorCode.NOT_COORDINATOR, -1n, -1])
    }
  })

  test('retries of the last 5 batches get their original offsets and are not written again', async () => {
    await createTopic(c, 'dedup')
    const { producerId: pid } = await initProducerId(c)
    const offsets: bigint[] = []
    for (let i = 0; i < 6; i++) {
      const [code, base] = await produceIdem(c, 'dedup', pid, 0, i * 3, 3)
      assert.equal(code, ErrorCode.NONE)
      offsets.push(base)
    }
    assert.deepEqual(offsets, [0n, 3n, 6n, 9n, 12n, 15n])
    for (let i = 1; i < 6; i++) assert.deepEqual(await produceIdem(c, 'dedup', pid, 0, i * 3, 3), [ErrorCode.NONE, offsets[i]])
    assert.equal((await produceIdem(c, 'dedup', pid, 0, 0, 3))[0], ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    const values = await readValues(c, 'dedup')
    assert.deepEqual(values.map(([o, v]) => `${o}=${v}`), Array.from({ length: 18 }, (_, i) => `${i}=${pid}:${i}`))
  })

  test('gaps are OUT_OF_ORDER_SEQUENCE_NUMBER, older epochs INVALID_PRODUCER_EPOCH; a bumped epoch restarts at 0', async () => {
    await createTopic(c, 'checks')
    const { producerId: pid } = await initProducerId(c)
    assert.deepEqual(await produceIdem(c, 'checks', pid, 2, 0, 2), [ErrorCode.NONE, 0n])
    assert.equal((await produceIdem(c, 'checks', pid, 2, 3))[0], ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    assert.equal((await produceIdem(c, 'checks', pid, 1, 2))[0], ErrorCode.INVALID_PRODUCER_EPOCH)
    assert.equal((await produceIdem(c, 'checks', pid, 3, 2))[0], ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    assert.deepEqual(await produceIdem(c, 'checks', pid, 3, 0), [ErrorCode.NONE, 2n])
    assert.equal((await produceIdem(c, 'checks', pid, 2, 2))[0], ErrorCode.INVALID_PRODUCER_EPOCH)
    // An unknown producer id may start anywhere (Kafka 4 no longer answers UNKNOWN_PRODUCER_ID).
    assert.deepEqual(await produceIdem(c, 'checks', 999_999n, 0, 41), [ErrorCode.NONE, 3n])
    // A batch with a producer id but no sequence is refused (Kafka's LogValidator).
    assert.equal((await produceIdem(c, 'checks', pid, 3, -1))[0], ErrorCode.INVALID_RECORD)
    assert.equal((await readValues(c, 'checks')).length, 4)
  })

  test('DeleteRecords removes the batches but not the producer: a retry is still a duplicate, the sequence goes on', async () => {
    await createTopic(c, 'deleted')
    const { producerId: pid } = await initProducerId(c)
    for (let seq = 0; seq < 6; seq += 2) assert.equal((await produceIdem(c, 'deleted', pid, 0, seq, 2))[0], ErrorCode.NONE)
    const r = await c.request(DeleteRecordsApi, 2, { topics: [{ name: 'deleted', partitions: [{ partitionIndex: 0, offset: -1n }] }], timeoutMs: 5000 })
    assert.deepEqual([r.topics[0]!.partitions[0]!.errorCode, r.topics[0]!.partitions[0]!.lowWatermark], [ErrorCode.NONE, 6n])
    assert.deepEqual(await produceIdem(c, 'deleted', pid, 0, 4, 2), [ErrorCode.NONE, 4n])
    assert.equal((await produceIdem(c, 'deleted', pid, 0, 7))[0], ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    assert.deepEqual(await produceIdem(c, 'deleted', pid, 0, 6), [ErrorCode.NONE, 6n])
  })

  test('sequences wrap past Int32.MAX', async () => {
    await createTopic(c, 'wrap')
    const { producerId: pid } = await initProducerId(c)
    assert.deepEqual(await produceIdem(c, 'wrap', pid, 0, 0x7fffffff - 1, 4), [ErrorCode.NONE, 0n])
    assert.deepEqual(await produceIdem(c, 'wrap', pid, 0, 0x7fffffff - 1, 4), [ErrorCode.NONE, 0n])
    assert.deepEqual(await produceIdem(c, 'wrap', pid, 0, 2, 1), [ErrorCode.NONE, 4n])
  })

  test('DescribeProducers lists each partition\'s active producers', async () => {
    await createTopic(c, 'described', 2)
    const a = await initProducerId(c)
    const b = await initProducerId(c)
    await produceIdem(c, 'described', a.producerId, 0, 0, 5)
    await produceIdem(c, 'described', b.producerId, 0, 0, 1)
    await produceIdem(c, 'described', b.producerId, 0, 1, 2)
    const parts = await describeProducers(c, 'described', [0, 1, 7])
    assert.deepEqual(parts.map(p => [p.partitionIndex, p.errorCode]), [[0, 0], [1, 0], [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
    const active = parts[0]!.activeProducers.map(p => [p.producerId, p.producerEpoch, p.lastSequence, p.coordinatorEpoch, p.currentTxnStartOffset]).sort()
    assert.deepEqual(active, [[a.producerId, 0, 4, -1, -1n], [b.producerId, 0, 2, -1, -1n]].sort())
    assert.ok(parts[0]!.activeProducers.every(p => p.lastTimestamp > 0n))
    assert.deepEqual(parts[1]!.activeProducers, [])
    assert.equal((await describeProducers(c, 'nope'))[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  })
})

test('producer.id.expiration.ms: an idle producer is forgotten, and may then start at any sequence', async () => {
  const broker = await startBroker({ port: 0, logLevel: 'error', 'producer.id.expiration.ms': 300, 'producer.id.expiration.check.interval.ms': 50 })
  const c = await RawClient.connect(broker.port)
  try {
    await createTopic(c, 'expiring')
    const { producerId: pid } = await initProducerId(c)
    // Record timestamps are "now": expiry counts from the last batch's max timestamp, as Kafka does.
    assert.equal((await produceIdem(c, 'expiring', pid, 0, 0, 2))[0], ErrorCode.NONE)
    assert.equal((await describeProducers(c, 'expiring'))[0]!.activeProducers.length, 1)
    let left = 1
    for (let i = 0; i < 100 && left > 0; i++) {
      await new Promise(resolve => setTimeout(resolve, 50))
      left = (await describeProducers(c, 'expiring'))[0]!.activeProducers.length
    }
    assert.equal(left, 0)
    assert.deepEqual(await produceIdem(c, 'expiring', pid, 0, 7), [ErrorCode.NONE, 2n])
  } finally {
    c.close()
    await broker.close()
  }
})

/** 2 records of 40 KB per batch: 1 MiB segments (Kafka 4's minimum) roll every ~13 batches. */
const PAD = 40_000

test('after a restart the producer state is back (close snapshot, roll snapshots + replay) and producer ids are not reused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-idem-restart-'))
  const open = async (): Promise<[Broker, RawClient]> => {
    const b = await startBroker({ port: 0, dataDir: dir, logLevel: 'error', 'log.segment.bytes': 1 << 20 })
    return [b, await RawClient.connect(b.port)]
  }
  try {
    let [broker, c] = await open()
    await createTopic(c, 'kept')
    const { producerId: pid } = await initProducerId(c)
    for (let seq = 0; seq < 40; seq += 2) assert.equal((await produceIdem(c, 'kept', pid, 0, seq, 2, PAD))[0], ErrorCode.NONE)
    c.close()
    await broker.close()
    const files = await readdir(join(dir, 'kept-0'))
    assert.ok(files.filter(f => f.endsWith('.snapshot')).length >= 2, files.join(' '))

    ;[broker, c] = await open()
    assert.deepEqual(await produceIdem(c, 'kept', pid, 0, 38, 2, PAD), [ErrorCode.NONE, 38n])
    assert.equal((await produceIdem(c, 'kept', pid, 0, 41))[0], ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    assert.deepEqual(await produceIdem(c, 'kept', pid, 0, 40), [ErrorCode.NONE, 40n])
    const next = await initProducerId(c)
    assert.ok(next.producerId > pid, `id ${next.producerId} was handed out before the restart`)
    c.close()
    await broker.close()

    // Without the close snapshot (as after a crash), the latest roll snapshot and the log after it rebuild the same state.
    const snapshots = (await readdir(join(dir, 'kept-0'))).filter(f => f.endsWith('.snapshot')).sort()
    assert.equal(snapshots.at(-1), '00000000000000000041.snapshot')
    await rm(join(dir, 'kept-0', snapshots.at(-1)!))
    ;[broker, c] = await open()
    assert.deepEqual(await produceIdem(c, 'kept', pid, 0, 40), [ErrorCode.NONE, 40n])
    assert.deepEqual(await produceIdem(c, 'kept', pid, 0, 36, 2, PAD), [ErrorCode.NONE, 36n])
    assert.deepEqual((await readValues(c, 'kept')).map(([, v]) => v), Array.from({ length: 41 }, (_, i) => `${pid}:${i}`))
    c.close()
    await broker.close()
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
