import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  FrameDecoder,
  FrameTooLargeError,
  InvalidFrameSizeError,
  encodeFrame,
  frameHeader
} from '../src/framing.js'
import { ProtocolEncodeError, ProtocolError } from '../src/primitives/errors.js'

function payload (size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i++) b[i] = (seed * 31 + i * 7) & 0xff
  return b
}

/** True when `view` lies inside the memory of `chunk` (Buffers may share a pool). */
function isViewOf (view: Buffer, chunk: Buffer): boolean {
  return view.buffer === chunk.buffer &&
    view.byteOffset >= chunk.byteOffset &&
    view.byteOffset + view.length <= chunk.byteOffset + chunk.length
}

function stream (payloads: Buffer[]): Buffer {
  return Buffer.concat(payloads.map(p => encodeFrame(p)))
}

/** Decodes `wire` pushed in pieces cut at the given ascending positions. */
function decodeCut (wire: Buffer, cuts: number[], maxFrameSize?: number): Buffer[] {
  const decoder = new FrameDecoder(maxFrameSize === undefined ? {} : { maxFrameSize })
  const out: Buffer[] = []
  let start = 0
  for (const cut of [...cuts, wire.length]) {
    out.push(...decoder.decode(wire.subarray(start, cut)))
    start = cut
  }
  assert.equal(decoder.partialBytes, 0)
  return out
}

// Sizes chosen so that cuts land inside prefixes, inside bodies, on frame
// boundaries and next to zero-length frames.
const SAMPLE = [payload(5, 1), payload(0, 2), payload(1, 3), payload(300, 4), payload(0, 5), payload(17, 6)]

