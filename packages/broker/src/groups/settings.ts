import type { BrokerConfig } from '../config/index.js'

/** The broker settings the group coordinator reads, by Kafka name, resolved once at start. */
export interface GroupSettings {
  offsetsTopicPartitions: number
  offsetsRetentionMs: number
  offsetsRetentionCheckIntervalMs: number
  offsetsCommitTimeoutMs: number
  offsetMetadataMaxBytes: number
  /** Classic protocol (JoinGroup/SyncGroup). */
  groupInitialRebalanceDelayMs: number
  groupMinSessionTimeoutMs: number
  groupMaxSessionTimeoutMs: number
  groupMaxSize: number
  /** Which of 'classic' and 'consumer' (KIP-848) are enabled. */
  rebalanceProtocols: readonly string[]
  /** KIP-848 consumer groups. */
  consumerSessionTimeoutMs: number
  consumerHeartbeatIntervalMs: number
  consumerMaxSize: number
  /** Server-side assignor names; the first is the default. */
  consumerAssignors: readonly string[]
}

export function groupSettingsOf (config: BrokerConfig): GroupSettings {
  return {
    offsetsTopicPartitions: config.getInt('offsets.topic.num.partitions'),
    offsetsRetentionMs: config.getInt('offsets.retention.minutes') * 60_000,
    offsetsRetentionCheckIntervalMs: config.getLongAsNumber('offsets.retention.check.interval.ms'),
    offsetsCommitTimeoutMs: config.getInt('offsets.commit.timeout.ms'),
    offsetMetadataMaxBytes: config.getInt('offset.metadata.max.bytes'),
    groupInitialRebalanceDelayMs: config.getInt('group.initial.rebalance.delay.ms'),
    groupMinSessionTimeoutMs: config.getInt('group.min.session.timeout.ms'),
    groupMaxSessionTimeoutMs: config.getInt('group.max.session.timeout.ms'),
    groupMaxSize: config.getInt('group.max.size'),
    rebalanceProtocols: config.getList('group.coordinator.rebalance.protocols'),
    consumerSessionTimeoutMs: config.getInt('group.consumer.session.timeout.ms'),
    consumerHeartbeatIntervalMs: config.getInt('group.consumer.heartbeat.interval.ms'),
    consumerMaxSize: config.getInt('group.consumer.max.size'),
    consumerAssignors: config.getList('group.consumer.assignors')
  }
}
