import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MessageBuffer, type BufferedBatch } from '../../src/consumer/message-buffer.js'

function batch (partition: number, n: number): BufferedBatch {
  return {
    topic: 't', partition, highWatermark: 0n, epoch: 0,
    messages: Array.from({ length: n }, (_, i) => ({ topic: 't', partition, offset: BigInt(i), timestamp: 0n, key: null, value: null, headers: [] }))
  }
}

test('space() blocks the fetcher while maxRecords wait unread, and frees when the reader takes', async () => {
  const buf = new MessageBuffer(10)
  await buf.space()
  buf.push(batch(0, 6))
  buf.push(batch(0, 6))
  let free = false
  const waiting = buf.space().then(() => { free = true })
  await new Promise(resolve => setImmediate(resolve))
  assert.equal(free, false)
  assert.equal(buf.bufferedRecords, 12)
  await buf.take()
  await waiting
  assert.equal(free, true)
})

test('a waiting reader gets the next batch directly; end() ends readers', async () => {
  const buf = new MessageBuffer(10)
  const r = buf.take()
  buf.push(batch(1, 2))
  assert.equal((await r)!.partition, 1)
  const r2 = buf.take()
  buf.end()
  assert.equal(await r2, undefined)
})

test('drop() removes one partition\'s batches and frees space', async () => {
  const buf = new MessageBuffer(5)
  buf.push(batch(0, 5))
  buf.push(batch(1, 1))
  buf.drop('t', 0)
  assert.equal(buf.bufferedRecords, 1)
  await buf.space()
  assert.equal((await buf.take())!.partition, 1)
})

test('a fetch failure reaches the reader once', async () => {
  const buf = new MessageBuffer(5)
  const r = buf.take()
  buf.fail(new Error('boom'))
  await assert.rejects(r, /boom/)
  buf.fail(new Error('again'))
  await assert.rejects(buf.take(), /again/)
  buf.push(batch(0, 1))
  assert.equal((await buf.take())!.messages.length, 1)
})
