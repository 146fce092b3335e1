import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { allApis } from '../../src/generated/index.js'
import { messageSchemas } from '../../src/generated/schemas.js'
import { decodeRequestHeader, encodeRequest } from '../../src/messages.js'
import { apiByKey } from '../../src/apis.js'
import { ProtocolError } from '../../src/primitives/errors.js'
import { messageArbitrary } from './schema-arbitrary.js'

// Decoder fuzzing: random bytes and mutations of valid request frames must
// either decode or fail with a typed ProtocolError; never a RangeError,
// TypeError, an allocation sized by a hostile length, or a hang.
const FRAMES = Number(process.env.FUZZ_FRAMES ?? 100_000)

/** xorshift32: a seeded generator so that a failure can be replayed. */
function rng (seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13; s >>>= 0
    s ^= s >>> 17
    s ^= s << 5; s >>>= 0
    return s / 0x100000000
  }
}

function validFrames (count: number, seed: number): Buffer[] {
  const out: Buffer[] = []
  const random = rng(seed)
  for (let i = 0; i < count; i++) {
    const api = allApis[Math.floor(random() * allApis.length)]!
    const v = api.minVersion + Math.floor(random() * (api.maxVersion - api.minVersion + 1))
    const [value] = fc.sample(messageArbitrary(messageSchemas[`${api.name}Request`]!, v), { numRuns: 1, seed: seed + i })
    // Without its 4-byte size prefix: that is what the connection hands to the decoder.
    out.push(encodeRequest(api, v, i, 'fuzz', value!).subarray(4))
  }
  return out
}

function mutate (frame: Buffer, random: () => number): Buffer {
  const b = Buffer.from(frame)
  const kind = Math.floor(random() * 6)
  const pos = Math.floor(random() * Math.max(1, b.length))
  switch (kind) {
    case 0: // flip bits
      for (let i = 0, n = 1 + Math.floor(random() * 4); i < n; i++) {
        const p = Math.floor(random() * b.length)
        b[p] = b[p]! ^ (1 << Math.floor(random() * 8))
      }
      return b
    case 1: // truncate
      return b.subarray(0, pos)
    case 2: // a huge or negative length where a length may be
      if (b.length >= pos + 4) b.writeInt32BE([0x7fffffff, -2, 0x10000000, 65535][Math.floor(random() * 4)]!, pos)
      return b
    case 3: // varint-looking bytes with continuation bits set
      for (let i = pos; i < Math.min(b.length, pos + 6); i++) b[i] = 0xff
      return b
    case 4: { // insert random bytes
      const extra = Buffer.alloc(1 + Math.floor(random() * 8))
      for (let i = 0; i < extra.length; i++) extra[i] = Math.floor(random() * 256)
      return Buffer.concat([b.subarray(0, pos), extra, b.subarray(pos)])
    }
    default: { // random garbage that keeps a valid API key and version
      const g = Buffer.alloc(Math.floor(random() * 64))
      for (let i = 0; i < g.length; i++) g[i] = Math.floor(random() * 256)
      return Buffer.concat([b.subarray(0, Math.min(8, b.length)), g])
    }
  }
}

function decode (frame: Buffer): 'ok' | 'error' {
  try {
    const { api, header, body } = decodeRequestHeader(frame, apiByKey)
    const v = header.requestApiVersion
    if (api === undefined || v < api.minVersion || v > api.maxVersion) return 'error'
    api.readRequest(body, v)
    return 'ok'
  } catch (err) {
    if (err instanceof ProtocolError) return 'error'
    throw err
  }
}

test(`${FRAMES} random and mutated request frames decode or fail with a typed error`, () => {
  const seed = Number(process.env.FUZZ_SEED ?? 20261121)
  const random = rng(seed)
  const seeds = validFrames(400, seed)
  for (const f of seeds) assert.equal(decode(f), 'ok', 'an unmutated frame must decode')
  const heapBefore = process.memoryUsage().heapUsed
  let ok = 0
  let errors = 0
  for (let i = 0; i < FRAMES; i++) {
    let frame: Buffer
    if (i % 10 === 0) {
      frame = Buffer.alloc(Math.floor(random() * 128))
      for (let j = 0; j < frame.length; j++) frame[j] = Math.floor(random() * 256)
    } else {
      frame = mutate(seeds[i % seeds.length]!, random)
    }
    try {
      if (decode(frame) === 'ok') ok++
      else errors++
    } catch (err) {
      assert.fail(`seed ${seed}, frame ${i} (${frame.toString('hex')}): untyped ${(err as Error).name}: ${(err as Error).message}`)
    }
  }
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore
  assert.equal(ok + errors, FRAMES)
  assert.ok(errors > FRAMES / 10, `mutations should mostly fail to decode (${errors} errors)`)
  assert.ok(heapGrowth < 256 * 1024 * 1024, `heap grew by ${heapGrowth} bytes`)
})

test('declared lengths are checked before allocation', () => {
  // Metadata v1 with a topic array claiming 2^31-1 elements in a 12-byte body.
  const frame = Buffer.alloc(8 + 2 + 4)
  frame.writeInt16BE(3, 0) // Metadata
  frame.writeInt16BE(1, 2)
  frame.writeInt32BE(7, 4)
  frame.writeInt16BE(-1, 8) // null client id
  frame.writeInt32BE(0x7fffffff, 10)
  const { api, body } = decodeRequestHeader(frame, apiByKey)
  assert.throws(() => api!.readRequest(body, 1), (err: Error) => err instanceof ProtocolError && /cannot fit/.test(err.message))
})
