import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { allApis } from '../../src/generated/index.js'
import { messageSchemas } from '../../src/generated/schemas.js'
import { Writer } from '../../src/primitives/index.js'
import { encodeResponse, encodeResponseParts } from '../../src/messages.js'
import { FetchApi } from '../../src/generated/fetch.js'
import { messageArbitrary } from './schema-arbitrary.js'

// A writer that splices large byte arrays out by reference (the broker's
// fetch responses) must produce exactly the bytes of one that copies them,
// for every API and version, whatever the threshold.
const RUNS = Number(process.env.ROUNDTRIP_RUNS ?? 10)

for (const api of allApis) {
  test(`spliced parts of ${api.name}Response v${api.minVersion}-${api.maxVersion} join to the copied encoding`, () => {
    const schema = messageSchemas[`${api.name}Response`]!
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      fc.assert(fc.property(messageArbitrary(schema, v), fc.integer({ min: 1, max: 48 }), (value, spliceAbove) => {
        const plain = new Writer(16)
        api.writeResponse(plain, v, value)
        const spliced = new Writer(16, { spliceAbove })
        api.writeResponse(spliced, v, value)
        const parts = spliced.finishParts()
        assert.equal(spliced.length, plain.offset)
        assert.deepEqual(Buffer.concat(parts), Buffer.from(plain.finish()))
      }), { numRuns: RUNS, seed: 7 + v + api.apiKey * 100 })
    }
  })
}

test('spliced arrays are referenced, not copied; earlier parts survive the buffer growing', () => {
  const big = Buffer.alloc(5000, 0xab)
  const w = new Writer(8, { spliceAbove: 4096 })
  w.int32(1).raw(big)
  for (let i = 0; i < 100; i++) w.int64(BigInt(i)) // grows the buffer several times after the splice
  const parts = w.finishParts()
  assert.equal(parts.length, 3)
  assert.equal(parts[1], big, 'the very buffer, not a copy')
  assert.equal(parts[0]!.readInt32BE(0), 1)
  assert.equal(parts[2]!.readBigInt64BE(99 * 8), 99n)
  assert.equal(w.length, 4 + 5000 + 800)
  assert.throws(() => w.finish(), /finishParts/)
})

test('a fetch response with large record sets comes out as parts around them', () => {
  const records = Buffer.alloc(10_000, 1)
  const body = {
    responses: [{
      topic: 't',
      partitions: [0, 1].map(partitionIndex => ({ partitionIndex, errorCode: 0, highWatermark: 5n, lastStableOffset: 5n, logStartOffset: 0n, records }))
    }]
  }
  for (const version of [4, 11, 12]) {
    const parts = encodeResponseParts(FetchApi, version, 9, body, 4096)
    assert.equal(parts.filter(p => p === records).length, 2, `v${version}: both record sets by reference`)
    assert.deepEqual(Buffer.concat(parts), encodeResponse(FetchApi, version, 9, body))
  }
})
