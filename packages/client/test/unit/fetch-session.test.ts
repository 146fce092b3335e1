import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FetchSessionHandler, type WantedPartition } from '../../src/consumer/fetch-session.js'

const p = (partition: number, fetchOffset: bigint): WantedPartition => ({ topic: 't', topicId: 'id', partition, fetchOffset, maxBytes: 100 })

test('the first fetch is full with epoch 0; then only changed partitions go, with increasing epochs', () => {
  const h = new FetchSessionHandler(true)
  const first = h.build([p(0, 0n), p(1, 0n)])
  assert.deepEqual([first.sessionId, first.sessionEpoch, first.partitions.length], [0, 0, 2])
  h.onResponse(0, 77)
  const second = h.build([p(0, 5n), p(1, 0n)])
  assert.deepEqual([second.sessionId, second.sessionEpoch], [77, 1])
  assert.deepEqual(second.partitions.map(x => [x.partition, x.fetchOffset]), [[0, 5n]])
  h.onResponse(0, 77)
  const third = h.build([p(0, 5n), p(1, 0n)])
  assert.deepEqual([third.sessionEpoch, third.partitions.length], [2, 0])
})

test('partitions no longer wanted are forgotten; new ones are added', () => {
  const h = new FetchSessionHandler(true)
  h.build([p(0, 0n), p(1, 0n)])
  h.onResponse(0, 5)
  const r = h.build([p(1, 0n), p(2, 3n)])
  assert.deepEqual(r.partitions.map(x => x.partition), [2])
  assert.deepEqual(r.forgotten.map(x => x.partition), [0])
})

test('a session error or a failed request starts over with a full fetch', () => {
  const h = new FetchSessionHandler(true)
  h.build([p(0, 0n)])
  h.onResponse(0, 5)
  h.build([p(0, 0n)])
  h.onResponse(71, 0) // INVALID_FETCH_SESSION_EPOCH
  const r = h.build([p(0, 1n)])
  assert.deepEqual([r.sessionId, r.sessionEpoch, r.partitions.length], [0, 0, 1])
  h.onResponse(0, 9)
  h.build([p(0, 1n)])
  h.reset()
  assert.deepEqual(h.build([p(0, 1n)]).sessionEpoch, 0)
})

test('a broker without session slots (session id 0) gets full fetches; disabled sessions send epoch -1', () => {
  const h = new FetchSessionHandler(true)
  h.build([p(0, 0n)])
  h.onResponse(0, 0)
  const r = h.build([p(0, 0n)])
  assert.deepEqual([r.sessionId, r.sessionEpoch, r.partitions.length], [0, 0, 1])
  const off = new FetchSessionHandler(false)
  const o = off.build([p(0, 0n)])
  assert.deepEqual([o.sessionId, o.sessionEpoch, o.partitions.length, o.forgotten.length], [0, -1, 1, 0])
})
