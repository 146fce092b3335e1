import type { MetadataStore } from '@tributary/metadata'
import type { Logger } from './network/index.js'

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
  readonly metadata: MetadataStore
  readonly log: Logger
  /** Advertised address per listener name; filled in once the listeners are bound. */
  readonly advertised: Map<string, AdvertisedAddress>
}
