// Producer and consumer against a real in-process broker, with kcat
// (librdkafka) and kafkajs as independent readers and writers.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka, Partitioners, logLevel } from 'kafkajs'
import { readBatchHeader } from '@tributary/protocol'
import type { ProduceRequest } from '@tributary/protocol/apis/produce'
import { Admin, Consumer, KafkaError, Producer, type CompressionName } from '../../src/index.js'
import { kcatConsume, runOk, startTestBroker, take, type TestBroker } from '../helpers/env.js'

describe('produce and consume', () => {
  let broker: TestBroker
  let admin: Admin
  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 1 })
    admin = new Admin({ brokers: [broker.bootstrap] })
  })
  after(async () => {
    await admin?.close()
    await broker?.close()
  })

  for (const compression of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as CompressionName[]) {
    test(`${compression}: our producer writes, our consumer and kcat read back`, async () => {
      const topic = `codec-${compression}`
      await admin.createTopics([{ name: topic, numPartitions: 1 }])
      const producer = new Producer({ brokers: [broker.bootstrap], compression })
      try {
        const res = await producer.send({
          topic,
          messages: [
            { key: 'k1', value: 'v1', headers: { h1: 'x' }, timestamp: 1700000000000 },
            { key: null, value: 'v2', timestamp: 1700000000001 },
            { key: 'k3', value: null, headers: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }], timestamp: 1700000000002 }
          ]
        })
        assert.deepEqual(res.map(r => [r.partition, r.offset]), [[0, 0n], [0, 1n], [0, 2n]])
      } finally {
        await producer.close()
      }
      const consumer = new Consumer({ brokers: [broker.bootstrap] })
      try {
        consumer.assign([{ topic, partition: 0, offset: 0 }])
        const got = await take(consumer, 3)
        assert.deepEqual(got.map(m => [m.offset, m.key?.toString() ?? null, m.value?.toString() ?? null, m.timestamp]),
          [[0n, 'k1', 'v1', 1700000000000n], [1n, null, 'v2', 1700000000001n], [2n, 'k3', null, 1700000000002n]])
        assert.deepEqual(got[2]!.headers.map(h => [h.key, h.value?.toString()]), [['a', '1'], ['a', '2']])
      } finally {
        await consumer.close()
      }
      const kc = await kcatConsume(broker.bootstrap, topic)
      assert.deepEqual(kc.map(m => [m.offset, m.key, m.payload, m.ts]), [[0, 'k1', 'v1', 1700000000000], [1, null, 'v2', 1700000000001], [2, 'k3', null, 1700000000002]])
      assert.deepEqual(kc[0]!.headers, ['h1', 'x'])
    })
  }

  test('kcat writes with every codec, our consumer reads', async () => {
    for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
      await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', 'from-kcat', '-K:', '-z', codec], { input: `${codec}-a:1\n${codec}-b:2\n` })
    }
    const consumer = new Consumer({ brokers: [broker.bootstrap] })
    try {
      consumer.assign([{ topic: 'from-kcat', partition: 0, offset: 'earliest' }])
      const got = await take(consumer, 10)
      assert.deepEqual(got.map(m => m.key!.toString()), ['none', 'gzip', 'snappy', 'lz4', 'zstd'].flatMap(c => [`${c}-a`, `${c}-b`]))
      assert.deepEqual(got.map(m => m.offset), Array.from({ length: 10 }, (_, i) => BigInt(i)))
    } finally {
      await consumer.close()
    }
  })
})

