import { Cluster, type ClusterOptions } from '../cluster/cluster.js'
import type { TopicInfo } from '../cluster/metadata-cache.js'
import { commitOffsets, fetchOffsets, type CommittedOffset, type OffsetToCommit } from '../ops/group-offsets.js'
import type { OffsetAnswer } from '../ops/list-offsets.js'
import { describeCluster, describeLogDirs, type ClusterDescription, type LogDirDescription } from './cluster-info.js'
import { alterConfigs, describeConfigs, incrementalAlterConfigs, type ConfigChange, type ConfigResource, type ResourceConfigs } from './configs.js'
import { deleteGroups, describeConsumerGroups, describeGroups, listGroups, type ConsumerGroupDescription, type GroupDescription, type ListedGroup } from './groups.js'
import { adminListOffsets, deleteRecords, type OffsetSpec } from './records.js'
import { createPartitions, createTopics, deleteTopics, describeTopics, listTopics, type CreatedTopic, type NewTopic, type TimeoutOptions } from './topics.js'

export type AdminOptions = ClusterOptions

/**
 * Cluster administration. Each method is one Kafka admin operation in a
 * file of its own kind (topics, configs, records, groups, cluster); this
 * class only holds the connections. Errors are KafkaErrors with Kafka's
 * code and name.
 */
export class Admin {
  readonly cluster: Cluster
  constructor (opts: AdminOptions) { this.cluster = new Cluster(opts) }

  createTopics (topics: readonly NewTopic[], opts?: TimeoutOptions): Promise<CreatedTopic[]> { return createTopics(this.cluster, topics, opts) }
  deleteTopics (names: readonly string[], opts?: { timeoutMs?: number }): Promise<void> { return deleteTopics(this.cluster, names, opts) }
  listTopics (opts?: { includeInternal?: boolean }): Promise<string[]> { return listTopics(this.cluster, opts) }
  describeTopics (names: readonly string[]): Promise<TopicInfo[]> { return describeTopics(this.cluster, names) }
  createPartitions (topics: ReadonlyArray<{ topic: string, count: number, assignments?: number[][] }>, opts?: TimeoutOptions): Promise<void> { return createPartitions(this.cluster, topics, opts) }

  describeConfigs (resources: ReadonlyArray<ConfigResource & { keys?: string[] }>): Promise<ResourceConfigs[]> { return describeConfigs(this.cluster, resources) }
  alterConfigs (resources: ReadonlyArray<ConfigResource & { configs: Record<string, string> }>, validateOnly?: boolean): Promise<void> { return alterConfigs(this.cluster, resources, validateOnly) }
  incrementalAlterConfigs (resources: ReadonlyArray<ConfigResource & { changes: ConfigChange[] }>, validateOnly?: boolean): Promise<void> { return incrementalAlterConfigs(this.cluster, resources, validateOnly) }

  listOffsets (topic: string, partitions: ReadonlyArray<{ partition: number, spec: OffsetSpec }>, isolation?: 'read_uncommitted' | 'read_committed'): Promise<OffsetAnswer[]> { return adminListOffsets(this.cluster, topic, partitions, isolation) }
  deleteRecords (topic: string, partitions: ReadonlyArray<{ partition: number, offset: bigint | number }>, timeoutMs?: number): Promise<Array<{ partition: number, lowWatermark: bigint }>> { return deleteRecords(this.cluster, topic, partitions, timeoutMs) }

  describeCluster (): Promise<ClusterDescription> { return describeCluster(this.cluster) }
  describeLogDirs (brokers?: readonly number[]): Promise<LogDirDescription[]> { return describeLogDirs(this.cluster, brokers) }

  listGroups (opts?: { states?: string[], types?: string[] }): Promise<ListedGroup[]> { return listGroups(this.cluster, opts) }
  deleteGroups (groupIds: readonly string[]): Promise<void> { return deleteGroups(this.cluster, groupIds) }
  /** Members and assignments of classic groups (DescribeGroups). */
  describeGroups (groupIds: readonly string[]): Promise<GroupDescription[]> { return describeGroups(this.cluster, groupIds) }
  /** Members, epochs and assignments of KIP-848 groups (ConsumerGroupDescribe). */
  describeConsumerGroups (groupIds: readonly string[]): Promise<ConsumerGroupDescription[]> { return describeConsumerGroups(this.cluster, groupIds) }
  /** A group's committed offsets (all partitions when `partitions` is left out). */
  fetchOffsets (groupId: string, partitions?: ReadonlyArray<{ topic: string, partition: number }>): Promise<CommittedOffset[]> { return fetchOffsets(this.cluster, groupId, partitions ?? null) }
  /** Sets a group's committed offsets (OffsetCommit with generation -1: the group must have no active members). */
  alterOffsets (groupId: string, offsets: readonly OffsetToCommit[]): Promise<void> { return commitOffsets(this.cluster, groupId, offsets) }

  async close (): Promise<void> { this.cluster.close() }
}
