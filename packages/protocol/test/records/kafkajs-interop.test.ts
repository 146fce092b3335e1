import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { CompressionCodec, decodeRecordBatch, encodeRecordBatch, verifyBatchCrc } from '../../src/records/index.js'

/*
 * Cross-checks against kafkajs, an independent implementation that works with
 * real Kafka brokers (it is a dev dependency of the repository for the
 * compatibility suites). Its gzip codec is built in; the others need plugins.
 */
const require = createRequire(import.meta.url)
/* eslint-disable @typescript-eslint/no-explicit-any */
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (opts: any) => Promise<{ buffer: Buffer }> }
const kjRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (opts: any) => unknown
const kjDecodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (d: unknown) => Promise<any>
const Decoder = require('kafkajs/src/protocol/decoder') as new (buf: Buffer) => unknown
const Long = require('kafkajs/src/utils/long') as { fromValue: (v: unknown) => unknown }

const T0 = 1_700_000_000_000

for (const codec of [CompressionCodec.NONE, CompressionCodec.GZIP]) {
  test(`kafkajs batches decode here (codec ${codec})`, async () => {
    const records = [0, 1, 2].map(i => kjRecord({
      offsetDelta: i, timestampDelta: i * 10, key: i === 1 ? null : Buffer.from(`k${i}`), value: Buffer.from(`value-${i}`), headers: { h: Buffer.from(`x${i}`) }
    }))
    const { buffer } = await RecordBatch({
      compression: codec, firstOffset: Long.fromValue(50), firstTimestamp: T0, maxTimestamp: T0 + 20, lastOffsetDelta: 2,
      producerId: Long.fromValue(9), producerEpoch: 1, firstSequence: 5, partitionLeaderEpoch: 0, records
    })
    assert.ok(verifyBatchCrc(buffer))
    const { header, records: decoded } = await decodeRecordBatch(buffer)
    assert.equal(header.baseOffset, 50n)
    assert.equal(header.producerId, 9n)
    assert.equal(header.baseSequence, 5)
    assert.equal(header.compression, codec)
    assert.deepEqual(decoded.map(r => r.key?.toString() ?? null), ['k0', null, 'k2'])
    assert.deepEqual(decoded.map(r => r.value?.toString()), ['value-0', 'value-1', 'value-2'])
    assert.deepEqual(decoded.map(r => r.timestamp), [T0, T0 + 10, T0 + 20].map(BigInt))
    assert.deepEqual(decoded.map(r => r.headers[0]?.value?.toString()), ['x0', 'x1', 'x2'])
  })

  test(`batches written here decode in kafkajs (codec ${codec})`, async () => {
    const batch = await encodeRecordBatch({
      compression: codec,
      baseOffset: 7n,
      records: [
        { key: Buffer.from('a'), value: Buffer.from('one'), timestamp: BigInt(T0), headers: [{ key: 'h', value: Buffer.from('v') }] },
        { key: null, value: Buffer.from('two'), timestamp: BigInt(T0 + 5) }
      ]
    })
    const out = await kjDecodeBatch(new Decoder(batch))
    assert.equal(out.firstOffset, '7')
    assert.equal(out.lastOffsetDelta, 1)
    assert.equal(out.maxTimestamp, String(T0 + 5))
    assert.deepEqual(out.records.map((r: any) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value.toString()]), [
      ['7', String(T0), 'a', 'one'],
      ['8', String(T0 + 5), null, 'two']
    ])
    assert.equal(out.records[0].headers.h.toString(), 'v')
  })
}
