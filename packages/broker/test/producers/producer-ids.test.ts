import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ProducerIdBlock } from '@tributary/metadata'
import { ProducerIdManager } from '../../src/producers/producer-ids.js'

/** A metadata store stand-in that hands out consecutive blocks and records the calls. */
function fakeStore (opts: { failFirst?: boolean } = {}) {
  let next = 0n
  const calls: number[] = []
  let fail = opts.failFirst === true
  return {
    calls,
    allocateProducerIds: async (count: number): Promise<ProducerIdBlock> => {
      calls.push(count)
      await new Promise(resolve => setImmediate(resolve))
      if (fail) { fail = false; throw new Error('store unavailable') }
      const block = { firstId: next, count }
      next += BigInt(count)
      return block
    }
  }
}

test('ids come from consecutive blocks, each id once, also under concurrent requests', async () => {
  const store = fakeStore()
  const ids = new ProducerIdManager(store, 10)
  const got = await Promise.all(Array.from({ length: 35 }, async () => await ids.generate()))
  assert.deepEqual([...got].sort((a, b) => Number(a - b)), Array.from({ length: 35 }, (_, i) => BigInt(i)))
  assert.ok(store.calls.length >= 4 && store.calls.every(c => c === 10))
})

test('the next block is fetched before the current one runs out', async () => {
  const store = fakeStore()
  const ids = new ProducerIdManager(store, 10)
  for (let i = 0; i < 9; i++) await ids.generate()
  assert.equal(store.calls.length, 2, 'the 9th id of 10 starts the prefetch')
  await new Promise(resolve => setImmediate(resolve))
  assert.equal(await ids.generate(), 9n)
  assert.equal(await ids.generate(), 10n)
  assert.equal(store.calls.length, 2)
})

test('a failed allocation fails the request, and the next one tries again', async () => {
  const ids = new ProducerIdManager(fakeStore({ failFirst: true }), 10)
  await assert.rejects(ids.generate(), /store unavailable/)
  assert.equal(await ids.generate(), 0n)
})
