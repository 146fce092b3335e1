import { createRequire } from 'node:module'

// @node-rs/crc32 is a CommonJS package with a native addon behind it; loading
// it through createRequire keeps us independent of how well Node's ESM loader
// detects the named exports of that particular build.
const require = createRequire(import.meta.url)
const native = require('@node-rs/crc32') as typeof import('@node-rs/crc32')

/**
 * CRC-32C (Castagnoli), the checksum of the v2 record batch format (KIP-98).
 * `initial` continues a running checksum, so that
 * `crc32c(b, crc32c(a)) === crc32c(concat(a, b))`.
 * The native implementation uses the SSE 4.2 / ARMv8 CRC instructions.
 */
export function crc32c (data: Uint8Array, initial = 0): number {
  return native.crc32c(data, initial) >>> 0
}
