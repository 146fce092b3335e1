import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DefaultPartitioner, RoundRobinPartitioner, keyedPartition } from '../../src/index.js'

function seeded (values: number[]): () => number {
  let i = 0
  return () => values[i++ % values.length]!
}

test('default partitioner hashes keyed records and ignores stickiness for them', () => {
  const p = new DefaultPartitioner(100, seeded([0.5]))
  const key = Buffer.from('user-42')
  for (let i = 0; i < 10; i++) assert.equal(p.partition({ topic: 't', key, size: 60, partitionCount: 6 }), keyedPartition(key, 6))
})

test('keyless records stick to one partition until batchSize bytes went there, then move to another', () => {
  const p = new DefaultPartitioner(100, seeded([0.0, 0.99, 0.5]))
  const picks = Array.from({ length: 9 }, () => p.partition({ topic: 't', key: null, size: 40, partitionCount: 4 }))
  // 40 + 40 + 40 >= 100: three records per sticky partition.
  assert.deepEqual(picks.slice(0, 3), [0, 0, 0])
  assert.equal(new Set(picks.slice(3, 6)).size, 1)
  assert.notEqual(picks[3], 0, 'moves to a different partition')
  assert.notEqual(picks[6], picks[3])
})

test('sticky state is per topic, and one partition is always 0', () => {
  const p = new DefaultPartitioner(1000, seeded([0.7]))
  assert.equal(p.partition({ topic: 'a', key: null, size: 10, partitionCount: 1 }), 0)
  const b = p.partition({ topic: 'b', key: null, size: 10, partitionCount: 10 })
  assert.equal(b, 7)
  assert.equal(p.partition({ topic: 'a', key: null, size: 10, partitionCount: 1 }), 0)
})

test('a topic that shrank in metadata (fewer partitions) gets a valid sticky partition', () => {
  const p = new DefaultPartitioner(1000, seeded([0.9]))
  assert.equal(p.partition({ topic: 't', key: null, size: 1, partitionCount: 10 }), 9)
  assert.ok(p.partition({ topic: 't', key: null, size: 1, partitionCount: 3 }) < 3)
})

test('round-robin cycles keyless records', () => {
  const p = new RoundRobinPartitioner()
  assert.deepEqual(Array.from({ length: 5 }, () => p.partition({ topic: 't', key: null, size: 1, partitionCount: 3 })), [0, 1, 2, 0, 1])
})
