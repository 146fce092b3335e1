import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { OffsetMap, VERBATIM_KEY_BYTES, buildOffsetMap } from '../../src/cleaner/index.js'
import { batch, marker } from './helpers.js'

describe('OffsetMap', () => {
  test('stores the latest offset per key, -1 for unknown keys', () => {
    const m = new OffsetMap({ baseOffset: 100n })
    m.put(Buffer.from('a'), 100n)
    m.put(Buffer.from('b'), 105n)
    m.put(Buffer.from('a'), 107n)
    assert.equal(m.get(Buffer.from('a')), 107n)
    assert.equal(m.get(Buffer.from('b')), 105n)
    assert.equal(m.get(Buffer.from('c')), -1n)
    assert.equal(m.size, 2)
    assert.throws(() => m.put(Buffer.from('a'), 99n), RangeError)
  })

  test('long keys are told apart by digest, short keys verbatim, and the two never collide', () => {
    const m = new OffsetMap({ baseOffset: 0n })
    const long1 = Buffer.alloc(VERBATIM_KEY_BYTES + 10, 1)
    const long2 = Buffer.from(long1)
    long2[long2.length - 1] = 2
    m.put(long1, 1n)
    m.put(long2, 2n)
    m.put(Buffer.alloc(0), 3n)
    assert.equal(m.get(Buffer.from(long1)), 1n)
    assert.equal(m.get(long2), 2n)
    assert.equal(m.get(Buffer.alloc(0)), 3n, 'the empty key is a key')
    assert.equal(m.size, 3)
  })

  test('reports full once its memory estimate reaches the bound', () => {
    const m = new OffsetMap({ baseOffset: 0n, maxBytes: 1000 })
    let i = 0
    while (!m.full) m.put(Buffer.from(`key-${i}`), BigInt(i++))
    assert.ok(i > 5 && i < 20, `filled after ${i} keys`)
    assert.ok(m.utilization() >= 1)
  })
})

describe('buildOffsetMap', () => {
  test('maps keys from the start offset on, skipping aborted transactions, and covers the last batch', () => {
    const batches = [
      batch(0n, [{ key: 'a', value: '1' }, { key: 'b', value: '1' }]),
      batch(2n, [{ key: 'a', value: '2' }], { producerId: 3n, producerEpoch: 0, baseSequence: 0, transactional: true }),
      marker(3n, 3n, false),
      batch(4n, [{ key: null, value: 'x' }, { key: 'c', value: '1' }])
    ]
    const m = buildOffsetMap(batches, { startOffset: 1n, abortedTxns: [{ producerId: 3n, firstOffset: 2n, lastOffset: 3n }] })
    assert.equal(m.get(Buffer.from('a')), -1n, 'offset 0 is below the start, offset 2 is aborted')
    assert.equal(m.get(Buffer.from('b')), 1n)
    assert.equal(m.get(Buffer.from('c')), 5n)
    assert.equal(m.latestOffset, 5n)
  })

  test('stops after the batch that fills it', () => {
    const batches = Array.from({ length: 10 }, (_, i) => batch(BigInt(i * 10), Array.from({ length: 10 }, (_, j) => ({ key: `k${i}-${j}`, value: 'v' }))))
    const m = buildOffsetMap(batches, { startOffset: 0n, maxBytes: 2000 })
    assert.equal(m.latestOffset % 10n, 9n, 'ends at a batch boundary')
    assert.ok(m.latestOffset < 99n)
    assert.equal(BigInt(m.size), m.latestOffset + 1n)
  })
})
