import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, decodeResponse, Writer, writeRequestHeader } from '@tributary/protocol'
import { ApiVersionsApi, MetadataApi } from '@tributary/protocol/apis'
import { startBroker, type Broker } from '../src/index.js'
import { handlers } from '../src/handlers/registry.js'
import { RawClient } from './raw-client.js'

let broker: Broker
before(async () => { broker = await startBroker({ port: 0 }) })
after(async () => { await broker.close() })

test('ApiVersions lists exactly the registry, in every version', async () => {
  const c = await RawClient.connect(broker.port)
  try {
    for (let v = 0; v <= 4; v++) {
      const res = await c.request(ApiVersionsApi, v, { clientSoftwareName: 'tests', clientSoftwareVersion: '1.0' })
      assert.equal(res.errorCode, ErrorCode.NONE)
      const keys = res.apiKeys.map(k => [k.apiKey, k.minVersion, k.maxVersion])
      const expected = handlers.map(h => [h.api.apiKey, h.minVersion, h.maxVersion]).sort((a, b) => a[0]! - b[0]!)
      assert.deepEqual(keys, expected, `v${v}`)
    }
  } finally { c.close() }
})

test('ApiVersions v3 refuses an invalid client software name (KIP-511)', async () => {
  const c = await RawClient.connect(broker.port)
  try {
    const res = await c.request(ApiVersionsApi, 3, { clientSoftwareName: '-bad name', clientSoftwareVersion: '1' })
    assert.equal(res.errorCode, ErrorCode.INVALID_REQUEST)
  } finally { c.close() }
})

test('a newer ApiVersions gets UNSUPPORTED_VERSION with our ranges, encoded as v0', async () => {
  const c = await RawClient.connect(broker.port)
  try {
    const w = new Writer()
    w.reserve(4)
    writeRequestHeader(w, 2, { requestApiKey: 18, requestApiVersion: 77, correlationId: 5, clientId: 'future' })
    w.uvarint(0) // an empty flexible body
    const frame = w.finish()
    frame.writeInt32BE(frame.length - 4, 0)
    c.sendRaw(Buffer.from(frame))
    const payload = await c.next()
    assert.ok(payload !== null)
    const { correlationId, body } = decodeResponse(ApiVersionsApi, 0, payload)
    assert.equal(correlationId, 5)
    assert.equal(body.errorCode, ErrorCode.UNSUPPORTED_VERSION)
    assert.deepEqual(body.apiKeys.map(k => [k.apiKey, k.minVersion, k.maxVersion]), [[18, 0, 4]])
    // the connection stays usable for the retry in a version we share
    const retry = await c.request(ApiVersionsApi, 3, { clientSoftwareName: 'future', clientSoftwareVersion: '2' })
    assert.equal(retry.errorCode, ErrorCode.NONE)
  } finally { c.close() }
})

test('an unknown API key closes only its connection', async () => {
  const bad = await RawClient.connect(broker.port)
  const good = await RawClient.connect(broker.port)
  try {
    const frame = Buffer.alloc(4 + 10)
    frame.writeInt32BE(10, 0)
    frame.writeInt16BE(9999, 4)
    frame.writeInt16BE(0, 6)
    frame.writeInt32BE(1, 8)
    frame.writeInt16BE(-1, 12)
    bad.sendRaw(frame)
    assert.equal(await bad.next(), null, 'the broker closes the connection')
    const res = await good.request(MetadataApi, 12, { topics: [] })
    assert.equal(res.clusterId, broker.clusterId)
  } finally { bad.close(); good.close() }
})

test('an unsupported version of another API closes the connection', async () => {
  const c = await RawClient.connect(broker.port)
  try {
    const w = new Writer()
    w.reserve(4)
    writeRequestHeader(w, 1, { requestApiKey: 3, requestApiVersion: 99, correlationId: 1, clientId: null })
    const frame = w.finish()
    frame.writeInt32BE(frame.length - 4, 0)
    c.sendRaw(Buffer.from(frame))
    assert.equal(await c.next(), null)
  } finally { c.close() }
})
