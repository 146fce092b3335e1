// ApiVersions and bad input on raw sockets: every byte is ours, so these
// tests can send what no real client would (future versions, unknown API
// keys, truncated bodies) and check the broker answers as Kafka does, or
// closes only the offending connection.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, decodeResponse, encodeFrame, encodeRequest } from '@tributary/protocol'
import { ApiVersionsApi, MetadataApi, type ApiVersionsResponseApiVersion } from '@tributary/protocol/apis'
import { handlers } from '@tributary/broker/handlers'
import { runOk, startTestBroker, type TestBroker } from '@tributary/testkit'
import { RawClient } from './helpers/raw-client.js'

const API_VERSIONS = 18
const METADATA = 3

/** What the broker should advertise: its handler registry, sorted by key. */
const expectedRanges = handlers
  .map(h => ({ apiKey: h.api.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
  .sort((a, b) => a.apiKey - b.apiKey)

function rangeOf (keys: readonly ApiVersionsResponseApiVersion[], apiKey: number): { min: number, max: number } | undefined {
  const k = keys.find(x => x.apiKey === apiKey)
  return k === undefined ? undefined : { min: k.minVersion, max: k.maxVersion }
}

/**
 * A request frame built byte by byte, size prefix included. Header v1
 * (key, version, correlation id, nullable client id) or v2 (the same plus an
 * empty tagged-field section), then `body` as given.
 */
function handFrame (apiKey: number, version: number, correlationId: number, headerVersion: 1 | 2, body: Buffer): Buffer {
  const clientId = Buffer.from('compat-hand', 'utf8')
  const header = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length)
  header.writeInt16BE(apiKey, 0)
  header.writeInt16BE(version, 2)
  header.writeInt32BE(correlationId, 4)
  header.writeInt16BE(clientId.length, 8)
  clientId.copy(header, 10)
  const tags = headerVersion === 2 ? Buffer.from([0]) : Buffer.alloc(0)
  return encodeFrame(Buffer.concat([header, tags, body]))
}

describe('ApiVersions and malformed requests on raw sockets', () => {
  let broker: TestBroker
  const clients: RawClient[] = []

  async function open (): Promise<RawClient> {
    const c = await RawClient.connect(broker.host, broker.port)
    clients.push(c)
    return c
  }

  before(async () => {
    // The malformed requests below are logged by the broker; keep the output quiet.
    broker = await startTestBroker({ logLevel: 'silent' })
  })

  after(async () => {
    for (const c of clients) c.close()
    await broker?.close()
  })

  test('ApiVersions v0 to v4 each get a correct answer', async () => {
    const c = await open()
    for (let v = 0; v <= 4; v++) {
      const body = v >= 3 ? { clientSoftwareName: 'tributary-compat', clientSoftwareVersion: '0.1.0' } : {}
      const { body: res } = await c.request(ApiVersionsApi, v, body)
      assert.equal(res.errorCode, ErrorCode.NONE, `v${v} error code`)
      assert.deepEqual(rangeOf(res.apiKeys, API_VERSIONS), { min: 0, max: 4 }, `v${v} ApiVersions range`)
      assert.deepEqual(rangeOf(res.apiKeys, METADATA), { min: 0, max: 12 }, `v${v} Metadata range`)
      assert.deepEqual(res.apiKeys.map(k => ({ ...k })), expectedRanges, `v${v} advertises exactly the handler registry`)
      if (v >= 1) assert.equal(res.throttleTimeMs, 0, `v${v} throttle time`)
    }
    assert.equal(c.isClosed, false)
  })

  test('pipelined ApiVersions requests of every version are answered in order', async () => {
    const c = await open()
    for (let v = 0; v <= 4; v++) {
      c.send(encodeRequest(ApiVersionsApi, v, 100 + v, 'compat', v >= 3 ? { clientSoftwareName: 'compat', clientSoftwareVersion: '1' } : {}))
    }
    for (let v = 0; v <= 4; v++) {
      const { correlationId, body } = decodeResponse(ApiVersionsApi, v, await c.readFrame())
      assert.equal(correlationId, 100 + v)
      assert.equal(body.errorCode, ErrorCode.NONE)
    }
  })

  test('ApiVersions v3/v4 with a valid client software name and version (KIP-511)', async () => {
    const c = await open()
    for (const v of [3, 4]) {
      const { body } = await c.request(ApiVersionsApi, v, { clientSoftwareName: 'apache-kafka-java', clientSoftwareVersion: '3.9.0' })
      assert.equal(body.errorCode, ErrorCode.NONE)
      assert.deepEqual(rangeOf(body.apiKeys, API_VERSIONS), { min: 0, max: 4 })
    }
  })

  test('ApiVersions v3 with an invalid software name or version gets INVALID_REQUEST and an empty list', async () => {
    const c = await open()
    const bad = [
      { clientSoftwareName: '-bad-', clientSoftwareVersion: '1.0.0' },
      { clientSoftwareName: 'good', clientSoftwareVersion: '1.0.0-' },
      { clientSoftwareName: 'has space', clientSoftwareVersion: '1' },
      { clientSoftwareName: '', clientSoftwareVersion: '1' }
    ]
    for (const body of bad) {
      const { body: res } = await c.request(ApiVersionsApi, 3, body)
      assert.equal(res.errorCode, 42, `INVALID_REQUEST for ${JSON.stringify(body)}`)
      assert.equal(res.errorCode, ErrorCode.INVALID_REQUEST)
      assert.deepEqual(res.apiKeys, [])
    }
    // The error is an answer, not a disconnect: the connection still works.
    const { body: ok } = await c.request(ApiVersionsApi, 3, { clientSoftwareName: 'compat', clientSoftwareVersion: '1' })
    assert.equal(ok.errorCode, ErrorCode.NONE)
  })

  test('ApiVersions v99 gets a v0 response with UNSUPPORTED_VERSION and the supported ranges (KIP-511)', async () => {
    const c = await open()
    // Header v2 (a future ApiVersions is flexible), body: only an empty tagged-field section.
    c.send(handFrame(API_VERSIONS, 99, 4242, 2, Buffer.from([0])))
    const frame = await c.readFrame()
    // v0 response: correlation id, error code, int32-counted array of (key, min, max), nothing else.
    const { correlationId, body } = decodeResponse(ApiVersionsApi, 0, frame)
    assert.equal(correlationId, 4242)
    assert.equal(body.errorCode, 35)
    assert.equal(body.errorCode, ErrorCode.UNSUPPORTED_VERSION)
    assert.deepEqual(rangeOf(body.apiKeys, API_VERSIONS), { min: 0, max: 4 })
    assert.equal(body.apiKeys.length, 1, 'only the ApiVersions range, as Kafka answers')
    assert.equal(frame.length, 4 + 2 + 4 + 6 * body.apiKeys.length, 'exactly the v0 layout')
    // A client then retries with the highest version both know, on the same connection.
    const { body: retry } = await c.request(ApiVersionsApi, 4, { clientSoftwareName: 'compat', clientSoftwareVersion: '1' })
    assert.equal(retry.errorCode, ErrorCode.NONE)
    assert.deepEqual(rangeOf(retry.apiKeys, METADATA), { min: 0, max: 12 })
  })

  test('an unknown API key closes that connection only', async () => {
    const bystander = await open()
    const c = await open()
    c.send(handFrame(9999, 0, 7, 1, Buffer.alloc(0)))
    await c.waitClosed()
    assert.equal(c.framesReceived, 0, 'no response to an unknown API key')
    const { body } = await bystander.request(ApiVersionsApi, 3, { clientSoftwareName: 'compat', clientSoftwareVersion: '1' })
    assert.equal(body.errorCode, ErrorCode.NONE)
    const fresh = await open()
    const { body: again } = await fresh.request(ApiVersionsApi, 0, {})
    assert.equal(again.errorCode, ErrorCode.NONE)
  })

  test('truncated or garbage Metadata bodies close only their connection', async () => {
    const bystander = await open()
    const cases: Array<{ what: string, bytes: Buffer }> = [
      // v12 header, then a compact topic array claiming 4 entries and nothing after it.
      { what: 'Metadata v12 with a truncated topic array', bytes: handFrame(METADATA, 12, 1, 2, Buffer.from([5])) },
      // v1 header, int32 topic count of 2^31-1: must fail on length, not allocate.
      { what: 'Metadata v1 with a huge topic count', bytes: handFrame(METADATA, 1, 2, 1, Buffer.from([0x7f, 0xff, 0xff, 0xff])) },
      // v4 header, a topic whose int16 name length runs past the frame.
      { what: 'Metadata v4 with a name longer than the frame', bytes: handFrame(METADATA, 4, 3, 1, Buffer.from([0, 0, 0, 1, 0x10, 0x00, 0x61, 0x62])) },
      { what: 'Metadata v9 with random bytes', bytes: handFrame(METADATA, 9, 4, 2, Buffer.from('9f8e7d6c5b4a39281706f5e4d3c2b1a0ffffffff', 'hex')) },
      // A frame shorter than any request header.
      { what: 'a 3-byte frame', bytes: encodeFrame(Buffer.from([0, 3, 0])) }
    ]
    for (const { what, bytes } of cases) {
      const c = await open()
      c.send(bytes)
      await c.waitClosed().catch(err => { throw new Error(`${what}: ${(err as Error).message}`) })
      assert.equal(c.framesReceived, 0, `${what}: no response`)
    }
    const { body } = await bystander.request(MetadataApi, 12, { topics: null })
    assert.deepEqual(body.brokers.map(b => ({ nodeId: b.nodeId, host: b.host, port: b.port })), [{ nodeId: broker.nodeId, host: broker.host, port: broker.port }])
    assert.equal(body.clusterId, broker.clusterId)
  })

  test('kcat -L still works after all of that (the broker did not crash)', async () => {
    const r = await runOk('kcat', ['-L', '-J', '-b', broker.bootstrap, '-m', '10'], { timeoutMs: 30_000 })
    const md = JSON.parse(r.stdout) as { brokers: Array<{ id: number, name: string }>, controllerid: number }
    assert.deepEqual(md.brokers, [{ id: broker.nodeId, name: broker.bootstrap }])
    assert.equal(md.controllerid, broker.nodeId)
  })
})
