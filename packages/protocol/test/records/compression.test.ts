import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { describe, test } from 'node:test'
import {
  CompressionCodec, LZ4_FRAME_MAGIC, XERIAL_BLOCK_SIZE, XERIAL_MAGIC, codecName, compress, compressSync, decompress, decompressSync
} from '../../src/records/index.js'
import { ALL_CODECS, pseudoRandomBytes, rejectsDecode, throwsDecode } from './helpers.js'

const require = createRequire(import.meta.url)
const snappy = require('snappy') as typeof import('snappy')

const text = Buffer.from('Tributary speaks the Kafka protocol. '.repeat(3000))
const SAMPLES: Array<[string, Buffer]> = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from([42])],
  ['text', text],
  ['random 100 KiB', pseudoRandomBytes(100 * 1024)],
  ['1 MiB mixed', Buffer.concat([pseudoRandomBytes(512 * 1024, 7), Buffer.alloc(512 * 1024, 0x61)])]
]

describe('compression round trips', () => {
  for (const codec of ALL_CODECS) {
    for (const [label, data] of SAMPLES) {
      test(`${codecName(codec)}: ${label}`, async () => {
        const a = compressSync(codec, data)
        const b = await compress(codec, data)
        assert.ok(decompressSync(codec, a).equals(data), 'sync -> sync')
        assert.ok((await decompress(codec, b)).equals(data), 'async -> async')
        assert.ok(decompressSync(codec, b).equals(data), 'async -> sync')
        if (codec !== CompressionCodec.NONE && label === 'text') assert.ok(a.length < data.length / 10, 'text compresses well')
      })
    }
  }

  test('gzip and zstd honour a compression level', () => {
    for (const codec of [CompressionCodec.GZIP, CompressionCodec.ZSTD]) {
      const fast = compressSync(codec, text, { level: 1 })
      assert.ok(decompressSync(codec, fast).equals(text))
    }
    const gz = compressSync(CompressionCodec.GZIP, text)
    assert.deepEqual([...gz.subarray(0, 2)], [0x1f, 0x8b], 'gzip magic')
  })
})

describe('decompression limits', () => {
  const zeros = Buffer.alloc(4 * 1024 * 1024)
  for (const codec of ALL_CODECS) {
    test(`${codecName(codec)}: output above maxBytes is refused`, async () => {
      const packed = compressSync(codec, zeros)
      throwsDecode(() => decompressSync(codec, packed, { maxBytes: 1024 * 1024 }), /limit/)
      await rejectsDecode(async () => await decompress(codec, packed, { maxBytes: zeros.length - 1 }), /limit/)
      assert.equal(decompressSync(codec, packed, { maxBytes: zeros.length }).length, zeros.length, 'exactly at the limit is fine')
    })
  }

  test('lz4: a frame whose block bound exceeds the limit but whose content fits is accepted', () => {
    // 1000 bytes in a frame whose blocks may hold 64 KiB each: the header bound is above 2000,
    // the exact size is not, so the block-by-block sizing path decides.
    const small = text.subarray(0, 1000)
    const packed = compressSync(CompressionCodec.LZ4, small)
    assert.ok(decompressSync(CompressionCodec.LZ4, packed, { maxBytes: 2000 }).equals(small))
    throwsDecode(() => decompressSync(CompressionCodec.LZ4, packed, { maxBytes: 999 }), /limit/)
  })

  test('zstd: multi-frame input takes the streaming path and is still capped', () => {
    const a = pseudoRandomBytes(300 * 1024, 1)
    const b = Buffer.alloc(200 * 1024, 0x33)
    const two = Buffer.concat([compressSync(CompressionCodec.ZSTD, a), compressSync(CompressionCodec.ZSTD, b)])
    assert.ok(decompressSync(CompressionCodec.ZSTD, two).equals(Buffer.concat([a, b])))
    throwsDecode(() => decompressSync(CompressionCodec.ZSTD, two, { maxBytes: 400 * 1024 }), /limit/)
  })

  test('a limit of zero allows only empty output', () => {
    for (const codec of ALL_CODECS) {
      assert.equal(decompressSync(codec, compressSync(codec, Buffer.alloc(0)), { maxBytes: 0 }).length, 0)
      throwsDecode(() => decompressSync(codec, compressSync(codec, Buffer.from('x')), { maxBytes: 0 }))
    }
  })
})

describe('corrupt input', () => {
  for (const codec of ALL_CODECS.filter(c => c !== CompressionCodec.NONE)) {
    test(`${codecName(codec)}: garbage and truncation give ProtocolDecodeError`, async () => {
      throwsDecode(() => decompressSync(codec, pseudoRandomBytes(200, codec)))
      await rejectsDecode(async () => await decompress(codec, pseudoRandomBytes(200, codec + 10)))
      const packed = compressSync(codec, text)
      for (const cut of [1, 5, Math.floor(packed.length / 2), packed.length - 1]) {
        throwsDecode(() => decompressSync(codec, packed.subarray(0, cut)))
        await rejectsDecode(async () => await decompress(codec, packed.subarray(0, cut)))
      }
    })
  }

  test('unknown codec ids are decode errors', async () => {
    for (const id of [5, 6, 7, -1]) {
      throwsDecode(() => decompressSync(id, Buffer.from('x')), /unknown compression codec/)
      await rejectsDecode(async () => await decompress(id, Buffer.from('x')))
      throwsDecode(() => compressSync(id as CompressionCodec, Buffer.from('x')))
    }
  })
})

