import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@tributary/protocol'
import { ConnectionError, KafkaError, RetriesExhaustedError, backoffMs, withRetry } from '../../src/index.js'
import { FakeClock } from './fake-clock.js'

test('backoff doubles from the initial value up to the cap', () => {
  const mid = (): number => 0.5 // no jitter
  assert.deepEqual([0, 1, 2, 3, 4, 5].map(a => backoffMs(a, { initialBackoffMs: 100, maxBackoffMs: 1000 }, mid)), [100, 200, 400, 800, 1000, 1000])
})

test('jitter stays within ±20% by default', () => {
  assert.equal(backoffMs(0, { initialBackoffMs: 100 }, () => 0), 80)
  assert.equal(backoffMs(0, { initialBackoffMs: 100 }, () => 1), 120)
  assert.equal(backoffMs(3, { initialBackoffMs: 100, jitter: 0 }, () => 0), 800)
})

test('retriable errors are retried with growing waits until success', async () => {
  const clock = new FakeClock()
  let calls = 0
  const v = await withRetry(async () => {
    calls++
    if (calls < 4) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER)
    return 'ok'
  }, { what: 'x', clock, random: () => 0.5 })
  assert.equal(v, 'ok')
  assert.equal(calls, 4)
  assert.deepEqual(clock.sleeps, [100, 200, 400])
})

test('onRetry runs before each retry (the metadata refresh hook)', async () => {
  const clock = new FakeClock()
  const seen: string[] = []
  let calls = 0
  await withRetry(async () => { if (calls++ === 0) throw new ConnectionError('down') }, {
    what: 'x', clock, onRetry: err => { seen.push((err as Error).name) }
  })
  assert.deepEqual(seen, ['ConnectionError'])
})

test('a non-retriable error is thrown at once, as is', async () => {
  const clock = new FakeClock()
  let calls = 0
  await assert.rejects(withRetry(async () => { calls++; throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS) }, { what: 'x', clock }),
    (e: unknown) => e instanceof KafkaError && e.name === 'TOPIC_ALREADY_EXISTS' && e.code === 36 && !e.retriable)
  assert.equal(calls, 1)
  assert.deepEqual(clock.sleeps, [])
})

test('the total timeout bounds the retries; the last error is the cause', async () => {
  const clock = new FakeClock()
  let calls = 0
  const err = await withRetry(async () => { calls++; throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE) }, {
    what: 'produce', clock, random: () => 0.5, totalTimeoutMs: 1000, maxBackoffMs: 1000
  }).catch((e: unknown) => e)
  assert.ok(err instanceof RetriesExhaustedError)
  assert.ok(err.cause instanceof KafkaError && err.cause.name === 'LEADER_NOT_AVAILABLE')
  // 100 + 200 + 400 = 700 < 1000; the next wait (800) would pass the deadline.
  assert.deepEqual(clock.sleeps, [100, 200, 400])
  assert.equal(calls, 4)
  assert.match(err.message, /produce failed after 4 attempts; last error LEADER_NOT_AVAILABLE/)
})

test('a retry count bounds the attempts too', async () => {
  const clock = new FakeClock()
  let calls = 0
  await assert.rejects(withRetry(async () => { calls++; throw new ConnectionError('x') }, { what: 'x', clock, retries: 2 }), RetriesExhaustedError)
  assert.equal(calls, 3)
})
