import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Partitioners } from 'kafkajs'
import { keyedPartition, murmur2, toPositive } from '../../src/index.js'

// Hashes the Java client's Utils.murmur2 gives for these UTF-8 keys
// (published as expected values by projects that match Kafka's partitioning).
const JAVA_FACTS: Array<[string, number]> = [
  ['0', 971027396],
  ['1', -1993445489],
  ['12', 126087238],
  ['123', -267702483],
  ['1234', -1614185708],
  ['12345', -1188365604]
]

test('murmur2 matches the Java client on known keys (every tail length 0-3)', () => {
  for (const [key, hash] of JAVA_FACTS) assert.equal(murmur2(Buffer.from(key)), hash, key)
})

test('toPositive clears the sign bit like Utils.toPositive, also for int32 min', () => {
  assert.equal(toPositive(-1993445489), -1993445489 & 0x7fffffff)
  assert.equal(toPositive(-2147483648), 0)
  assert.equal(toPositive(5), 5)
})

test('keyed partition = toPositive(murmur2(key)) % n, the same as kafkajs Java-compatible partitioner for 2000 keys', () => {
  const kjs = Partitioners.DefaultPartitioner()
  for (const n of [1, 3, 7, 12]) {
    const partitionMetadata = Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }))
    for (let i = 0; i < 500; i++) {
      const key = `key-${i}-${'x'.repeat(i % 5)}`
      const theirs = kjs({ topic: 't', partitionMetadata, message: { key, value: 'v' } })
      assert.equal(keyedPartition(Buffer.from(key), n), theirs, `${key} over ${n}`)
    }
  }
})

test('murmur2 of the empty key and of binary keys is stable and 32-bit', () => {
  const h = murmur2(Buffer.alloc(0))
  assert.equal(h, murmur2(new Uint8Array(0)))
  const bin = murmur2(Buffer.from([0xff, 0x80, 0x00, 0x7f, 0x01]))
  assert.ok(Number.isInteger(bin) && bin >= -2147483648 && bin <= 2147483647)
})