describe('snappy framing', () => {
  // A raw snappy block built by hand: uvarint length 5, literal tag (5-1)<<2, bytes.
  const hello = Buffer.from([0x05, 0x10, ...Buffer.from('hello')])
  const xerialHeader = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])])
  const int32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b }

  test('a raw snappy block decodes', () => {
    assert.equal(decompressSync(CompressionCodec.SNAPPY, hello).toString(), 'hello')
    assert.equal(decompressSync(CompressionCodec.SNAPPY, snappy.compressSync(text)).toString(), text.toString())
  })

  test('a hand-built xerial stream decodes, including a repeated header', async () => {
    const world = snappy.compressSync(Buffer.from(', world'))
    const stream = Buffer.concat([xerialHeader, int32(hello.length), hello, int32(world.length), world])
    assert.equal(decompressSync(CompressionCodec.SNAPPY, stream).toString(), 'hello, world')
    assert.equal((await decompress(CompressionCodec.SNAPPY, stream)).toString(), 'hello, world')
    // Concatenated xerial streams (as snappy-java produces on append) carry the header again.
    const twice = Buffer.concat([stream, stream])
    assert.equal(decompressSync(CompressionCodec.SNAPPY, twice).toString(), 'hello, worldhello, world')
  })

  test('xerial block lengths are checked', () => {
    throwsDecode(() => decompressSync(CompressionCodec.SNAPPY, Buffer.concat([xerialHeader, int32(100), hello])), /does not fit/)
    throwsDecode(() => decompressSync(CompressionCodec.SNAPPY, Buffer.concat([xerialHeader, int32(-1)])))
    throwsDecode(() => decompressSync(CompressionCodec.SNAPPY, Buffer.concat([xerialHeader, Buffer.from([0, 0])])), /truncated/)
  })

  test('compression writes xerial framing in 32 KiB blocks, like snappy-java', () => {
    const data = pseudoRandomBytes(XERIAL_BLOCK_SIZE * 2 + 10)
    const packed = compressSync(CompressionCodec.SNAPPY, data)
    assert.ok(packed.subarray(0, 8).equals(XERIAL_MAGIC))
    assert.equal(packed.readInt32BE(8), 1, 'version')
    assert.equal(packed.readInt32BE(12), 1, 'compatible version')
    const sizes: number[] = []
    for (let at = 16; at < packed.length;) {
      const len = packed.readInt32BE(at)
      sizes.push(snappy.uncompressSync(packed.subarray(at + 4, at + 4 + len), { asBuffer: true }).length)
      at += 4 + len
    }
    assert.deepEqual(sizes, [XERIAL_BLOCK_SIZE, XERIAL_BLOCK_SIZE, 10])
  })
})

describe('lz4 framing', () => {
  test('compression writes the standard LZ4 frame (magic 0x184D2204, independent blocks)', () => {
    const packed = compressSync(CompressionCodec.LZ4, text)
    assert.equal(packed.readUInt32LE(0), LZ4_FRAME_MAGIC)
    assert.equal(packed[4]! >> 6, 1, 'frame version 01')
    assert.ok((packed[4]! & 0x20) !== 0, 'independent blocks, which Kafka readers expect')
  })

  test('a hand-built frame with one stored block decodes', () => {
    // FLG 0x60 (v1, independent), BD 0x40 (64 KiB); 0x82 is the header checksum of those two bytes.
    const stored = Buffer.alloc(4); stored.writeUInt32LE((0x80000000 | 5) >>> 0)
    const frame = Buffer.concat([Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]), stored, Buffer.from('hello'), Buffer.alloc(4)])
    assert.equal(decompressSync(CompressionCodec.LZ4, frame).toString(), 'hello')
  })

  test('malformed frame descriptors are rejected before decoding', () => {
    const good = compressSync(CompressionCodec.LZ4, text)
    const badMagic = Buffer.from(good); badMagic[0] = 0x05
    throwsDecode(() => decompressSync(CompressionCodec.LZ4, badMagic), /magic/)
    const badVersion = Buffer.from(good); badVersion[4] = (badVersion[4]! & 0x3f) | 0x80
    throwsDecode(() => decompressSync(CompressionCodec.LZ4, badVersion), /version/)
    const badBlockSize = Buffer.from(good); badBlockSize[5] = 0x10
    throwsDecode(() => decompressSync(CompressionCodec.LZ4, badBlockSize), /block maximum/)
    throwsDecode(() => decompressSync(CompressionCodec.LZ4, Buffer.alloc(0)), /truncated/)
  })
})
