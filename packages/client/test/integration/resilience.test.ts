// Retries, timeouts, version negotiation and idempotence against a real
// broker, with the broker's test interceptor standing in for a broker
// that behaves differently (slow, older, or serving InitProducerId).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ErrorCode, readBatchHeader } from '@tributary/protocol'
import type { ApiVersionsResponseApiVersion } from '@tributary/protocol/apis/api-versions'
import type { ProduceRequest } from '@tributary/protocol/apis/produce'
import { Admin, ClientStateError, Connection, Consumer, ConnectionError, Producer, RequestTimeoutError, UnsupportedApiError } from '../../src/index.js'
import { kcatConsume, startTestBroker, take, type TestBroker } from '../helpers/env.js'

const API_VERSIONS = 18
const INIT_PRODUCER_ID = 22

async function brokerApiKeys (broker: TestBroker): Promise<ApiVersionsResponseApiVersion[]> {
  const conn = await Connection.open({ host: broker.host, port: broker.port })
  conn.close()
  return [...conn.versions].map(([apiKey, [minVersion, maxVersion]]) => ({ apiKey, minVersion, maxVersion }))
}

describe('retries through a broker restart', () => {
  let dataDir: string
  let broker: TestBroker
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'trib-client-restart-'))
    broker = await startTestBroker({ dataDir, 'num.partitions': 1 })
  })
  after(async () => {
    await broker?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  test('producer, consumer and admin carry on when the broker restarts on the same port and data', async () => {
    const bootstrap = broker.bootstrap
    const producer = new Producer({ brokers: [bootstrap], retry: { initialBackoffMs: 50, maxBackoffMs: 200, totalTimeoutMs: 20_000 }, requestTimeoutMs: 5000 })
    const consumer = new Consumer({ brokers: [bootstrap], maxWaitMs: 100, retry: { initialBackoffMs: 50, maxBackoffMs: 200 } })
    const admin = new Admin({ brokers: [bootstrap], retry: { initialBackoffMs: 50, maxBackoffMs: 200, totalTimeoutMs: 20_000 } })
    try {
      await producer.send({ topic: 'r', messages: [{ value: 'before' }] })
      consumer.assign([{ topic: 'r', partition: 0, offset: 0 }])
      assert.equal((await take(consumer, 1))[0]!.value!.toString(), 'before')

      const port = broker.port
      await broker.close()
      // Sent while the broker is down: the producer retries until it is back.
      const during = producer.send({ topic: 'r', messages: [{ value: 'during' }] })
      const listed = admin.listTopics()
      await new Promise(resolve => setTimeout(resolve, 500))
      broker = await startTestBroker({ dataDir, port, 'num.partitions': 1 })
      const [meta] = await during
      assert.equal(meta!.offset, 1n)
      assert.ok((await listed).includes('r'))
      await producer.send({ topic: 'r', messages: [{ value: 'after' }] })
      assert.deepEqual((await take(consumer, 2, 20_000)).map(m => m.value!.toString()), ['during', 'after'])
    } finally {
      await producer.close()
      await consumer.close()
      await admin.close()
    }
    assert.deepEqual((await kcatConsume(broker.bootstrap, 'r')).map(m => m.payload), ['before', 'during', 'after'])
  })

  test('with the broker gone for good, a send fails with a typed error once the delivery timeout passes', async () => {
    const producer = new Producer({ brokers: ['127.0.0.1:1'], deliveryTimeoutMs: 600, retry: { initialBackoffMs: 20, maxBackoffMs: 50, totalTimeoutMs: 600 }, connectTimeoutMs: 200 })
    try {
      await assert.rejects(producer.send({ topic: 'x', messages: [{ value: 'v' }] }), (e: unknown) => e instanceof Error && e.name === 'RetriesExhaustedError' && (e.cause as Error) instanceof ConnectionError)
    } finally {
      await producer.close()
    }
  })
})

