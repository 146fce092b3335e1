import assert from 'node:assert/strict'
import { ProtocolDecodeError } from '../../src/primitives/errors.js'
import { CompressionCodec } from '../../src/records/index.js'

export const ALL_CODECS: readonly CompressionCodec[] = [
  CompressionCodec.NONE, CompressionCodec.GZIP, CompressionCodec.SNAPPY, CompressionCodec.LZ4, CompressionCodec.ZSTD
]

/** Asserts that `fn` throws a ProtocolDecodeError (and nothing else). */
export function throwsDecode (fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ProtocolDecodeError, `expected ProtocolDecodeError, got ${String(err)}`)
    if (message !== undefined) assert.match(err.message, message)
    return true
  })
}

export async function rejectsDecode (fn: () => Promise<unknown>, message?: RegExp): Promise<void> {
  await assert.rejects(fn, (err: unknown) => {
    assert.ok(err instanceof ProtocolDecodeError, `expected ProtocolDecodeError, got ${String(err)}`)
    if (message !== undefined) assert.match(err.message, message)
    return true
  })
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function pseudoRandomBytes (n: number, seed = 0x9e3779b9): Buffer {
  const b = Buffer.allocUnsafe(n)
  let x = seed >>> 0 || 1
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    b[i] = x & 0xff
  }
  return b
}
