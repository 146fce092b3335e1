// Producer and consumer against a real in-process broker, with kcat
// (librdkafka) and kafkajs as independent readers and writers.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin, Consumer, Producer, type CompressionName } from '../../src/index.js'
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
