import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CompressionCodec, encodeControlBatch, encodeRecordBatch } from '@tributary/protocol'
import { decodeFetchedRecords } from '../../src/consumer/fetch-decoder.js'

const v = (s: string): Buffer => Buffer.from(s)

async function data (): Promise<Buffer> {
  return Buffer.concat([
    await encodeRecordBatch({ baseOffset: 0n, compression: CompressionCodec.GZIP, records: [{ key: null, value: v('a') }, { key: null, value: v('b') }, { key: null, value: v('c') }] }),
    // A transaction of producer 9 (offsets 3-4), then its abort marker at 5.
    await encodeRecordBatch({ baseOffset: 3n, transactional: true, producerId: 9n, producerEpoch: 0, baseSequence: 0, records: [{ key: null, value: v('aborted1') }, { key: null, value: v('aborted2') }] }),
    encodeControlBatch({ baseOffset: 5n, producerId: 9n, producerEpoch: 0, commit: false, coordinatorEpoch: 0, timestamp: 0n }),
    await encodeRecordBatch({ baseOffset: 6n, records: [{ key: null, value: v('d') }] })
  ])
}

test('records before the fetch offset inside a compressed batch are dropped; control batches never show', async () => {
  const d = await decodeFetchedRecords(await data(), { topic: 't', partition: 0, fetchOffset: 1n, readCommitted: false, abortedTransactions: null })
  assert.deepEqual(d.messages.map(m => [m.offset, m.value!.toString()]), [[1n, 'b'], [2n, 'c'], [3n, 'aborted1'], [4n, 'aborted2'], [6n, 'd']])
  assert.equal(d.nextOffset, 7n)
})

test('read_committed skips the batches of aborted transactions', async () => {
  const d = await decodeFetchedRecords(await data(), { topic: 't', partition: 0, fetchOffset: 0n, readCommitted: true, abortedTransactions: [{ producerId: 9n, firstOffset: 3n }] })
  assert.deepEqual(d.messages.map(m => m.value!.toString()), ['a', 'b', 'c', 'd'])
})

test('a batch cut short at the end of the response is left for the next fetch', async () => {
  const all = await data()
  const d = await decodeFetchedRecords(all.subarray(0, all.length - 5), { topic: 't', partition: 0, fetchOffset: 0n, readCommitted: false, abortedTransactions: null })
  assert.equal(d.nextOffset, 6n)
  assert.equal(d.messages.at(-1)!.offset, 4n)
})

test('empty and null record sets give nothing', async () => {
  assert.deepEqual(await decodeFetchedRecords(null, { topic: 't', partition: 0, fetchOffset: 0n, readCommitted: false, abortedTransactions: null }), { messages: [], nextOffset: undefined })
})
