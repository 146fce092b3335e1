import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RecordAccumulator, recordSize, type AccumulatedRecord } from '../../src/producer/accumulator.js'
import { FakeClock } from './fake-clock.js'

function rec (value: string): AccumulatedRecord {
  return { key: null, value: Buffer.from(value), headers: [], timestamp: 0n }
}

function setup (batchSize: number, lingerMs: number): { clock: FakeClock, acc: RecordAccumulator } {
  const clock = new FakeClock()
  return { clock, acc: new RecordAccumulator({ batchSize, lingerMs, clock }) }
}

test('a batch that is not full waits for linger.ms, then is ready', () => {
  const { clock, acc } = setup(1000, 50)
  void acc.append('t', 0, rec('a'))
  void acc.append('t', 0, rec('b'))
  assert.deepEqual(acc.drain(), [])
  assert.equal(acc.nextReadyInMs(), 50)
  clock.advance(49)
  assert.deepEqual(acc.drain(), [])
  assert.equal(acc.nextReadyInMs(), 1)
  clock.advance(1)
  const [b] = acc.drain()
  assert.equal(b!.records.length, 2)
})

test('a full batch is ready at once, and records past batch.size start the next batch', () => {
  const size = recordSize(rec('x'.repeat(10)))
  const { acc } = setup(size * 3, 10_000)
  for (let i = 0; i < 7; i++) void acc.append('t', 0, rec('x'.repeat(10)))
  const first = acc.drain()
  assert.equal(first.length, 1)
  assert.equal(first[0]!.records.length, 3)
  // One batch per partition in flight: the second full batch waits for the first.
  assert.deepEqual(acc.drain(), [])
  acc.complete(first[0]!)
  // What waited behind the in-flight batch leaves merged (up to maxRequestSize): the full batch and the open one.
  const second = acc.drain()
  assert.equal(second[0]!.records.length, 4)
  acc.complete(second[0]!)
  assert.deepEqual(acc.drain(), [])
})

test('a backlog merges only up to maxRequestSize, and never into a batch that was already sent', () => {
  const size = recordSize(rec('x'.repeat(10)))
  const clock = new FakeClock()
  const acc = new RecordAccumulator({ batchSize: size, lingerMs: 0, maxRequestSize: size * 3, clock })
  for (let i = 0; i < 6; i++) void acc.append('t', 0, rec('x'.repeat(10)))
  const [first] = acc.drain()
  assert.equal(first!.records.length, 1)
  acc.complete(first!)
  const [merged] = acc.drain()
  assert.equal(merged!.records.length, 3)
  // A failed send comes back alone: its bytes and sequence numbers are fixed.
  merged!.encoded = Buffer.alloc(1)
  acc.requeue(merged!, 0)
  const [again] = acc.drain()
  assert.equal(again, merged)
  assert.equal(again!.records.length, 3)
  acc.complete(again!)
  assert.equal(acc.drain()[0]!.records.length, 2)
})

test('a record larger than batch.size gets a batch of its own', () => {
  const { acc } = setup(10, 10_000)
  void acc.append('t', 0, rec('x'.repeat(100)))
  const [b] = acc.drain()
  assert.equal(b!.records.length, 1)
})

test('partitions batch independently', () => {
  const { clock, acc } = setup(1000, 5)
  void acc.append('t', 0, rec('a'))
  void acc.append('t', 1, rec('b'))
  void acc.append('u', 0, rec('c'))
  clock.advance(5)
  assert.deepEqual(acc.drain().map(b => `${b.topic}-${b.partition}`).sort(), ['t-0', 't-1', 'u-0'])
})

test('flush makes lingering batches ready', () => {
  const { acc } = setup(1000, 60_000)
  void acc.append('t', 0, rec('a'))
  assert.deepEqual(acc.drain(), [])
  acc.beginFlush()
  assert.equal(acc.drain().length, 1)
  acc.endFlush()
})

test('a requeued batch keeps its place at the head, waits out its backoff, and keeps its records', async () => {
  const { clock, acc } = setup(1000, 0)
  const p1 = acc.append('t', 0, rec('a'))
  const [b] = acc.drain()
  void acc.append('t', 0, rec('b'))
  acc.requeue(b!, 100)
  assert.deepEqual(acc.drain(), [])
  assert.equal(acc.nextReadyInMs(), 100)
  clock.advance(100)
  const [again] = acc.drain()
  assert.equal(again, b)
  again!.resolve(10n, -1n)
  const m = await p1
  assert.deepEqual([m.partition, m.offset], [0, 10n])
})

test('batches past the delivery timeout are expired; abort rejects the rest', async () => {
  const { clock, acc } = setup(1000, 60_000)
  const p = acc.append('t', 0, rec('a'))
  clock.advance(1000)
  const expired = acc.expire(1000)
  assert.equal(expired.length, 1)
  expired[0]!.reject(new Error('expired'))
  await assert.rejects(p, /expired/)
  const q = acc.append('t', 0, rec('b'))
  acc.abort(new Error('closed'))
  await assert.rejects(q, /closed/)
  assert.equal(acc.isEmpty, true)
})
