import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Writer } from '@tributary/protocol'
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, rangeAssign } from '../../src/index.js'

test('subscription bytes: v0 layout (version, topics, user data) and back', () => {
  const b = encodeSubscription(['a', 'bb'])
  assert.equal(b.toString('hex'), '0000' + '00000002' + '0001' + '61' + '0002' + '6262' + 'ffffffff')
  assert.deepEqual(decodeSubscription(b), { version: 0, topics: ['a', 'bb'], userData: null })
})

test('a newer subscription version (v1+ appends owned partitions) is read by its v0 prefix', () => {
  const w = new Writer(64)
  w.int16(1); w.int32(1); w.string('t'); w.nullableBytes(null)
  w.int32(1); w.string('t'); w.int32(1); w.int32(0) // owned partitions
  assert.deepEqual(decodeSubscription(w.finish()).topics, ['t'])
})

test('assignment bytes round-trip, grouped by topic; empty bytes are an empty assignment', () => {
  const tps = [{ topic: 'a', partition: 0 }, { topic: 'a', partition: 2 }, { topic: 'b', partition: 1 }]
  assert.deepEqual(decodeAssignment(encodeAssignment(tps)), tps)
  assert.deepEqual(decodeAssignment(Buffer.alloc(0)), [])
  assert.throws(() => decodeAssignment(Buffer.from([0, 0, 0, 0, 0, 9])), /bytes|array/)
})

test('range assignor: contiguous ranges per topic, the first members take the remainder', () => {
  const plan = rangeAssign([
    { memberId: 'm2', topics: ['t'] },
    { memberId: 'm1', topics: ['t', 'u'] },
    { memberId: 'm3', topics: ['t'] }
  ], new Map([['t', 7], ['u', 2]]))
  const fmt = (id: string): string[] => plan.get(id)!.map(tp => `${tp.topic}${tp.partition}`)
  assert.deepEqual(fmt('m1'), ['t0', 't1', 't2', 'u0', 'u1'])
  assert.deepEqual(fmt('m2'), ['t3', 't4'])
  assert.deepEqual(fmt('m3'), ['t5', 't6'])
})

test('range assignor: more members than partitions leaves some empty; unknown topics give nothing', () => {
  const plan = rangeAssign([{ memberId: 'a', topics: ['t', 'gone'] }, { memberId: 'b', topics: ['t'] }, { memberId: 'c', topics: ['t'] }], new Map([['t', 2]]))
  assert.deepEqual([...plan.values()].map(v => v.length), [1, 1, 0])
})
