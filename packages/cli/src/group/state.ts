import type { Admin, TopicPartition } from '@tributary/client'
import { CliError } from '../common/errors.js'

/** One partition of a group: committed offset, log end, lag (LEO - committed, as kafka-consumer-groups.sh) and owner. */
export interface PartitionLag {
  topic: string
  partition: number
  currentOffset: bigint | null
  logEndOffset: bigint
  lag: bigint | null
  memberId: string | null
  clientId: string | null
  host: string | null
}

export interface GroupState {
  group: string
  type: string
  state: string
  protocol: string
  coordinator: number
  members: Array<{ memberId: string, clientId: string, host: string, assignment: TopicPartition[] }>
  totalLag: bigint
  partitions: PartitionLag[]
}

const tpKey = (t: string, p: number): string => `${t}\0${p}`

/** Members and assignments (DescribeGroups or, for KIP-848 groups, ConsumerGroupDescribe), committed offsets and log ends. */
export async function groupState (admin: Admin, group: string): Promise<GroupState> {
  const listed = (await admin.listGroups()).find(g => g.groupId === group)
  if (listed === undefined) throw new CliError(`group '${group}' does not exist`, 1, 'list groups with `tributary group list`')
  let members: GroupState['members']
  let state: string
  let protocol: string
  if (listed.type === 'consumer') {
    const [d] = await admin.describeConsumerGroups([group])
    members = (d?.members ?? []).map(m => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost, assignment: m.assignment }))
    state = d?.state ?? listed.state
    protocol = d?.assignor ?? ''
  } else {
    const [d] = await admin.describeGroups([group])
    members = (d?.members ?? []).map(m => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost, assignment: m.assignment }))
    state = d?.state ?? listed.state
    protocol = d?.protocol ?? ''
  }
  const committed = (await admin.fetchOffsets(group)).filter(c => c.offset >= 0n)
  const owner = new Map<string, GroupState['members'][number]>()
  for (const m of members) for (const tp of m.assignment) owner.set(tpKey(tp.topic, tp.partition), m)
  const keys = new Map<string, TopicPartition>()
  for (const c of committed) keys.set(tpKey(c.topic, c.partition), { topic: c.topic, partition: c.partition })
  for (const m of members) for (const tp of m.assignment) keys.set(tpKey(tp.topic, tp.partition), tp)
  // Every partition of the topics the group reads, as kafka-consumer-groups.sh does for assigned ones: a
  // partition without a commit shows '-' instead of disappearing from the table.
  const topicNames = [...new Set([...keys.values()].map(tp => tp.topic))]
  for (const t of topicNames.length === 0 ? [] : await admin.describeTopics(topicNames)) {
    if (t.errorCode === 0) for (const p of t.partitions) keys.set(tpKey(t.name, p.partition), { topic: t.name, partition: p.partition })
  }
  const byTopic = new Map<string, number[]>()
  for (const tp of keys.values()) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition])
  const ends = new Map<string, bigint>()
  for (const [topic, parts] of byTopic) {
    for (const a of await admin.listOffsets(topic, parts.map(partition => ({ partition, spec: 'latest' as const })))) ends.set(tpKey(topic, a.partition), a.offset)
  }
  const partitions: PartitionLag[] = [...keys.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition).map(tp => {
    const k = tpKey(tp.topic, tp.partition)
    const current = committed.find(c => c.topic === tp.topic && c.partition === tp.partition)?.offset ?? null
    const end = ends.get(k) ?? -1n
    const m = owner.get(k)
    return { topic: tp.topic, partition: tp.partition, currentOffset: current, logEndOffset: end, lag: current === null ? null : (end - current > 0n ? end - current : 0n), memberId: m?.memberId ?? null, clientId: m?.clientId ?? null, host: m?.host ?? null }
  })
  return { group, type: listed.type, state, protocol, coordinator: listed.coordinator, members, totalLag: partitions.reduce((s, p) => s + (p.lag ?? 0n), 0n), partitions }
}
