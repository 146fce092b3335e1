// The key partitioning of Kafka's Java producer, written from the
// algorithm's published facts, as the reference the compatibility suite
// checks real clients against: MurmurHash2 (32-bit, Austin Appleby) with
// Kafka's seed 0x9747b28c over the serialized key, made non-negative by
// masking the sign bit (not Math.abs), modulo the partition count.

const SEED = 0x9747b28c
const M = 0x5bd1e995
const R = 24

/** MurmurHash2 of the bytes as a signed 32-bit integer, as Java's Utils.murmur2 returns it. */
export function murmur2 (data: Uint8Array): number {
  const length = data.length
  let h = (SEED ^ length) | 0
  const whole = length & ~3
  for (let i = 0; i < whole; i += 4) {
    // Four bytes, little-endian.
    let k = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) | 0
    k = Math.imul(k, M)
    k ^= k >>> R
    k = Math.imul(k, M)
    h = Math.imul(h, M)
    h ^= k
  }
  // The 1 to 3 remaining bytes, then one more multiplication.
  const tail = length & 3
  if (tail >= 3) h ^= data[whole + 2]! << 16
  if (tail >= 2) h ^= data[whole + 1]! << 8
  if (tail >= 1) {
    h ^= data[whole]!
    h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/** The partition Java's default partitioner picks for a non-null key. */
export function javaPartition (key: Uint8Array | string, partitions: number): number {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key
  return (murmur2(bytes) & 0x7fffffff) % partitions
}
