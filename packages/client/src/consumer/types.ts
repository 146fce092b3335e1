import type { RecordHeader } from '@tributary/protocol'
import type { ClusterOptions } from '../cluster/cluster.js'
import type { GroupMembership } from './group-membership.js'

export interface ConsumerMessage {
  topic: string
  partition: number
  offset: bigint
  timestamp: bigint
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

export interface ConsumerBatch {
  topic: string
  partition: number
  /** The partition's high watermark when the batch was fetched. */
  highWatermark: bigint
  messages: ConsumerMessage[]
}

export interface TopicPartition { topic: string, partition: number }

/**
 * Where to start: an offset, 'earliest', 'latest', the first record at or
 * after a time (ms since the epoch; the log end when none is that late), or
 * (with a group id) the committed offset when left out.
 */
export type StartOffset = bigint | number | 'earliest' | 'latest' | { timestamp: number | bigint | Date }

export interface PartitionAssignment extends TopicPartition { offset?: StartOffset }

export interface ConsumerOptions extends ClusterOptions {
  /** Group for commit()/committed() (and, later, membership). */
  groupId?: string
  /** 'read_uncommitted' (default) or 'read_committed' (KIP-98: skip aborted transactions, stop at the last stable offset). */
  isolationLevel?: 'read_uncommitted' | 'read_committed'
  /** Kafka's `auto.offset.reset` for partitions without a valid position ('earliest' by default here; Java's default is 'latest'). */
  autoOffsetReset?: 'earliest' | 'latest' | 'none'
  /** Kafka's `fetch.max.wait.ms` (500). */
  maxWaitMs?: number
  /** Kafka's `fetch.min.bytes` (1). */
  minBytes?: number
  /** Kafka's `fetch.max.bytes` (50 MiB). */
  maxBytes?: number
  /** Kafka's `max.partition.fetch.bytes` (1 MiB). */
  maxPartitionBytes?: number
  /**
   * Backpressure: the fetcher stops fetching while this many records wait
   * unread in the consumer (one fetch response may overshoot it).
   */
  maxBufferedRecords?: number
  /** Incremental fetch sessions (KIP-227), on by default: after the first fetch only changed partitions are sent. */
  fetchSessions?: boolean
  /**
   * For subscribe(): Kafka's `group.protocol`, 'classic' (JoinGroup/SyncGroup,
   * the default, as in Kafka 4.0) or 'consumer' (KIP-848).
   */
  groupProtocol?: 'classic' | 'consumer'
  /** Classic groups: Kafka's `session.timeout.ms` (45000). */
  sessionTimeoutMs?: number
  /** Kafka's `max.poll.interval.ms`, the rebalance timeout (300000). */
  rebalanceTimeoutMs?: number
  /** Classic groups: Kafka's `heartbeat.interval.ms` (3000); KIP-848 groups use the coordinator's interval. */
  heartbeatIntervalMs?: number
  /** Kafka's `group.instance.id` (static membership). */
  groupInstanceId?: string
  /** KIP-848 groups: the server-side assignor ('uniform' or 'range'). */
  serverAssignor?: string
  /** With subscribe(): commit positions every autoCommitIntervalMs, before partitions are revoked, and on close (Kafka's `enable.auto.commit`, true). */
  autoCommit?: boolean
  /** Kafka's `auto.commit.interval.ms` (5000). */
  autoCommitIntervalMs?: number
  /** How often a regex subscription looks for new topics (Kafka's `metadata.max.age.ms` does this job; 5000 here). */
  topicRefreshMs?: number
  /** A group protocol of your own for subscribe(); by default one is made from groupProtocol. */
  membership?: GroupMembership
}
