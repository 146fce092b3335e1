import assert from 'node:assert/strict'
import { test } from 'node:test'
import { crc32c } from '../../src/records/index.js'

test('crc32c matches the standard check value and known vectors', () => {
  // CRC-32C check value (RFC 3720 appendix B.4 / the Castagnoli catalogue entry).
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283)
  assert.equal(crc32c(Buffer.alloc(0)), 0)
  // iSCSI test vectors: 32 bytes of zeros and of 0xff.
  assert.equal(crc32c(Buffer.alloc(32, 0x00)), 0x8a9136aa)
  assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43)
})

test('crc32c continues a running checksum and accepts plain Uint8Array views', () => {
  const all = Buffer.from('the quick brown fox jumps over the lazy dog')
  const a = all.subarray(0, 10)
  const b = all.subarray(10)
  assert.equal(crc32c(b, crc32c(a)), crc32c(all))
  const view = new Uint8Array(all.buffer, all.byteOffset + 4, 9)
  assert.equal(crc32c(view), crc32c(Buffer.from(all.subarray(4, 13))))
  assert.ok(crc32c(all) >= 0, 'result is unsigned')
})
