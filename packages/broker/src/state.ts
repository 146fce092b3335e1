import type { MetadataStore, TopicImage } from '@tributary/metadata'
import type { DynamicBrokerConfig } from './config/dynamic.js'
import type { Logger } from './network/index.js'
import type { GroupCoordinator } from './groups/coordinator.js'
import type { FetchSessionCache } from './partitions/fetch-sessions.js'
import type { ReplicaManager } from './partitions/replica-manager.js'
import type { ProducerIdManager } from './producers/producer-ids.js'
import type { TransactionCoordinator } from './transactions/coordinator.js'

/** An address clients are told to use for this broker on one listener. */
export interface AdvertisedAddress { host: string, port: number }

/** The settings handlers read, resolved from the broker configuration at startup. */
export interface BrokerSettings {
  nodeId: number
  rack: string | null
  numPartitions: number
  defaultReplicationFactor: number
  autoCreateTopics: boolean
  /** Partition counts and replication factors of the internal topics, by Kafka key. */
  internalTopics: {
    'offsets.topic.num.partitions': number
    'offsets.topic.replication.factor': number
    'transaction.state.log.num.partitions': number
    'transaction.state.log.replication.factor': number
  }
}

/**
 * Everything a handler may reach: settings, the metadata store and the
 * address each listener advertises. Owned by one broker instance; no
 * module-level state, so several brokers can run in one process.
 */
export interface BrokerState {
  readonly settings: BrokerSettings
  /**
   * The full configuration: `staticConfig` as loaded at startup, and
   * `current()` with the dynamic broker configs of the metadata store on
   * top (DescribeConfigs, topic defaults).
   */
  readonly config: DynamicBrokerConfig
  readonly metadata: MetadataStore
  readonly log: Logger
  /** Advertised address per listener name; filled in once the listeners are bound. */
  readonly advertised: Map<string, AdvertisedAddress>
  /**
   * Called by DeleteTopics once a topic has left the metadata, to remove
   * its partitions' data. The log layer installs it in broker.ts when it
   * exists; until then nothing is written for a topic, so there is nothing
   * to remove. A failure is logged and does not undo the deletion: as in
   * Kafka, the metadata change is the deletion and data removal follows it.
   */
  readonly onTopicDeleted?: (topic: TopicImage) => Promise<void>
  /**
   * The partitions this broker leads and their logs (Produce, Fetch,
   * ListOffsets, ...). Absent only in tests that build a BrokerState by hand.
   */
  readonly replicas?: ReplicaManager
  /**
   * Incremental fetch sessions (KIP-227), bounded by
   * max.incremental.fetch.session.cache.slots. Absent in hand-built states:
   * Fetch then creates no sessions.
   */
  readonly fetchSessions?: FetchSessionCache
  /**
   * The group coordinator (consumer groups, committed offsets). Absent in
   * hand-built states: group APIs then answer COORDINATOR_NOT_AVAILABLE.
   */
  readonly groups?: GroupCoordinator
  /**
   * Producer ids for InitProducerId, in blocks from the metadata store.
   * Absent in hand-built states: InitProducerId then answers
   * COORDINATOR_NOT_AVAILABLE.
   */
  readonly producerIds?: ProducerIdManager
  /**
   * The transaction coordinator (`__transaction_state`). Absent in
   * hand-built states: transactional requests then answer
   * COORDINATOR_NOT_AVAILABLE.
   */
  readonly transactions?: TransactionCoordinator
}
