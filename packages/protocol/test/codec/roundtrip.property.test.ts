import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { allApis } from '../../src/generated/index.js'
import { messageSchemas } from '../../src/generated/schemas.js'
import { Reader, Writer, UnsupportedVersionError } from '../../src/primitives/index.js'
import type { ApiDescriptor } from '../../src/api-descriptor.js'
import { assertSubset, isPresent, messageArbitrary } from './schema-arbitrary.js'

// Round trip for every API key, every generated version, both directions:
// value -> bytes -> value keeps every field, all bytes are consumed, and
// re-encoding the decoded value gives the same bytes (so defaults and
// tagged fields are stable too).
const RUNS = Number(process.env.ROUNDTRIP_RUNS ?? 25)

type Dir = 'Request' | 'Response'

function codec (api: ApiDescriptor, dir: Dir): { read: (r: Reader, v: number) => unknown, write: (w: Writer, v: number, m: any) => void } {
  return dir === 'Request'
    ? { read: api.readRequest, write: api.writeRequest }
    : { read: api.readResponse, write: api.writeResponse }
}

test('every API has a schema for its request and response', () => {
  assert.ok(allApis.length >= 70, `only ${allApis.length} APIs generated`)
  for (const api of allApis) {
    assert.ok(messageSchemas[`${api.name}Request`], `${api.name}Request schema`)
    assert.ok(messageSchemas[`${api.name}Response`], `${api.name}Response schema`)
    assert.ok(api.minVersion <= api.maxVersion, `${api.name} versions`)
  }
})

for (const api of allApis) {
  for (const dir of ['Request', 'Response'] as const) {
    test(`round trip ${api.name}${dir} v${api.minVersion}-${api.maxVersion}`, () => {
      const schema = messageSchemas[`${api.name}${dir}`]!
      const { read, write } = codec(api, dir)
      for (let v = api.minVersion; v <= api.maxVersion; v++) {
        fc.assert(fc.property(messageArbitrary(schema, v), value => {
          const w = new Writer(64)
          write(w, v, value)
          const bytes = Buffer.from(w.finish())
          const r = new Reader(bytes)
          const decoded = read(r, v)
          assert.equal(r.remaining, 0, `v${v}: ${r.remaining} bytes left after decoding`)
          assertSubset(value, decoded)
          const again = new Writer(64)
          write(again, v, decoded)
          assert.deepEqual(Buffer.from(again.finish()), bytes, `v${v}: re-encoding changed the bytes`)
        }), { numRuns: RUNS, seed: 42 + v + api.apiKey * 100 })
      }
    })
  }
}

// A value that the version cannot carry must fail, never be dropped
// silently (Kafka's UnsupportedVersionException on serialisation).
test('non-default values of absent, non-ignorable fields are refused', () => {
  let checked = 0
  for (const api of allApis) {
    for (const dir of ['Request', 'Response'] as const) {
      const schema = messageSchemas[`${api.name}${dir}`]!
      const { write } = codec(api, dir)
      for (const f of schema.structs[schema.top]!) {
        if (f.ignorable || (f.type !== 'int32' && f.type !== 'bool' && f.type !== 'string')) continue
        for (let v = api.minVersion; v <= api.maxVersion; v++) {
          if (isPresent(f, v)) continue
          const bad = f.type === 'int32' ? 1234567 : f.type === 'bool' ? f.default !== 'true' : 'not-the-default'
          assert.throws(() => write(new Writer(), v, { [f.name]: bad }), UnsupportedVersionError, `${api.name}${dir}.${f.name} v${v}`)
          checked++
        }
      }
    }
  }
  assert.ok(checked > 50, `only ${checked} cases checked`)
})
