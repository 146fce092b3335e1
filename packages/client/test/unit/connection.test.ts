// The connection against a scripted fake broker on 127.0.0.1: pipelining
// with answers out of order, correlation ids, version negotiation,
// timeouts, and closing.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { MetadataApi } from '@tributary/protocol/apis/metadata'
import { Connection, ConnectionError, RequestTimeoutError, UnsupportedApiError } from '../../src/index.js'
import { FakeBroker, type Received } from '../helpers/fake-broker.js'

let fake: FakeBroker
before(async () => { fake = new FakeBroker(); await fake.start() })
after(async () => { await fake.close() })

function open (extra: object = {}): Promise<Connection> {
  return Connection.open({ host: '127.0.0.1', port: fake.port, clientId: 'unit', ...extra })
}

test('pipelined requests are matched by correlation id even when answered out of order', async () => {
  const held: Received[] = []
  fake.onRequest = r => {
    held.push(r)
    if (held.length === 2) {
      fake.respond(held[1]!, { clusterId: 'second', brokers: [], topics: [] })
      fake.respond(held[0]!, { clusterId: 'first', brokers: [], topics: [] })
    }
  }
  const conn = await open()
  try {
    const a = conn.send(MetadataApi, { topics: [] })
    const b = conn.send(MetadataApi, { topics: [] })
    assert.deepEqual([(await a).clusterId, (await b).clusterId], ['first', 'second'])
    assert.equal(held[0]!.version, 12, 'highest common Metadata version')
    assert.equal(held[0]!.clientId, 'unit')
    assert.notEqual(held[0]!.correlationId, held[1]!.correlationId)
  } finally {
    conn.close()
  }
})

test('a broker that does not know our ApiVersions version gets asked again at its own highest (KIP-511)', async () => {
  fake.apiVersionsErrorFirst = true
  fake.seenApiVersions = []
  try {
    const conn = await open()
    conn.close()
    assert.deepEqual(fake.seenApiVersions, [3, 2])
    assert.equal(conn.versionFor(MetadataApi), 12)
  } finally {
    fake.apiVersionsErrorFirst = false
  }
})

test('an API the broker does not list fails before anything is sent', async () => {
  const conn = await open()
  try {
    const { ProduceApi } = await import('@tributary/protocol/apis/produce')
    assert.throws(() => conn.versionFor(ProduceApi), UnsupportedApiError)
    await assert.rejects(conn.send(ProduceApi, {}), UnsupportedApiError)
  } finally {
    conn.close()
  }
})

test('a request without an answer times out, and the connection closes with the others failing retriably', async () => {
  fake.onRequest = () => {}
  const conn = await open()
  const slow = conn.send(MetadataApi, { topics: [] }, { timeoutMs: 100 })
  const other = conn.send(MetadataApi, { topics: [] }, { timeoutMs: 5000 })
  await assert.rejects(slow, (e: unknown) => e instanceof RequestTimeoutError && e.retriable)
  await assert.rejects(other, (e: unknown) => e instanceof ConnectionError && e.retriable)
  assert.equal(conn.closed, true)
})

test('closeGracefully waits for answers already due, then refuses new requests', async () => {
  fake.onRequest = r => setTimeout(() => fake.respond(r, { clusterId: 'late', brokers: [], topics: [] }), 100)
  const conn = await open()
  const pending = conn.send(MetadataApi, { topics: [] })
  const closing = conn.closeGracefully(2000)
  await assert.rejects(conn.send(MetadataApi, { topics: [] }), /closing/)
  assert.equal((await pending).clusterId, 'late')
  await closing
  assert.equal(conn.closed, true)
})

test('the peer closing fails pending requests with ConnectionError; connecting to a closed port too', async () => {
  fake.onRequest = r => r.socket.destroy()
  const conn = await open()
  await assert.rejects(conn.send(MetadataApi, { topics: [] }), ConnectionError)
  let closedWith: Error | undefined
  conn.onClose(e => { closedWith = e })
  assert.ok(closedWith instanceof ConnectionError)
  await assert.rejects(Connection.open({ host: '127.0.0.1', port: 1, connectTimeoutMs: 1000 }), ConnectionError)
})