describe('timeouts, versions and idempotence', () => {
  let broker: TestBroker
  let apiKeys: ApiVersionsResponseApiVersion[]
  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 1 })
    apiKeys = await brokerApiKeys(broker)
  })
  after(async () => { await broker?.close() })

  test('a request without an answer in time fails with RequestTimeoutError and closes its connection', async () => {
    const conn = await Connection.open({ host: broker.host, port: broker.port })
    await broker.setInterceptor(async req => {
      if (req.api.name === 'Metadata') await new Promise(resolve => setTimeout(resolve, 1000))
      return undefined
    })
    try {
      const { MetadataApi } = await import('@tributary/protocol/apis/metadata')
      await assert.rejects(conn.send(MetadataApi, { topics: [] }, { timeoutMs: 200 }), RequestTimeoutError)
      assert.equal(conn.closed, true)
      await assert.rejects(conn.send(MetadataApi, { topics: [] }), ConnectionError)
    } finally {
      await broker.setInterceptor(undefined)
      conn.close()
    }
  })

  test('a broker without a common Produce version gives UnsupportedApiError', async () => {
    await broker.setInterceptor(req => {
      if (req.header.requestApiKey !== API_VERSIONS) return undefined
      return { errorCode: 0, apiKeys: apiKeys.map(k => k.apiKey === 0 ? { ...k, minVersion: 0, maxVersion: 2 } : k) }
    })
    const producer = new Producer({ brokers: [broker.bootstrap] })
    try {
      await assert.rejects(producer.send({ topic: 'v', messages: [{ value: 'x' }] }), (e: unknown) => e instanceof UnsupportedApiError && e.apiName === 'Produce')
    } finally {
      await producer.close().catch(() => {})
      await broker.setInterceptor(undefined)
    }
  })

  test('idempotence left unset is silently off against a broker without InitProducerId; explicit true is an error', async () => {
    // The broker serves InitProducerId; an older one is simulated by leaving it out of ApiVersions.
    await broker.setInterceptor(req => req.header.requestApiKey === API_VERSIONS
      ? { errorCode: 0, apiKeys: apiKeys.filter(k => k.apiKey !== INIT_PRODUCER_ID) }
      : undefined)
    try {
      const quiet = new Producer({ brokers: [broker.bootstrap] })
      try {
        await quiet.send({ topic: 'i', messages: [{ value: 'x' }] })
        assert.equal(quiet.idempotent, false)
      } finally {
        await quiet.close()
      }
      const strict = new Producer({ brokers: [broker.bootstrap], idempotent: true })
      try {
        await assert.rejects(strict.send({ topic: 'i', messages: [{ value: 'x' }] }), (e: unknown) => e instanceof ClientStateError && /InitProducerId/.test(e.message))
      } finally {
        await strict.close().catch(() => {})
      }
    } finally {
      await broker.setInterceptor(undefined)
    }
  })

  test('idempotence is on by default against this broker, which serves InitProducerId', async () => {
    assert.ok(apiKeys.some(k => k.apiKey === INIT_PRODUCER_ID))
    const producer = new Producer({ brokers: [broker.bootstrap] })
    try {
      await producer.send({ topic: 'i2', messages: [{ value: 'x' }, { value: 'y' }] })
      assert.equal(producer.idempotent, true)
    } finally {
      await producer.close()
    }
  })

  test('with InitProducerId served, batches carry the producer id and per-partition sequences, and a retry reuses its sequence', async () => {
    const seen: Array<{ producerId: bigint, epoch: number, baseSequence: number, count: number }> = []
    let failedOnce = false
    await broker.setInterceptor(req => {
      const key = req.header.requestApiKey
      if (key === API_VERSIONS) return { errorCode: 0, apiKeys: [...apiKeys, { apiKey: INIT_PRODUCER_ID, minVersion: 0, maxVersion: 5 }] }
      if (key === INIT_PRODUCER_ID) return { errorCode: 0, producerId: 4242n, producerEpoch: 3 }
      if (key === 0) {
        const produce = req.request as ProduceRequest
        const records = produce.topicData[0]!.partitionData[0]!.records!
        const h = readBatchHeader(records, 0)
        seen.push({ producerId: h.producerId, epoch: h.producerEpoch, baseSequence: h.baseSequence, count: h.recordsCount })
        if (!failedOnce && produce.topicData[0]!.name === 'idem') {
          failedOnce = true
          // A retriable failure: the client must resend the same batch with the same sequence.
          return { responses: [{ name: 'idem', partitionResponses: [{ index: 0, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, baseOffset: -1n }] }] }
        }
      }
      return undefined
    })
    const producer = new Producer({ brokers: [broker.bootstrap], lingerMs: 0, retry: { initialBackoffMs: 10, maxBackoffMs: 20 } })
    try {
      await producer.send({ topic: 'idem', messages: [{ value: 'a' }, { value: 'b' }] })
      assert.equal(producer.idempotent, true)
      await producer.send({ topic: 'idem', messages: [{ value: 'c' }] })
    } finally {
      await producer.close()
      await broker.setInterceptor(undefined)
    }
    assert.deepEqual(seen.map(s => [s.producerId, s.epoch, s.baseSequence, s.count]), [[4242n, 3, 0, 2], [4242n, 3, 0, 2], [4242n, 3, 2, 1]])
    assert.deepEqual((await kcatConsume(broker.bootstrap, 'idem')).map(m => m.payload), ['a', 'b', 'c'])
  })

  test('acks=0 sends without waiting for an answer; acks=1 gets offsets', async () => {
    const fire = new Producer({ brokers: [broker.bootstrap], acks: 0 })
    const one = new Producer({ brokers: [broker.bootstrap], acks: 1 })
    try {
      await one.send({ topic: 'acks', messages: [{ value: 'first' }] })
      const [m] = await fire.send({ topic: 'acks', messages: [{ value: 'x' }] })
      assert.equal(m!.offset, -1n)
      const [m2] = await one.send({ topic: 'acks', messages: [{ value: 'y' }] })
      assert.equal(m2!.offset, 2n)
    } finally {
      await fire.close()
      await one.close()
    }
  })
})
