/**
 * Kafka's internal topics and the broker settings that shape them. They are
 * created on first use (by a coordinator, or by a Metadata request that
 * names them) with their own partition count, not `num.partitions`.
 */
export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets'
export const TRANSACTION_STATE_TOPIC = '__transaction_state'

export interface InternalTopicSpec {
  partitionsKey: 'offsets.topic.num.partitions' | 'transaction.state.log.num.partitions'
  replicationKey: 'offsets.topic.replication.factor' | 'transaction.state.log.replication.factor'
  /** Topic configs Kafka sets on them: compacted, as coordinators replay the latest value per key. */
  configs: Record<string, string>
}

export const INTERNAL_TOPICS: ReadonlyMap<string, InternalTopicSpec> = new Map([
  [CONSUMER_OFFSETS_TOPIC, {
    partitionsKey: 'offsets.topic.num.partitions',
    replicationKey: 'offsets.topic.replication.factor',
    configs: { 'cleanup.policy': 'compact', 'compression.type': 'producer' }
  }],
  [TRANSACTION_STATE_TOPIC, {
    partitionsKey: 'transaction.state.log.num.partitions',
    replicationKey: 'transaction.state.log.replication.factor',
    configs: { 'cleanup.policy': 'compact', 'compression.type': 'uncompressed' }
  }]
])

export function isInternalTopic (name: string): boolean {
  return INTERNAL_TOPICS.has(name)
}
