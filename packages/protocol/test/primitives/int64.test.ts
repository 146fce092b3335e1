import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { readInt64BE, writeInt64BE } from '../../src/primitives/int64.js'

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const SAFE = 2n ** 53n
// The edges of the Number path (±(2^53 - 1)) and of the fallback, and the int64 limits.
const EDGES = [0n, 1n, -1n, SAFE - 1n, SAFE, SAFE + 1n, -SAFE + 1n, -SAFE, -SAFE - 1n, 2n ** 32n - 1n, 2n ** 32n, -(2n ** 32n), INT64_MIN, INT64_MAX, 1700000000123n]
// Values anywhere in int64, and values clustered near the Number path's edges.
const int64 = fc.oneof(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), fc.bigInt({ min: -SAFE - 4096n, max: -SAFE + 4096n }), fc.bigInt({ min: SAFE - 4096n, max: SAFE + 4096n }))

describe('int64 big-endian helpers', () => {
  it('read what Buffer writes, at any position', () => {
    const check = (v: bigint, at: number): void => {
      const buf = Buffer.alloc(at + 8 + 3, 0xa5)
      buf.writeBigInt64BE(v, at)
      assert.equal(readInt64BE(buf, at), v)
    }
    for (const v of EDGES) check(v, 5)
    fc.assert(fc.property(int64, fc.nat(40), (v, at) => check(v, at)), { numRuns: 2000 })
  })

  it('write exactly the bytes Buffer writes, and nothing around them', () => {
    const check = (v: bigint, at: number): void => {
      const mine = Buffer.alloc(at + 8 + 3, 0xa5)
      const theirs = Buffer.alloc(at + 8 + 3, 0xa5)
      writeInt64BE(mine, at, v)
      theirs.writeBigInt64BE(v, at)
      assert.deepEqual(mine, theirs)
    }
    for (const v of EDGES) check(v, 0)
    fc.assert(fc.property(int64, fc.nat(40), (v, at) => check(v, at)), { numRuns: 2000 })
  })

  it('refuse positions outside the buffer and values Buffer refuses', () => {
    const buf = Buffer.alloc(16)
    assert.throws(() => readInt64BE(buf, 9), RangeError)
    assert.throws(() => readInt64BE(buf, -1), RangeError)
    assert.throws(() => writeInt64BE(buf, 9, 1n), RangeError)
    assert.throws(() => writeInt64BE(buf, 0, INT64_MAX + 1n), RangeError)
    assert.throws(() => writeInt64BE(buf, 0, 5 as unknown as bigint), TypeError)
    assert.deepEqual(buf, Buffer.alloc(16))
  })
})
