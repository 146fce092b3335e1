import assert from 'node:assert/strict'
import { ErrorCode, decodeRecordBatchSync, encodeRecordBatchSync, splitBatches } from '@tributary/protocol'
import { CreateTopicsApi, InitProducerIdApi } from '@tributary/protocol/apis'
import { fetch, produce } from '../data/helpers.js'
import type { RawClient } from '../raw-client.js'

/** An idempotent batch of `count` records valued `<producer>:<seq>`, each padded with `pad` bytes after a '|'. */
export function idem (producerId: bigint, epoch: number, seq: number, count = 1, pad = 0): Buffer {
  return encodeRecordBatchSync({
    producerId,
    producerEpoch: epoch,
    baseSequence: seq,
    records: Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`${producerId}:${seq + i}` + (pad > 0 ? '|' + 'x'.repeat(pad) : '')) }))
  })
}

export async function createTopic (c: RawClient, name: string, partitions = 1, configs: Array<{ name: string, value: string }> = []): Promise<void> {
  const r = await c.request(CreateTopicsApi, 7, { topics: [{ name, numPartitions: partitions, replicationFactor: -1, assignments: [], configs }], timeoutMs: 5000, validateOnly: false })
  assert.equal(r.topics[0]!.errorCode, ErrorCode.NONE)
}

export async function initProducerId (c: RawClient, version = 4): Promise<{ producerId: bigint, producerEpoch: number }> {
  const r = await c.request(InitProducerIdApi, version, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 })
  assert.equal(r.errorCode, ErrorCode.NONE)
  return { producerId: r.producerId, producerEpoch: r.producerEpoch }
}

/** Produces an idempotent batch; returns [errorCode, baseOffset]. */
export async function produceIdem (c: RawClient, topic: string, producerId: bigint, epoch: number, seq: number, count = 1, pad = 0): Promise<[number, bigint]> {
  const r = await produce(c, topic, 0, idem(producerId, epoch, seq, count, pad))
  return [r.errorCode, r.baseOffset]
}

/** Every record value of a partition (without padding), in offset order, with its offset. */
export async function readValues (c: RawClient, topic: string, partition = 0): Promise<Array<[bigint, string]>> {
  const out: Array<[bigint, string]> = []
  let offset = 0n
  for (let i = 0; i < 1000; i++) {
    const p = await fetch(c, topic, partition, offset)
    assert.equal(p.errorCode, ErrorCode.NONE)
    if (p.records === null || p.records.length === 0) break
    for (const b of splitBatches(p.records).batches) {
      const d = decodeRecordBatchSync(b)
      for (const r of d.records) out.push([r.offset, r.value!.toString().split('|')[0]!])
      offset = d.header.baseOffset + BigInt(d.header.lastOffsetDelta) + 1n
    }
    if (offset >= p.highWatermark) break
  }
  return out
}
