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

/** Why a metadata change was refused; mapped to Kafka error codes at the edge. */
export class MetadataError extends Error {
  readonly code: 'TRIB_METADATA_TOPIC_EXISTS' | 'TRIB_METADATA_TOPIC_COLLISION' | 'TRIB_METADATA_UNKNOWN_TOPIC' | 'TRIB_METADATA_CLOSED'
  constructor (code: MetadataError['code'], message: string) {
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
 * once it is durable; `image()` reflects it from then on.
 */
export interface MetadataStore {
  image (): MetadataImage
  createTopic (topic: NewTopic): Promise<TopicImage>
  deleteTopic (name: string): Promise<TopicImage>
  /** Called after every change with the new image. Returns an unsubscribe function. */
  onChange (listener: (image: MetadataImage) => void): () => void
  close (): Promise<void>
}
