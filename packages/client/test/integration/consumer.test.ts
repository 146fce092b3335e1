// Consumer behaviour against a real broker: assign, seek, pause/resume,
// batch iteration, backpressure, and group offsets read back by kafkajs.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka, logLevel } from 'kafkajs'
import type { FetchRequest } from '@tributary/protocol/apis/fetch'
import { Consumer, KafkaError, Producer } from '../../src/index.js'
import { startTestBroker, take, withTimeout, type TestBroker } from '../helpers/env.js'

describe('consumer', () => {
  let broker: TestBroker
  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 2 })
    const producer = new Producer({ brokers: [broker.bootstrap] })
    try {
      for (const p of [0, 1]) {
        await producer.send({ topic: 'c', messages: Array.from({ length: 100 }, (_, i) => ({ key: `p${p}`, value: `${p}:${i}`, partition: p })) })
      }
    } finally {
      await producer.close()
    }
  })
  after(async () => { await broker?.close() })

  function consumer (extra: Partial<ConstructorParameters<typeof Consumer>[0]> = {}): Consumer {
    return new Consumer({ brokers: [broker.bootstrap], maxWaitMs: 100, ...extra })
  }

  test('assign at an offset, at earliest and at latest', async () => {
    const c = consumer()
    try {
      c.assign([{ topic: 'c', partition: 0, offset: 95 }, { topic: 'c', partition: 1, offset: 'latest' }])
      const got = await take(c, 5)
      assert.deepEqual(got.map(m => m.value!.toString()), ['0:95', '0:96', '0:97', '0:98', '0:99'])
      c.assign([{ topic: 'c', partition: 1, offset: 'earliest' }])
      assert.deepEqual((await take(c, 2)).map(m => m.value!.toString()), ['1:0', '1:1'])
      assert.deepEqual(c.assignment(), [{ topic: 'c', partition: 1 }])
    } finally {
      await c.close()
    }
  })

  test('leaving a for-await early and iterating again continues with the next message', async () => {
    const c = consumer()
    try {
      c.assign([{ topic: 'c', partition: 0, offset: 10 }])
      assert.deepEqual((await take(c, 3)).map(m => m.offset), [10n, 11n, 12n])
      assert.deepEqual((await take(c, 2)).map(m => m.offset), [13n, 14n])
      const [b] = await take(c.batches(), 1)
      assert.equal(b!.messages[0]!.offset, 15n)
    } finally {
      await c.close()
    }
  })

  test('assign and seek by timestamp: the first record at or after the time, the log end when none is that late', async () => {
    const producer = new Producer({ brokers: [broker.bootstrap] })
    try {
      await producer.send({ topic: 'times', messages: Array.from({ length: 10 }, (_, i) => ({ value: `t${i}`, partition: 0, timestamp: 1_700_000_000_000 + i * 10 })) })
    } finally {
      await producer.close()
    }
    const c = consumer()
    try {
      c.assign([{ topic: 'times', partition: 0, offset: { timestamp: 1_700_000_000_035 } }])
      assert.deepEqual((await take(c, 2)).map(m => m.value!.toString()), ['t4', 't5'])
      c.seek({ topic: 'times', partition: 0, offset: { timestamp: new Date(1_700_000_000_000) } })
      assert.equal((await take(c, 1))[0]!.offset, 0n)
      c.seek({ topic: 'times', partition: 0, offset: { timestamp: 1_800_000_000_000 } })
      await new Promise(resolve => setTimeout(resolve, 300))
      assert.equal(c.position({ topic: 'times', partition: 0 }), 10n)
    } finally {
      await c.close()
    }
  })

  test('seek moves the next message, dropping what was buffered', async () => {
    const c = consumer()
    try {
      c.assign([{ topic: 'c', partition: 0, offset: 0 }])
      assert.equal((await take(c, 1))[0]!.offset, 0n)
      c.seek({ topic: 'c', partition: 0, offset: 50 })
      assert.deepEqual((await take(c, 2)).map(m => m.offset), [50n, 51n])
      assert.equal(c.position({ topic: 'c', partition: 0 }), 52n)
      c.seek({ topic: 'c', partition: 0, offset: 'earliest' })
      assert.equal((await take(c, 1))[0]!.offset, 0n)
    } finally {
      await c.close()
    }
  })

  test('pause stops delivery of a partition; resume continues after the last delivered message', async () => {
    const c = consumer()
    try {
      c.assign([{ topic: 'c', partition: 0, offset: 0 }, { topic: 'c', partition: 1, offset: 0 }])
      c.pause([{ topic: 'c', partition: 1 }])
      assert.deepEqual(c.paused(), [{ topic: 'c', partition: 1 }])
      const first = await take(c, 100)
      assert.ok(first.every(m => m.partition === 0))
      // Nothing of partition 1 is fetched while it is paused.
      await new Promise(resolve => setTimeout(resolve, 400))
      assert.equal(c.bufferedRecords, 0)
      assert.equal(c.position({ topic: 'c', partition: 1 }), undefined)
      c.resume([{ topic: 'c', partition: 1 }])
      const rest = await take(c, 100)
      assert.deepEqual(rest.map(m => m.value!.toString()), Array.from({ length: 100 }, (_, i) => `1:${i}`))
    } finally {
      await c.close()
    }
  })

  test('fetch sessions (KIP-227): after a full fetch only changed partitions are sent; without sessions every fetch is full', async () => {
    for (const fetchSessions of [true, false]) {
      const fetches: Array<{ sessionId: number, sessionEpoch: number, partitions: number }> = []
      await broker.setInterceptor(req => {
        if (req.header.requestApiKey === 1) {
          const r = req.request as FetchRequest
          fetches.push({ sessionId: r.sessionId, sessionEpoch: r.sessionEpoch, partitions: r.topics.reduce((n, t) => n + t.partitions.length, 0) })
        }
        return undefined
      })
      const c = consumer({ fetchSessions })
      try {
        c.assign([{ topic: 'c', partition: 0, offset: 0 }, { topic: 'c', partition: 1, offset: 0 }])
        const got = await take(c, 200)
        assert.equal(got.length, 200)
        await new Promise(resolve => setTimeout(resolve, 300))
      } finally {
        await c.close()
        await broker.setInterceptor(undefined)
      }
      assert.ok(fetches.length >= 3, `${fetches.length} fetches`)
      if (fetchSessions) {
        assert.deepEqual([fetches[0]!.sessionId, fetches[0]!.sessionEpoch, fetches[0]!.partitions], [0, 0, 2])
        assert.ok(fetches[1]!.sessionId > 0 && fetches[1]!.sessionEpoch === 1)
        // Once both partitions are caught up, an idle fetch names no partition at all.
        assert.equal(fetches.at(-1)!.partitions, 0)
      } else {
        assert.ok(fetches.every(f => f.sessionId === 0 && f.sessionEpoch === -1 && f.partitions === 2))
      }
    }
  })

  test('batches() yields fetched batches with the high watermark', async () => {
    const c = consumer()
    try {
      c.assign([{ topic: 'c', partition: 1, offset: 90 }])
      const batches = await take(c.batches(), 1)
      assert.equal(batches[0]!.highWatermark, 100n)
      assert.equal(batches[0]!.messages[0]!.offset, 90n)
      assert.equal(batches[0]!.messages.at(-1)!.offset, 99n)
    } finally {
      await c.close()
    }
  })

  test('backpressure: a slow reader stops the fetching at the buffer bound', async () => {
    const producer = new Producer({ brokers: [broker.bootstrap] })
    try {
      // 50 batches of 100 records: one send each, so that the log holds small batches.
      for (let b = 0; b < 50; b++) await producer.send({ topic: 'bp', messages: Array.from({ length: 100 }, (_, i) => ({ value: `v${b * 100 + i}`, partition: 0 })) })
    } finally {
      await producer.close()
    }
    // Small fetches (one batch each) so that the bound, not the fetch size, decides.
    const c = consumer({ maxBufferedRecords: 300, maxPartitionBytes: 1024, maxBytes: 1024 })
    try {
      c.assign([{ topic: 'bp', partition: 0, offset: 0 }])
      await take(c, 1)
      await new Promise(resolve => setTimeout(resolve, 500))
      const buffered = c.bufferedRecords
      assert.ok(buffered >= 300 && buffered <= 500, `buffered ${buffered} records`)
      await new Promise(resolve => setTimeout(resolve, 300))
      assert.equal(c.bufferedRecords, buffered, 'no fetching while the reader is idle')
      // Reading on drains the buffer and fetching resumes: all 5000 arrive in order.
      const rest = await take(c, 4999)
      assert.equal(rest.at(-1)!.offset, 4999n)
    } finally {
      await c.close()
    }
  })

  test('a fetch beyond the log end resets by autoOffsetReset; iteration ends on close', async () => {
    const c = consumer({ autoOffsetReset: 'latest' })
    c.assign([{ topic: 'c', partition: 0, offset: 1000 }])
    const it = c[Symbol.asyncIterator]()
    const next = it.next()
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.equal(c.position({ topic: 'c', partition: 0 }), 100n)
    await c.close()
    assert.deepEqual(await withTimeout(next, 5000, 'iteration end'), { value: undefined, done: true })
  })

  test('commit and committed with a group id; kafkajs admin.fetchOffsets reads the same offsets', async () => {
    const c = consumer({ groupId: 'simple-group' })
    try {
      c.assign([{ topic: 'c', partition: 0, offset: 0 }, { topic: 'c', partition: 1, offset: 0 }])
      const got = await take(c, 130)
      assert.equal(got.length, 130)
      await c.commit()
      const committed = await c.committed([{ topic: 'c', partition: 0 }, { topic: 'c', partition: 1 }])
      const byP = new Map(committed.map(o => [o.partition, o.offset]))
      const expected0 = BigInt(got.filter(m => m.partition === 0).length)
      const expected1 = BigInt(got.filter(m => m.partition === 1).length)
      assert.deepEqual([byP.get(0), byP.get(1)], [expected0, expected1])
      await c.commit([{ topic: 'c', partition: 1, offset: 42n, metadata: 'by hand' }])
    } finally {
      await c.close()
    }
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    try {
      const [t] = await admin.fetchOffsets({ groupId: 'simple-group', topics: ['c'] })
      const offsets = new Map(t!.partitions.map(p => [p.partition, [p.offset, p.metadata]]))
      assert.equal(offsets.get(1)![0], '42')
      assert.equal(offsets.get(1)![1], 'by hand')
      assert.ok(Number(offsets.get(0)![0]) > 0)
    } finally {
      await admin.disconnect()
    }
    // A new consumer of the group without an explicit offset starts at the committed one.
    const c2 = consumer({ groupId: 'simple-group' })
    try {
      c2.assign([{ topic: 'c', partition: 1 }])
      assert.equal((await take(c2, 1))[0]!.offset, 42n)
    } finally {
      await c2.close()
    }
  })

  test('commit without a group id is a typed error; an unknown partition fails the iterator with the Kafka error', async () => {
    const c = consumer()
    try {
      await assert.rejects(c.commit(), /need a groupId/)
      assert.throws(() => c.seek({ topic: 'nope', partition: 0, offset: 0 }), /not assigned/)
    } finally {
      await c.close()
    }
    const c2 = consumer({ retry: { totalTimeoutMs: 1000 }, autoOffsetReset: 'none' })
    try {
      c2.assign([{ topic: 'c', partition: 0 }])
      await assert.rejects(take(c2, 1), (e: unknown) => e instanceof KafkaError && e.name === 'OFFSET_OUT_OF_RANGE')
    } finally {
      await c2.close()
    }
  })

  test('read_committed reads non-transactional records up to the last stable offset', async () => {
    const c = consumer({ isolationLevel: 'read_committed' })
    try {
      c.assign([{ topic: 'c', partition: 0, offset: 98 }])
      assert.deepEqual((await take(c, 2)).map(m => m.offset), [98n, 99n])
    } finally {
      await c.close()
    }
  })
})
