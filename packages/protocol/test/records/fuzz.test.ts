import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ProtocolDecodeError } from '../../src/primitives/errors.js'
import {
  ATTRIBUTES_OFFSET, CRC_OFFSET, LENGTH_OFFSET, crc32c, decodeRecordBatch, decodeRecordBatchSync, encodeRecordBatchSync,
  readBatchHeader, splitBatches, verifyBatchCrc
} from '../../src/records/index.js'
import { ALL_CODECS, pseudoRandomBytes } from './helpers.js'

/*
 * Decoder fuzz target (DESIGN R10): random mutations of valid batches must
 * never make the decoders throw anything but ProtocolDecodeError, whatever
 * the codec. Most mutants get their length and CRC re-sealed, so that the
 * structural checks and the native decompressors see the damage instead of
 * the checksum stopping it first. Seeded, so a failure reproduces.
 */
const ITERATIONS = 20_000
// Override to explore further: TRIBUTARY_FUZZ_SEED=123 node --test .../fuzz.test.js
const SEED = Number(process.env.TRIBUTARY_FUZZ_SEED ?? 20240607)
const MAX_BYTES = 1024 * 1024

function rng (seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    return x / 0x100000000
  }
}

const seeds = ALL_CODECS.flatMap(codec => [
  encodeRecordBatchSync({ compression: codec, records: [] }),
  encodeRecordBatchSync({
    compression: codec,
    baseOffset: 100n,
    producerId: 5n,
    records: Array.from({ length: 6 }, (_, i) => ({
      key: i === 2 ? null : Buffer.from(`key${i}`),
      value: i === 4 ? null : Buffer.concat([Buffer.from(`value ${i} `.repeat(5)), pseudoRandomBytes(i * 10, i + 1)]),
      headers: i % 2 === 0 ? [{ key: 'h', value: null }, { key: 'hh', value: Buffer.from('x') }] : []
    }))
  })
])

function mutate (src: Buffer, rand: () => number): Buffer {
  let b = Buffer.from(src)
  const ops = 1 + Math.floor(rand() * 3)
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(rand() * b.length)
    switch (Math.floor(rand() * 6)) {
      case 0: b[at]! ^= 1 << Math.floor(rand() * 8); break
      case 1: b[at] = Math.floor(rand() * 256); break
      case 2: b = b.subarray(0, at); break
      case 3: b = Buffer.concat([b, pseudoRandomBytes(1 + Math.floor(rand() * 20), Math.floor(rand() * 1e9))]); break
      case 4: { // duplicate a slice
        const len = Math.floor(rand() * 16)
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)])
        break
      }
      default: // target the records section, where the decoder does the most work
        if (b.length > 61) b[61 + Math.floor(rand() * (b.length - 61))] = Math.floor(rand() * 256)
    }
  }
  // Re-seal most mutants so that the damage reaches the record parser and the codecs.
  if (b.length >= 61 && rand() < 0.8) {
    if (rand() < 0.9) b.writeInt32BE(b.length - 12, LENGTH_OFFSET)
    b.writeUInt32BE(crc32c(b.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET)
  }
  return b
}

function expectDecodeErrorOnly (err: unknown, input: Buffer): void {
  if (!(err instanceof ProtocolDecodeError)) {
    assert.fail(`seed ${SEED}: unexpected ${String(err)} for input ${input.toString('hex')}`)
  }
}

test(`fuzz: ${ITERATIONS} mutated batches yield only ProtocolDecodeError`, { timeout: 120_000 }, async () => {
  const rand = rng(SEED)
  let decoded = 0
  let rejected = 0
  const started = Date.now()
  for (let i = 0; i < ITERATIONS; i++) {
    const input = mutate(seeds[i % seeds.length]!, rand)
    try {
      readBatchHeader(input)
      verifyBatchCrc(input)
      splitBatches(input)
    } catch (err) {
      expectDecodeErrorOnly(err, input)
    }
    try {
      // One in ten goes through the async decoder, whose native calls differ.
      if (i % 10 === 0) await decodeRecordBatch(input, { maxBytes: MAX_BYTES })
      else decodeRecordBatchSync(input, { maxBytes: MAX_BYTES })
      decoded++
    } catch (err) {
      expectDecodeErrorOnly(err, input)
      rejected++
    }
  }
  assert.equal(decoded + rejected, ITERATIONS)
  // Both outcomes must occur, or the mutator is not exercising the decoder.
  assert.ok(rejected > ITERATIONS / 10, `only ${rejected} rejected`)
  assert.ok(decoded > 100, `only ${decoded} decoded`)
  assert.ok(Date.now() - started < 120_000)
})
