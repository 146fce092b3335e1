import { ControlRecordType, decodeControlRecordKey, decodeRecordBatch, splitBatches } from '@tributary/protocol'
import type { ConsumerMessage } from './types.js'

export interface AbortedTransaction { producerId: bigint, firstOffset: bigint }

export interface DecodeOptions {
  topic: string
  partition: number
  /** Records before this offset are dropped: a compressed batch is returned whole even when the fetch starts inside it. */
  fetchOffset: bigint
  readCommitted: boolean
  abortedTransactions: readonly AbortedTransaction[] | null
}

export interface DecodedFetch {
  messages: ConsumerMessage[]
  /** The offset after the last complete batch, or undefined when the data held no complete batch. */
  nextOffset: bigint | undefined
}

/**
 * Turns a partition's fetched bytes into messages. Control batches (commit
 * and abort markers) are never delivered. Under read_committed, the
 * batches of transactions the broker listed as aborted are skipped until
 * that producer's abort marker, as Kafka's consumer does (KIP-98). A batch
 * cut short at the end of the response is left for the next fetch.
 */
export async function decodeFetchedRecords (records: Buffer | null, opts: DecodeOptions): Promise<DecodedFetch> {
  const messages: ConsumerMessage[] = []
  if (records === null || records.length === 0) return { messages, nextOffset: undefined }
  const { batches } = splitBatches(records)
  const pending = [...(opts.abortedTransactions ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0))
  const aborting = new Set<bigint>()
  let nextOffset: bigint | undefined
  for (const buf of batches) {
    const batch = await decodeRecordBatch(buf)
    const h = batch.header
    const last = h.baseOffset + BigInt(h.lastOffsetDelta)
    nextOffset = last + 1n
    if (last < opts.fetchOffset) continue
    if (opts.readCommitted) {
      while (pending.length > 0 && pending[0]!.firstOffset <= last) aborting.add(pending.shift()!.producerId)
    }
    if (h.isControl) {
      const rec = batch.records[0]
      if (opts.readCommitted && rec !== undefined && decodeControlRecordKey(rec.key).type === ControlRecordType.ABORT) aborting.delete(h.producerId)
      continue
    }
    if (opts.readCommitted && h.isTransactional && aborting.has(h.producerId)) continue
    for (const r of batch.records) {
      if (r.offset < opts.fetchOffset) continue
      messages.push({ topic: opts.topic, partition: opts.partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers })
    }
  }
  return { messages, nextOffset }
}
