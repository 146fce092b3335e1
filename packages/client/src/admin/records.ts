import { KafkaError } from '@tributary/protocol'
import { DeleteRecordsApi } from '@tributary/protocol/apis/delete-records'
import type { Cluster } from '../cluster/cluster.js'
import { EARLIEST, LATEST, listOffsets, type OffsetAnswer } from '../ops/list-offsets.js'

export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number | bigint }

/** Offsets of partitions by earliest, latest or time (ListOffsets at each leader). */
export async function adminListOffsets (cluster: Cluster, topic: string, partitions: ReadonlyArray<{ partition: number, spec: OffsetSpec }>, isolation: 'read_uncommitted' | 'read_committed' = 'read_uncommitted'): Promise<OffsetAnswer[]> {
  return await listOffsets(cluster, partitions.map(p => ({
    topic,
    partition: p.partition,
    timestamp: p.spec === 'earliest' ? EARLIEST : p.spec === 'latest' ? LATEST : BigInt(p.spec.timestamp)
  })), isolation === 'read_committed' ? 1 : 0)
}

/**
 * DeleteRecords: moves each partition's log start offset up to `offset`
 * (-1 = the high watermark). Returns the new low watermarks.
 */
export async function deleteRecords (cluster: Cluster, topic: string, partitions: ReadonlyArray<{ partition: number, offset: bigint | number }>, timeoutMs?: number): Promise<Array<{ partition: number, lowWatermark: bigint }>> {
  return await cluster.retry('DeleteRecords', async () => {
    const byLeader = new Map<number, Array<{ partitionIndex: number, offset: bigint }>>()
    for (const p of partitions) {
      const leader = await cluster.leader(topic, p.partition)
      const l = byLeader.get(leader) ?? []
      l.push({ partitionIndex: p.partition, offset: BigInt(p.offset) })
      byLeader.set(leader, l)
    }
    const out: Array<{ partition: number, lowWatermark: bigint }> = []
    for (const [leader, ps] of byLeader) {
      const res = await cluster.send(leader, DeleteRecordsApi, { topics: [{ name: topic, partitions: ps }], timeoutMs: timeoutMs ?? cluster.requestTimeoutMs })
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== 0) throw KafkaError.fromCode(p.errorCode, `delete records of ${t.name}-${p.partitionIndex}`)
          out.push({ partition: p.partitionIndex, lowWatermark: p.lowWatermark })
        }
      }
    }
    return out.sort((a, b) => a.partition - b.partition)
  })
}
