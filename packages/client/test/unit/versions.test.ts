import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FetchApi } from '@tributary/protocol/apis/fetch'
import { MetadataApi } from '@tributary/protocol/apis/metadata'
import { ProduceApi } from '@tributary/protocol/apis/produce'
import { UnsupportedApiError, clientRange, negotiateVersion } from '../../src/index.js'

test('the highest version both sides speak is chosen', () => {
  assert.equal(negotiateVersion(MetadataApi, new Map([[3, [0, 12]]])), 12)
  assert.equal(negotiateVersion(MetadataApi, new Map([[3, [0, 7]]])), 7)
  assert.equal(negotiateVersion(FetchApi, new Map([[1, [4, 17]]])), 17)
  assert.equal(negotiateVersion(FetchApi, new Map([[1, [0, 12]]])), 12)
})

test('the client range starts where its code does (Produce v3: record batches v2)', () => {
  assert.deepEqual(clientRange(ProduceApi), [3, 11])
  assert.equal(negotiateVersion(ProduceApi, new Map([[0, [0, 20]]])), 11)
})

test('no common version is a typed error naming both ranges', () => {
  const err = (() => { try { negotiateVersion(ProduceApi, new Map([[0, [0, 2]]]), 7) } catch (e) { return e } })()
  assert.ok(err instanceof UnsupportedApiError)
  assert.equal(err.code, 'TRIB_CLIENT_UNSUPPORTED_API')
  assert.deepEqual(err.brokerRange, [0, 2])
  assert.deepEqual(err.clientRange, [3, 11])
  assert.equal(err.retriable, false)
  assert.match(err.message, /broker 7 serves Produce versions 0-2, this client speaks 3-11/)
})

test('an API the broker does not list is a typed error too', () => {
  assert.throws(() => negotiateVersion(MetadataApi, new Map()), (e: unknown) => e instanceof UnsupportedApiError && e.brokerRange === undefined && /does not serve Metadata/.test(e.message))
})
