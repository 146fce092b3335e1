import { randomUUID } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileDurably } from './durable-file.js'
import { type MetadataImage, type TopicImage, buildImage } from './image.js'
import { loadOrCreateMetaProperties } from './meta-properties.js'
import { MetadataError, collidingTopic, type MetadataStore, type NewTopic } from './store.js'

const SNAPSHOT_FILE = 'tributary-metadata.json'
const FORMAT_VERSION = 1

interface Snapshot {
  version: number
  epoch: number
  topics: TopicImage[]
}

export interface EmbeddedStoreOptions {
  /** The first log directory: meta.properties and the metadata snapshot live there. */
  dir: string
  nodeId: number
  clusterId?: string | undefined
  rack?: string | null
}

/**
 * Single-node metadata store: the whole image is kept in memory and every
 * change rewrites one small JSON snapshot durably (temp file, fsync,
 * rename). Changes are serialised, so each sees the previous one.
 * All methods run on the event loop; the image is replaced, never mutated.
 */
export class EmbeddedMetadataStore implements MetadataStore {
  private current: MetadataImage
  private readonly listeners = new Set<(image: MetadataImage) => void>()
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false

  private constructor (private readonly path: string, image: MetadataImage) {
    this.current = image
  }

  static async open (options: EmbeddedStoreOptions): Promise<EmbeddedMetadataStore> {
    await mkdir(options.dir, { recursive: true })
    const meta = await loadOrCreateMetaProperties(options.dir, { clusterId: options.clusterId, nodeId: options.nodeId })
    const path = join(options.dir, SNAPSHOT_FILE)
    let snapshot: Snapshot = { version: FORMAT_VERSION, epoch: 0, topics: [] }
    try {
      snapshot = JSON.parse(await readFile(path, 'utf8')) as Snapshot
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read metadata snapshot ${path}: ${(err as Error).message}`, { cause: err })
    }
    if (snapshot.version !== FORMAT_VERSION) throw new Error(`metadata snapshot ${path} has unknown format version ${snapshot.version}`)
    const image = buildImage({
      clusterId: meta.clusterId,
      controllerId: options.nodeId,
      epoch: snapshot.epoch,
      brokers: [{ nodeId: options.nodeId, rack: options.rack ?? null }],
      topics: new Map(snapshot.topics.map(t => [t.name, t]))
    })
    return new EmbeddedMetadataStore(path, image)
  }

  image (): MetadataImage { return this.current }

  createTopic (topic: NewTopic): Promise<TopicImage> {
    return this.change(image => {
      if (image.topics.has(topic.name)) throw new MetadataError('TRIB_METADATA_TOPIC_EXISTS', `Topic '${topic.name}' already exists.`)
      const collision = collidingTopic(image.topics, topic.name)
      if (collision !== undefined) throw new MetadataError('TRIB_METADATA_TOPIC_COLLISION', `Topic '${topic.name}' collides with existing topic: ${collision}`)
      const created: TopicImage = {
        name: topic.name,
        id: topic.id ?? randomUUID(),
        internal: topic.internal ?? false,
        partitions: topic.assignments.map((replicas, index) => ({ index, leader: replicas[0] ?? -1, leaderEpoch: 0, replicas, isr: replicas })),
        configs: { ...(topic.configs ?? {}) }
      }
      const topics = new Map(image.topics)
      topics.set(created.name, created)
      return { topics, result: created }
    })
  }

  deleteTopic (name: string): Promise<TopicImage> {
    return this.change(image => {
      const existing = image.topics.get(name)
      if (existing === undefined) throw new MetadataError('TRIB_METADATA_UNKNOWN_TOPIC', `Topic '${name}' does not exist.`)
      const topics = new Map(image.topics)
      topics.delete(name)
      return { topics, result: existing }
    })
  }

  onChange (listener: (image: MetadataImage) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  async close (): Promise<void> {
    this.closed = true
    await this.queue.catch(() => {})
  }

  private change<T> (fn: (image: MetadataImage) => { topics: Map<string, TopicImage>, result: T }): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new MetadataError('TRIB_METADATA_CLOSED', 'metadata store is closed')
      const { topics, result } = fn(this.current)
      const epoch = this.current.epoch + 1
      const snapshot: Snapshot = { version: FORMAT_VERSION, epoch, topics: [...topics.values()] }
      await writeFileDurably(this.path, JSON.stringify(snapshot))
      this.current = buildImage({ ...this.current, epoch, topics })
      for (const l of this.listeners) l(this.current)
      return result
    }
    const p = this.queue.then(run, run)
    this.queue = p.catch(() => {})
    return p
  }
}
