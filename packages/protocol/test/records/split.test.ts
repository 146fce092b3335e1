import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  CompressionCodec, LENGTH_OFFSET, MAGIC_OFFSET, decodeRecordBatchSync, encodeRecordBatchSync, readBatchHeader, splitBatches
} from '../../src/records/index.js'
import { throwsDecode } from './helpers.js'

const batches = [0, 1, 2].map(i => encodeRecordBatchSync({
  baseOffset: BigInt(i * 10),
  compression: i === 1 ? CompressionCodec.SNAPPY : CompressionCodec.NONE,
  records: Array.from({ length: i + 1 }, (_, j) => ({ key: null, value: Buffer.from(`b${i}r${j}`) }))
}))
const blob = Buffer.concat(batches)

test('splits concatenated batches into views of the input', () => {
  const { batches: out, leftover } = splitBatches(blob)
  assert.equal(out.length, 3)
  assert.equal(leftover.length, 0)
  out.forEach((b, i) => {
    assert.ok(b.equals(batches[i]!))
    assert.equal(b.buffer, blob.buffer, 'no copy')
    assert.equal(readBatchHeader(b).baseOffset, BigInt(i * 10))
    assert.equal(decodeRecordBatchSync(b).records.length, i + 1)
  })
  assert.deepEqual(splitBatches(Buffer.alloc(0)), { batches: [], leftover: Buffer.alloc(0) })
})

test('a truncated tail is returned as leftover, at every cut point', () => {
  const firstTwo = batches[0]!.length + batches[1]!.length
  for (let cut = firstTwo; cut < blob.length; cut++) {
    const { batches: out, leftover } = splitBatches(blob.subarray(0, cut))
    assert.equal(out.length, 2, `cut at ${cut}`)
    assert.equal(leftover.length, cut - firstTwo)
  }
})

test('a bad magic or an impossible length is an error, not a partial batch', () => {
  const badMagic = Buffer.from(blob)
  badMagic[batches[0]!.length + MAGIC_OFFSET] = 1
  throwsDecode(() => splitBatches(badMagic), /magic 1/)
  const badLength = Buffer.from(blob)
  badLength.writeInt32BE(10, LENGTH_OFFSET)
  throwsDecode(() => splitBatches(badLength), /smaller than a batch header/)
})
