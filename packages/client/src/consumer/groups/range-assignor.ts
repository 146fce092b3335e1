import type { TopicPartition } from '../types.js'

export interface AssignorMember { memberId: string, topics: readonly string[] }

/**
 * Kafka's RangeAssignor: per topic, the members subscribed to it in member
 * id order each take a contiguous range; the first `partitions % members`
 * take one more. The result for a member id is its whole assignment.
 */
export function rangeAssign (members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, TopicPartition[]> {
  const out = new Map<string, TopicPartition[]>(members.map(m => [m.memberId, []]))
  const topics = [...new Set(members.flatMap(m => m.topics))].sort()
  for (const topic of topics) {
    const count = partitionCounts.get(topic) ?? 0
    const subscribed = members.filter(m => m.topics.includes(topic)).map(m => m.memberId).sort()
    if (count === 0 || subscribed.length === 0) continue
    const per = Math.floor(count / subscribed.length)
    const extra = count % subscribed.length
    subscribed.forEach((memberId, i) => {
      const start = per * i + Math.min(i, extra)
      const len = per + (i < extra ? 1 : 0)
      for (let p = start; p < start + len; p++) out.get(memberId)!.push({ topic, partition: p })
    })
  }
  return out
}
