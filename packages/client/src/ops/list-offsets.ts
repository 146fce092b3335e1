import { ErrorCode, KafkaError } from '@tributary/protocol'
import { ListOffsetsApi } from '@tributary/protocol/apis/list-offsets'
import type { Cluster } from '../cluster/cluster.js'

/** ListOffsets' special timestamps (Kafka's ListOffsetsRequest.EARLIEST_TIMESTAMP / LATEST_TIMESTAMP). */
export const EARLIEST = -2n
export const LATEST = -1n

export interface OffsetQuery { topic: string, partition: number, timestamp: bigint }
export interface OffsetAnswer { topic: string, partition: number, offset: bigint, timestamp: bigint, leaderEpoch: number }

/**
 * Offsets by time for several partitions: one ListOffsets request per
 * leader, retried as a whole on a retriable error (a leader moved).
 * For a timestamp after the last record the answer is offset -1, as Kafka gives.
 */
export async function listOffsets (cluster: Cluster, queries: readonly OffsetQuery[], isolationLevel = 0): Promise<OffsetAnswer[]> {
  // A request may name a partition once; several questions about one partition go in rounds.
  const rounds: OffsetQuery[][] = []
  for (const q of queries) {
    let round = rounds.find(r => !r.some(x => x.topic === q.topic && x.partition === q.partition))
    if (round === undefined) { round = []; rounds.push(round) }
    round.push(q)
  }
  const answers = new Map<OffsetQuery, OffsetAnswer>()
  for (const round of rounds) {
    const got = await listOffsetsOnce(cluster, round, isolationLevel)
    round.forEach((q, i) => answers.set(q, got[i]!))
  }
  return queries.map(q => answers.get(q)!)
}

async function listOffsetsOnce (cluster: Cluster, queries: readonly OffsetQuery[], isolationLevel: number): Promise<OffsetAnswer[]> {
  return await cluster.retry('ListOffsets', async () => {
    const byLeader = new Map<number, OffsetQuery[]>()
    for (const q of queries) {
      const leader = await cluster.leader(q.topic, q.partition)
      const list = byLeader.get(leader) ?? []
      list.push(q)
      byLeader.set(leader, list)
    }
    const answers = new Map<string, OffsetAnswer>()
    await Promise.all([...byLeader].map(async ([leader, qs]) => {
      const topics = new Map<string, Array<{ partitionIndex: number, timestamp: bigint }>>()
      for (const q of qs) {
        const list = topics.get(q.topic) ?? []
        list.push({ partitionIndex: q.partition, timestamp: q.timestamp })
        topics.set(q.topic, list)
      }
      const res = await cluster.send(leader, ListOffsetsApi, {
        replicaId: -1,
        isolationLevel,
        topics: [...topics].map(([name, partitions]) => ({ name, partitions }))
      })
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE) throw KafkaError.fromCode(p.errorCode, `ListOffsets for ${t.name}-${p.partitionIndex}`)
          answers.set(`${t.name}\u0000${p.partitionIndex}`, { topic: t.name, partition: p.partitionIndex, offset: p.offset, timestamp: p.timestamp, leaderEpoch: p.leaderEpoch })
        }
      }
    }))
    return queries.map(q => {
      const a = answers.get(`${q.topic}\u0000${q.partition}`)
      if (a === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `no ListOffsets answer for ${q.topic}-${q.partition}`)
      return a
    })
  })
}