describe('FrameDecoder', () => {
  it('decodes a stream cut at every byte position', () => {
    const wire = stream(SAMPLE)
    for (let cut = 0; cut <= wire.length; cut++) {
      assert.deepEqual(decodeCut(wire, [cut]), SAMPLE, `cut at ${cut}`)
    }
  })

  it('decodes a stream cut at every pair of positions', () => {
    const frames = [payload(3, 7), payload(0, 8), payload(9, 9), payload(2, 10)]
    const wire = stream(frames)
    for (let a = 0; a <= wire.length; a++) {
      for (let b = a; b <= wire.length; b++) {
        assert.deepEqual(decodeCut(wire, [a, b]), frames, `cuts at ${a}, ${b}`)
      }
    }
  })

  it('decodes a stream fed one byte at a time', () => {
    const wire = stream(SAMPLE)
    const cuts = Array.from({ length: wire.length }, (_, i) => i)
    assert.deepEqual(decodeCut(wire, cuts), SAMPLE)
  })

  it('returns many frames from one chunk as views of that chunk', () => {
    const frames = Array.from({ length: 1000 }, (_, i) => payload(i % 13, i))
    const wire = stream(frames)
    const decoder = new FrameDecoder()
    decoder.push(wire)
    assert.equal(decoder.readyCount, 1000)
    for (let i = 0; i < 1000; i++) {
      const frame = decoder.next()
      assert.ok(frame !== undefined)
      assert.deepEqual(frame, frames[i])
      if (frame.length > 0) assert.ok(isViewOf(frame, wire), `frame ${i} was copied`)
    }
    assert.equal(decoder.next(), undefined)
    assert.equal(decoder.readyCount, 0)
  })

  it('copies a frame that spans chunks once, into its own buffer', () => {
    const body = payload(100, 11)
    const wire = encodeFrame(body)
    const decoder = new FrameDecoder()
    const pieces = [wire.subarray(0, 2), wire.subarray(2, 30), wire.subarray(30, 70), wire.subarray(70)]
    const frames = pieces.flatMap(p => decoder.decode(p))
    assert.equal(frames.length, 1)
    assert.deepEqual(frames[0], body)
    // The frame owns its bytes: changing the chunks later does not change it.
    wire.fill(0)
    assert.deepEqual(frames[0], body)
  })

  it('does not copy a frame whose prefix spans chunks but whose body does not', () => {
    const body = payload(50, 12)
    const wire = encodeFrame(body)
    const decoder = new FrameDecoder()
    decoder.push(wire.subarray(0, 3))
    const tail = Buffer.from(wire.subarray(3))
    const [frame] = decoder.decode(tail)
    assert.deepEqual(frame, body)
    assert.ok(frame !== undefined && isViewOf(frame, tail))
  })

  it('gives identical frames for random chunkings', () => {
    fc.assert(fc.property(
      fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }),
      fc.array(fc.nat(), { maxLength: 30 }),
      (bodies, rawCuts) => {
        const expected = bodies.map(b => Buffer.from(b))
        const wire = stream(expected)
        const cuts = [...new Set(rawCuts.map(c => c % (wire.length + 1)))].sort((x, y) => x - y)
        assert.deepEqual(decodeCut(wire, cuts), expected)
      }
    ), { numRuns: 500 })
  })

  it('decodes consecutive zero-length frames', () => {
    const decoder = new FrameDecoder({ maxFrameSize: 0 })
    const frames = decoder.decode(Buffer.concat([frameHeader(0), frameHeader(0), frameHeader(0)]))
    assert.equal(frames.length, 3)
    for (const f of frames) assert.equal(f.length, 0)
  })

  it('accepts a frame of exactly maxFrameSize', () => {
    const body = payload(64, 13)
    assert.deepEqual(decodeCut(encodeFrame(body), [10], 64), [body])
  })

  it('rejects an oversized prefix before any body byte arrives', () => {
    const decoder = new FrameDecoder({ maxFrameSize: 1024 })
    // The prefix alone, cut in two: the error comes with the fourth byte.
    decoder.push(frameHeader(1025).subarray(0, 2))
    assert.throws(() => decoder.push(frameHeader(1025).subarray(2)), (err: unknown) => {
      assert.ok(err instanceof FrameTooLargeError)
      assert.ok(err instanceof ProtocolError)
      assert.equal(err.code, 'TRIB_PROTOCOL_FRAME_TOO_LARGE')
      assert.equal(err.size, 1025)
      assert.equal(err.maxFrameSize, 1024)
      return true
    })
    assert.equal(decoder.partialBytes, 0, 'nothing of the body is held')
    // Poisoned: the stream is out of sync.
    assert.throws(() => decoder.push(Buffer.alloc(10)), FrameTooLargeError)
  })

  it('rejects a huge declared size without allocating it', () => {
    const decoder = new FrameDecoder()
    assert.throws(() => decoder.push(frameHeader(0x7fffffff)), FrameTooLargeError)
  })

  it('keeps frames completed before a bad prefix in the same chunk', () => {
    const good = payload(8, 14)
    const bad = Buffer.alloc(4)
    bad.writeInt32BE(-1, 0)
    const decoder = new FrameDecoder()
    assert.throws(() => decoder.push(Buffer.concat([encodeFrame(good), bad, Buffer.alloc(100)])), InvalidFrameSizeError)
    assert.deepEqual(decoder.next(), good)
  })

  it('rejects negative sizes', () => {
    for (const size of [-1, -2147483648]) {
      const prefix = Buffer.alloc(4)
      prefix.writeInt32BE(size, 0)
      const decoder = new FrameDecoder()
      assert.throws(() => decoder.push(prefix), (err: unknown) => {
        assert.ok(err instanceof InvalidFrameSizeError)
        assert.equal(err.code, 'TRIB_PROTOCOL_INVALID_FRAME_SIZE')
        assert.equal(err.size, size)
        return true
      })
    }
  })

  it('reports a truncated frame through partialBytes', () => {
    const decoder = new FrameDecoder()
    decoder.push(encodeFrame(payload(10, 15)).subarray(0, 7))
    assert.equal(decoder.partialBytes, 7)
    decoder.reset()
    assert.equal(decoder.partialBytes, 0)
  })

  it('validates maxFrameSize', () => {
    assert.throws(() => new FrameDecoder({ maxFrameSize: -1 }), RangeError)
    assert.throws(() => new FrameDecoder({ maxFrameSize: 2 ** 31 }), RangeError)
  })
})

describe('frame encoding', () => {
  it('writes a big-endian int32 prefix', () => {
    assert.deepEqual(frameHeader(0x01020304), Buffer.from([1, 2, 3, 4]))
    assert.deepEqual(encodeFrame(Buffer.from([9, 8])), Buffer.from([0, 0, 0, 2, 9, 8]))
    assert.deepEqual(encodeFrame(new Uint8Array(0)), Buffer.from([0, 0, 0, 0]))
  })

  it('rejects sizes that do not fit an int32', () => {
    assert.throws(() => frameHeader(-1), ProtocolEncodeError)
    assert.throws(() => frameHeader(2 ** 31), ProtocolEncodeError)
    assert.throws(() => frameHeader(1.5), ProtocolEncodeError)
  })
})
