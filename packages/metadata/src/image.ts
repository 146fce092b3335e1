/**
 * The metadata image: the cluster's view of topics and partitions at one
 * point in time. Handlers read it; only a MetadataStore changes it.
 * Images are immutable values, so a reader never sees a half-applied change.
 */
export interface PartitionImage {
  readonly index: number
  readonly leader: number
  readonly leaderEpoch: number
  readonly replicas: readonly number[]
  readonly isr: readonly number[]
}

export interface TopicImage {
  readonly name: string
  /** Canonical 8-4-4-4-12 hex form. */
  readonly id: string
  readonly internal: boolean
  readonly partitions: readonly PartitionImage[]
  /** Topic-level config overrides with Kafka's names; unset keys take the broker defaults. */
  readonly configs: Readonly<Record<string, string>>
}

export interface BrokerImage {
  readonly nodeId: number
  readonly rack: string | null
}

export interface MetadataImage {
  readonly clusterId: string
  readonly controllerId: number
  /** Bumped by every change; lets readers cache derived views. */
  readonly epoch: number
  readonly brokers: readonly BrokerImage[]
  readonly topics: ReadonlyMap<string, TopicImage>
  readonly topicsById: ReadonlyMap<string, TopicImage>
  /**
   * Dynamic broker configs with Kafka's names, as Kafka keeps them in its
   * metadata log (ConfigRecords of BROKER resources): the key is the
   * resource name, a node id for one broker's settings and '' for the
   * cluster-wide default (DYNAMIC_DEFAULT_BROKER_CONFIG).
   */
  readonly brokerConfigs: ReadonlyMap<string, Readonly<Record<string, string>>>
}

export function buildImage (base: Omit<MetadataImage, 'topicsById'>): MetadataImage {
  const topicsById = new Map<string, TopicImage>()
  for (const t of base.topics.values()) topicsById.set(t.id, t)
  return { ...base, topicsById }
}
