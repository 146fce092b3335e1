import type { MetadataImage, TopicImage } from './image.js'

export interface NewTopic {
  name: string
  /** Replica node ids per partition, in partition order; the first is the preferred leader. */
  assignments: number[][]
  configs?: Record<string, string>
  internal?: boolean
  /** Reuse an id (e.g. on import); a random one is made otherwise. */
  id?: string
}

/** Computes a new config set from the current one; may throw to refuse the change (nothing is written then). */
export type ConfigUpdate = (current: Readonly<Record<string, string>>) => Record<string, string>

export type MetadataErrorCode =
  | 'TRIB_METADATA_TOPIC_EXISTS'
  | 'TRIB_METADATA_TOPIC_COLLISION'
  | 'TRIB_METADATA_UNKNOWN_TOPIC'
  | 'TRIB_METADATA_UNKNOWN_TOPIC_ID'
  | 'TRIB_METADATA_INVALID_PARTITIONS'
  | 'TRIB_METADATA_CLOSED'
  | 'TRIB_METADATA_INVALID_PRODUCER_ID_BLOCK'
  | 'TRIB_METADATA_PRODUCER_IDS_EXHAUSTED'

/** A range of producer ids handed to one broker: `firstId` .. `firstId + count - 1` (Kafka's ProducerIdsBlock). */
export interface ProducerIdBlock { firstId: bigint, count: number }

/** Producer ids are int64 on the wire; Kafka refuses blocks past Long.MAX. */
export const MAX_PRODUCER_ID = 0x7fffffffffffffffn

/** Why a metadata change was refused; mapped to Kafka error codes at the edge. */
export class MetadataError extends Error {
  readonly code: MetadataErrorCode
  constructor (code: MetadataErrorCode, message: string) {
    super(message)
    this.code = code
    this.name = 'MetadataError'
  }
}

/**
 * '.' and '_' map to the same metric name in Kafka, so two topic names that
 * differ only there collide; the controller refuses the second one.
 */
export function collidingTopic (topics: ReadonlyMap<string, unknown>, name: string): string | undefined {
  if (!name.includes('.') && !name.includes('_')) return undefined
  const key = name.replace(/\./g, '_')
  for (const existing of topics.keys()) {
    if (existing !== name && existing.replace(/\./g, '_') === key) return existing
  }
  return undefined
}

/**
 * The one way to read and change cluster metadata (DESIGN.md §1, principle
 * 5). Two backends pass the same contract suite: embedded (a local file,
 * single node) and etcd (cluster mode, a later issue). A change resolves
 * once it is durable; `image()` reflects it from then on. Changes are
 * applied one at a time, each against the image the previous one left, so
 * that the checks inside a change (exists? still this many partitions?)
 * hold when it is written.
 */
export interface MetadataStore {
  image (): MetadataImage
  createTopic (topic: NewTopic): Promise<TopicImage>
  deleteTopic (name: string): Promise<TopicImage>
  /** Deletes by topic id (DeleteTopics v6); TRIB_METADATA_UNKNOWN_TOPIC_ID when no topic has it. */
  deleteTopicById (id: string): Promise<TopicImage>
  /**
   * Grows a topic to `count` partitions; `assignments` holds the replicas
   * of each new partition, so its length must be `count` minus the current
   * count. Refuses anything that is not an increase
   * (TRIB_METADATA_INVALID_PARTITIONS), as Kafka does.
   */
  createPartitions (name: string, count: number, assignments: number[][]): Promise<TopicImage>
  /** Replaces a topic's config overrides with what `update` returns. */
  alterTopicConfigs (name: string, update: ConfigUpdate): Promise<TopicImage>
  /** Replaces the dynamic configs of a broker resource ('' = cluster default); returns the new set. */
  alterBrokerConfigs (resource: string, update: ConfigUpdate): Promise<Readonly<Record<string, string>>>
  /**
   * Hands out `count` producer ids never handed out before, durably, so that
   * no id is reused after a restart (Kafka's controller answers
   * AllocateProducerIds with blocks of 1000 the same way, KIP-730).
   */
  allocateProducerIds (count: number): Promise<ProducerIdBlock>
  /** Called after every change with the new image. Returns an unsubscribe function. */
  onChange (listener: (image: MetadataImage) => void): () => void
  close (): Promise<void>
}
