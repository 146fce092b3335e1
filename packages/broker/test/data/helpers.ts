import assert from 'node:assert/strict'
import { ErrorCode, encodeRecordBatchSync, type RecordBatchRecordInput } from '@tributary/protocol'
import { FetchApi, ProduceApi } from '@tributary/protocol/apis'
import type { RawClient } from '../raw-client.js'

export function batch (records: Array<Partial<RecordBatchRecordInput>>, opts: { timestamp?: bigint } = {}): Buffer {
  return encodeRecordBatchSync({
    baseTimestamp: opts.timestamp,
    records: records.map(r => ({ key: r.key ?? null, value: r.value ?? null, headers: r.headers, timestamp: r.timestamp }))
  })
}

export const kv = (key: string | null, value: string): Partial<RecordBatchRecordInput> => ({ key: key === null ? null : Buffer.from(key), value: Buffer.from(value) })

/** Produce v11 of one batch to one partition; returns the partition response. */
export async function produce (c: RawClient, topic: string, partition: number, records: Buffer, acks = -1, version = 11) {
  const res = await c.request(ProduceApi, version, { transactionalId: null, acks, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] })
  return res.responses[0]!.partitionResponses[0]!
}

export async function produceOk (c: RawClient, topic: string, partition: number, records: Buffer): Promise<bigint> {
  const r = await produce(c, topic, partition, records)
  assert.equal(r.errorCode, ErrorCode.NONE, r.errorMessage ?? '')
  return r.baseOffset
}

/** Fetch v12 (by name) of one partition, no waiting unless asked. */
export async function fetch (c: RawClient, topic: string, partition: number, fetchOffset: bigint, opts: { maxWaitMs?: number, minBytes?: number, maxBytes?: number, partitionMaxBytes?: number, version?: number } = {}) {
  const res = await c.request(FetchApi, opts.version ?? 12, {
    replicaId: -1,
    maxWaitMs: opts.maxWaitMs ?? 0,
    minBytes: opts.minBytes ?? 1,
    maxBytes: opts.maxBytes ?? 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition, fetchOffset, partitionMaxBytes: opts.partitionMaxBytes ?? 1 << 20, currentLeaderEpoch: -1, logStartOffset: -1n, lastFetchedEpoch: -1 }] }],
    forgottenTopicsData: [],
    rackId: ''
  })
  assert.equal(res.errorCode, ErrorCode.NONE)
  return res.responses[0]!.partitions[0]!
}
