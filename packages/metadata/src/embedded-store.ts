import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileDurably } from '@tributary/log'
import { type MetadataImage, type TopicImage, buildImage } from './image.js'
import { loadOrCreateMetaProperties } from './meta-properties.js'
import { MAX_PRODUCER_ID, MetadataError, collidingTopic, type ConfigUpdate, type MetadataStore, type NewTopic, type ProducerIdBlock } from './store.js'

const SNAPSHOT_FILE = 'tributary-metadata.json'
const FORMAT_VERSION = 1

interface Snapshot {
  version: number
  epoch: number
  topics: TopicImage[]
  /** Dynamic broker configs by resource name; absent in snapshots written before they existed. */
  brokerConfigs?: Record<string, Record<string, string>>
  /** The first producer id not yet handed out (decimal string); absent before the first allocation. */
  nextProducerId?: string
}

/** What one change produces: the parts of the image it replaces, and its result. */
interface Changed<T> {
  topics?: Map<string, TopicImage>
  brokerConfigs?: Map<string, Readonly<Record<string, string>>>
  nextProducerId?: bigint
  result: T
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

  private constructor (private readonly path: string, image: MetadataImage, private nextProducerId: bigint) {
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
      topics: new Map(snapshot.topics.map(t => [t.name, t])),
      brokerConfigs: new Map(Object.entries(snapshot.brokerConfigs ?? {}))
    })
    return new EmbeddedMetadataStore(path, image, BigInt(snapshot.nextProducerId ?? '0'))
  }

  image (): MetadataImage { return this.current }

  createTopic (topic: NewTopic): Promise<TopicImage> {
    return this.change(image => {
      if (image.topics.has(topic.name)) throw new MetadataError('TRIB_METADATA_TOPIC_EXISTS', `Topic '${topic.name}' already exists.`)
      const collision = collidingTopic(image.topics, topic.name)
      if (collision !== undefined) throw new MetadataError('TRIB_METADATA_TOPIC_COLLISION', `Topic '${topic.name}' collides with existing topic: ${collision}`)
      const created: TopicImage = {
        name: topic.name,
        // Web Crypto's global: loaded on first use, not at every start as node:crypto would be.
        id: topic.id ?? crypto.randomUUID(),
        internal: topic.internal ?? false,
        partitions: topic.assignments.map((replicas, index) => ({ index, leader: replicas[0] ?? -1, leaderEpoch: 0, replicas, isr: replicas })),
        configs: { ...(topic.configs ?? {}) }
      }
      return { topics: new Map(image.topics).set(created.name, created), result: created }
    })
  }

  deleteTopic (name: string): Promise<TopicImage> {
    return this.change(image => {
      const existing = image.topics.get(name)
      if (existing === undefined) throw new MetadataError('TRIB_METADATA_UNKNOWN_TOPIC', `Topic '${name}' does not exist.`)
      return { topics: without(image.topics, name), result: existing }
    })
  }

  deleteTopicById (id: string): Promise<TopicImage> {
    return this.change(image => {
      const existing = image.topicsById.get(id)
      if (existing === undefined) throw new MetadataError('TRIB_METADATA_UNKNOWN_TOPIC_ID', `No topic has id ${id}.`)
      return { topics: without(image.topics, existing.name), result: existing }
    })
  }

  createPartitions (name: string, count: number, assignments: number[][]): Promise<TopicImage> {
    return this.change(image => {
      const existing = image.topics.get(name)
      if (existing === undefined) throw new MetadataError('TRIB_METADATA_UNKNOWN_TOPIC', `Topic '${name}' does not exist.`)
      const current = existing.partitions.length
      if (count <= current) {
        throw new MetadataError('TRIB_METADATA_INVALID_PARTITIONS', `The topic ${name} currently has ${current} partition(s); ${count} would not be an increase.`)
      }
      if (assignments.length !== count - current) {
        throw new MetadataError('TRIB_METADATA_INVALID_PARTITIONS',
          `Attempted to add ${count - current} additional partition(s), but ${assignments.length} assignment(s) were given.`)
      }
      const added = assignments.map((replicas, i) => ({ index: current + i, leader: replicas[0] ?? -1, leaderEpoch: 0, replicas, isr: replicas }))
      const updated: TopicImage = { ...existing, partitions: [...existing.partitions, ...added] }
      return { topics: new Map(image.topics).set(name, updated), result: updated }
    })
  }

  alterTopicConfigs (name: string, update: ConfigUpdate): Promise<TopicImage> {
    return this.change(image => {
      const existing = image.topics.get(name)
      if (existing === undefined) throw new MetadataError('TRIB_METADATA_UNKNOWN_TOPIC', `Topic '${name}' does not exist.`)
      const updated: TopicImage = { ...existing, configs: { ...update(existing.configs) } }
      return { topics: new Map(image.topics).set(name, updated), result: updated }
    })
  }

  alterBrokerConfigs (resource: string, update: ConfigUpdate): Promise<Readonly<Record<string, string>>> {
    return this.change(image => {
      const configs = { ...update(image.brokerConfigs.get(resource) ?? {}) }
      const brokerConfigs = new Map(image.brokerConfigs)
      if (Object.keys(configs).length === 0) brokerConfigs.delete(resource)
      else brokerConfigs.set(resource, configs)
      return { brokerConfigs, result: configs }
    })
  }

  allocateProducerIds (count: number): Promise<ProducerIdBlock> {
    return this.change(() => {
      if (!Number.isInteger(count) || count < 1) throw new MetadataError('TRIB_METADATA_INVALID_PRODUCER_ID_BLOCK', `cannot allocate ${count} producer ids`)
      const firstId = this.nextProducerId
      const next = firstId + BigInt(count)
      if (next - 1n > MAX_PRODUCER_ID) throw new MetadataError('TRIB_METADATA_PRODUCER_IDS_EXHAUSTED', 'the producer id space is exhausted')
      return { nextProducerId: next, result: { firstId, count } }
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

  private change<T> (fn: (image: MetadataImage) => Changed<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new MetadataError('TRIB_METADATA_CLOSED', 'metadata store is closed')
      const changed = fn(this.current)
      // Parts a change leaves alone keep their identity, so readers can cache what they derive from them.
      const topics = changed.topics ?? this.current.topics
      const brokerConfigs = changed.brokerConfigs ?? this.current.brokerConfigs
      const epoch = this.current.epoch + 1
      const nextProducerId = changed.nextProducerId ?? this.nextProducerId
      const snapshot: Snapshot = {
        version: FORMAT_VERSION, epoch, topics: [...topics.values()], brokerConfigs: Object.fromEntries(brokerConfigs), nextProducerId: nextProducerId.toString()
      }
      await writeFileDurably(this.path, JSON.stringify(snapshot))
      this.nextProducerId = nextProducerId
      this.current = buildImage({ ...this.current, epoch, topics, brokerConfigs })
      for (const l of this.listeners) l(this.current)
      return changed.result
    }
    const p = this.queue.then(run, run)
    this.queue = p.catch(() => {})
    return p
  }
}

function without (topics: ReadonlyMap<string, TopicImage>, name: string): Map<string, TopicImage> {
  const copy = new Map(topics)
  copy.delete(name)
  return copy
}