describe('volume, order and keyed placement', () => {
  let broker: TestBroker
  before(async () => { broker = await startTestBroker({ 'num.partitions': 1 }) })
  after(async () => { await broker?.close() })

  test('10,000 records in one partition: exact count and order, read by our consumer and by kcat', async () => {
    const topic = 'volume'
    const producer = new Producer({ brokers: [broker.bootstrap], compression: 'lz4', lingerMs: 2 })
    const N = 10_000
    try {
      // Concurrent sends share batches; each resolves with its own offsets.
      const sends = []
      for (let i = 0; i < N; i += 500) {
        sends.push(producer.send({ topic, messages: Array.from({ length: 500 }, (_, j) => ({ value: `m${i + j}`, partition: 0 })) }))
      }
      const res = (await Promise.all(sends)).flat()
      assert.deepEqual(res.map(r => r.offset), Array.from({ length: N }, (_, i) => BigInt(i)))
    } finally {
      await producer.close()
    }
    const consumer = new Consumer({ brokers: [broker.bootstrap], maxBufferedRecords: 2000 })
    try {
      consumer.assign([{ topic, partition: 0, offset: 'earliest' }])
      const got = await take(consumer, N, 30_000)
      assert.equal(got.length, N)
      got.forEach((m, i) => {
        assert.equal(m.offset, BigInt(i))
        assert.equal(m.value!.toString(), `m${i}`)
      })
    } finally {
      await consumer.close()
    }
    const kc = await kcatConsume(broker.bootstrap, topic)
    assert.equal(kc.length, N)
    assert.ok(kc.every((m, i) => m.offset === i && m.payload === `m${i}`))
  })

  test('keyed records land where kafkajs\' Java-compatible partitioner puts them, for our producer and for kafkajs\'', async () => {
    const topic = 'keyed'
    const admin = new Admin({ brokers: [broker.bootstrap] })
    await admin.createTopics([{ name: topic, numPartitions: 6 }])
    await admin.close()
    const keys = Array.from({ length: 120 }, (_, i) => `customer-${i * 7919}`)
    const partitionMetadata = Array.from({ length: 6 }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }))
    const javaPartitioner = Partitioners.DefaultPartitioner()
    const expected = new Map(keys.map(k => [k, javaPartitioner({ topic, partitionMetadata, message: { key: k, value: '' } })]))

    const producer = new Producer({ brokers: [broker.bootstrap] })
    try {
      const res = await producer.send({ topic, messages: keys.map(k => ({ key: k, value: 'ours' })) })
      res.forEach((r, i) => assert.equal(r.partition, expected.get(keys[i]!), keys[i]))
    } finally {
      await producer.close()
    }
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } })
    const kp = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
    await kp.connect()
    try {
      await kp.send({ topic, messages: keys.map(k => ({ key: k, value: 'kafkajs' })) })
    } finally {
      await kp.disconnect()
    }
    // kcat sees every record in the partition both producers chose.
    const kc = await kcatConsume(broker.bootstrap, topic)
    assert.equal(kc.length, keys.length * 2)
    for (const m of kc) assert.equal(m.partition, expected.get(m.key!), `${m.key} (${m.payload})`)
    // Our consumer reads each partition back in order: ours first, then kafkajs' for each key.
    const consumer = new Consumer({ brokers: [broker.bootstrap] })
    try {
      consumer.assign(Array.from({ length: 6 }, (_, p) => ({ topic, partition: p, offset: 0 })))
      const got = await take(consumer, keys.length * 2)
      for (const m of got) assert.equal(m.partition, expected.get(m.key!.toString()))
      for (let p = 0; p < 6; p++) {
        const inP = got.filter(m => m.partition === p)
        assert.deepEqual(inP.map(m => m.offset), inP.map((_, i) => BigInt(i)))
      }
    } finally {
      await consumer.close()
    }
  })

  test('an explicit partition that does not exist is UNKNOWN_TOPIC_OR_PARTITION; a record over the broker limit is MESSAGE_TOO_LARGE', async () => {
    const producer = new Producer({ brokers: [broker.bootstrap] })
    try {
      await assert.rejects(producer.send({ topic: 'volume', messages: [{ value: 'x', partition: 5 }] }), (e: unknown) => e instanceof KafkaError && e.name === 'UNKNOWN_TOPIC_OR_PARTITION' && /has 1 partitions/.test(e.message))
      await assert.rejects(producer.send({ topic: 'volume', messages: [{ value: Buffer.alloc(2 * 1024 * 1024) }] }), (e: unknown) => e instanceof KafkaError && e.name === 'MESSAGE_TOO_LARGE' && !e.retriable)
    } finally {
      await producer.close()
    }
  })

  test('keyless records from one send stick to one partition (sticky partitioner)', async () => {
    const topic = 'sticky'
    const admin = new Admin({ brokers: [broker.bootstrap] })
    await admin.createTopics([{ name: topic, numPartitions: 4 }])
    await admin.close()
    const producer = new Producer({ brokers: [broker.bootstrap], batchSize: 100_000 })
    try {
      const res = await producer.send({ topic, messages: Array.from({ length: 50 }, (_, i) => ({ value: `v${i}` })) })
      assert.equal(new Set(res.map(r => r.partition)).size, 1)
    } finally {
      await producer.close()
    }
  })
})

describe('batching on the wire', () => {
  let broker: TestBroker
  before(async () => { broker = await startTestBroker({ 'num.partitions': 1 }) })
  after(async () => { await broker?.close() })

  async function recordProduce (fn: () => Promise<void>): Promise<number[][]> {
    const requests: number[][] = []
    await broker.setInterceptor(req => {
      if (req.header.requestApiKey === 0) {
        const r = req.request as ProduceRequest
        requests.push(r.topicData.flatMap(t => t.partitionData.map(p => readBatchHeader(p.records!, 0).recordsCount)))
      }
      return undefined
    })
    try {
      await fn()
    } finally {
      await broker.setInterceptor(undefined)
    }
    return requests
  }

  test('separate sends within linger.ms share one batch and one Produce request', async () => {
    const producer = new Producer({ brokers: [broker.bootstrap], lingerMs: 200 })
    try {
      await producer.send({ topic: 'linger', messages: [{ value: 'warm-up' }] })
      const requests = await recordProduce(async () => {
        await Promise.all(Array.from({ length: 5 }, async (_, i) => await producer.send({ topic: 'linger', messages: [{ value: `m${i}` }] })))
      })
      assert.deepEqual(requests, [[5]])
    } finally {
      await producer.close()
    }
  })

  test('batch.size cuts the first batch of a large send; the backlog follows merged, in order', async () => {
    const producer = new Producer({ brokers: [broker.bootstrap], batchSize: 1000, lingerMs: 0 })
    try {
      const requests = await recordProduce(async () => {
        const res = await producer.send({ topic: 'split', messages: Array.from({ length: 100 }, (_, i) => ({ value: 'x'.repeat(80) + i })) })
        assert.deepEqual(res.map(r => r.offset), Array.from({ length: 100 }, (_, i) => BigInt(i)))
      })
      // The first batch is cut at batch.size; what queued behind it leaves merged.
      assert.ok(requests.length >= 2, `${requests.length} requests`)
      assert.ok(requests[0]![0]! <= 10)
      assert.ok(requests.every(r => r.length === 1))
      assert.equal(requests.flat().reduce((a, b) => a + b, 0), 100)
    } finally {
      await producer.close()
    }
  })
})
