/*
 * The 32-bit MurmurHash2 as the Java client computes it for keyed records
 * (Kafka's Utils.murmur2: seed 0x9747b28c, little-endian 4-byte blocks, a
 * tail of 1-3 bytes, then the final mix). Written from the algorithm's
 * description; the Java-compatible results are checked in
 * test/unit/murmur2.test.ts against hashes the Java client produces.
 * Math.imul keeps the multiplications in 32-bit two's complement, as Java's
 * int arithmetic does.
 */
const SEED = 0x9747b28c
const M = 0x5bd1e995

export function murmur2 (data: Uint8Array): number {
  const length = data.length
  let h = (SEED ^ length) | 0
  const blocks = length >>> 2
  for (let i = 0; i < blocks; i++) {
    const o = i << 2
    let k = data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16) | (data[o + 3]! << 24)
    k = Math.imul(k, M)
    k ^= k >>> 24
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }
  const tail = blocks << 2
  // The 1-3 trailing bytes, highest first (the Java code's fall-through switch).
  const rest = length & 3
  if (rest === 3) h ^= data[tail + 2]! << 16
  if (rest >= 2) h ^= data[tail + 1]! << 8
  if (rest >= 1) {
    h ^= data[tail]!
    h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/** Kafka's Utils.toPositive: clears the sign bit (not Math.abs, which overflows for MIN_VALUE). */
export function toPositive (n: number): number {
  return n & 0x7fffffff
}
