import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ClientStateError } from '../../src/index.js'
import { ProducerIdState, resolveIdempotence } from '../../src/producer/idempotence.js'

test('idempotence is on by default when the broker serves InitProducerId and acks=-1', () => {
  assert.equal(resolveIdempotence(undefined, -1, true), true)
})

test('left unset, it is silently off without InitProducerId or with acks 0/1 (as the Java client)', () => {
  assert.equal(resolveIdempotence(undefined, -1, false), false)
  assert.equal(resolveIdempotence(undefined, 1, true), false)
  assert.equal(resolveIdempotence(undefined, 0, true), false)
  assert.equal(resolveIdempotence(false, -1, true), false)
})

test('asked for explicitly, it is an error where it cannot work', () => {
  assert.throws(() => resolveIdempotence(true, -1, false), (e: unknown) => e instanceof ClientStateError && /does not serve InitProducerId/.test(e.message))
  assert.throws(() => resolveIdempotence(true, 1, true), /needs acks=-1/)
})

test('sequence numbers run per partition and wrap at int32 max', () => {
  const s = new ProducerIdState(7n, 0)
  assert.equal(s.take('t', 0, 5), 0)
  assert.equal(s.take('t', 0, 3), 5)
  assert.equal(s.take('t', 1, 2), 0)
  assert.equal(s.take('u', 0, 1), 0)
  const w = new ProducerIdState(1n, 0)
  w.take('t', 0, 0x7ffffffe)
  assert.equal(w.take('t', 0, 3), 0x7ffffffe)
  assert.equal(w.take('t', 0, 1), 1)
})
