import { ErrorCode, KafkaError, type ApiDescriptor, type Input } from '@tributary/protocol'
import { FindCoordinatorApi } from '@tributary/protocol/apis/find-coordinator'
import { MetadataApi } from '@tributary/protocol/apis/metadata'
import { ClientError, ClientStateError, ConnectionError } from '../errors.js'
import type { Connection, RequestOptions } from '../net/connection.js'
import { ConnectionPool } from '../net/pool.js'
import { MetadataCache, type TopicInfo } from './metadata-cache.js'
import { DEFAULT_RETRY, systemClock, withRetry, type Clock, type RetryOptions } from './retry.js'

export interface ClusterOptions {
  /** Bootstrap addresses, `host:port`. */
  brokers: readonly string[]
  clientId?: string
  connectTimeoutMs?: number
  requestTimeoutMs?: number
  retry?: RetryOptions
  /** Kafka's `metadata.max.age.ms` (5 minutes). */
  metadataMaxAgeMs?: number
  clock?: Clock
}

/*
 * Error codes after which the client's view of leaders or coordinators is
 * wrong (Kafka's InvalidMetadataException family and the coordinator
 * errors): the retry refreshes metadata first.
 */
const STALE_METADATA = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.LEADER_NOT_AVAILABLE, ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.REPLICA_NOT_AVAILABLE, ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH, ErrorCode.NOT_CONTROLLER, ErrorCode.UNKNOWN_TOPIC_ID
])
const STALE_COORDINATOR = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE])

/** FindCoordinator key types (KIP-98). */
export const CoordinatorType = { GROUP: 0, TRANSACTION: 1 } as const

/**
 * The shared plumbing under producer, consumer and admin: connections by
 * node, the metadata cache, coordinator lookup, and retries that refresh
 * what a retriable error says is stale.
 */
export class Cluster {
  readonly metadata = new MetadataCache()
  readonly clock: Clock
  readonly retryOptions: RetryOptions
  readonly requestTimeoutMs: number
  private readonly pool: ConnectionPool
  private readonly bootstrapAddresses: readonly string[]
  private readonly metadataMaxAgeMs: number
  private readonly coordinators = new Map<string, number>()
  private inflightRefresh: Promise<void> | undefined
  private closed = false

  constructor (opts: ClusterOptions) {
    if (opts.brokers.length === 0) throw new TypeError('at least one bootstrap broker is needed')
    this.bootstrapAddresses = [...opts.brokers]
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000
    this.pool = new ConnectionPool({ clientId: opts.clientId ?? 'tributary', connectTimeoutMs: opts.connectTimeoutMs, requestTimeoutMs: this.requestTimeoutMs })
    this.retryOptions = { ...DEFAULT_RETRY, ...opts.retry }
    this.metadataMaxAgeMs = opts.metadataMaxAgeMs ?? 300_000
    this.clock = opts.clock ?? systemClock
  }

  /** Runs `fn` with retries; stale metadata or coordinators are refreshed before each retry. */
  retry<T> (what: string, fn: (attempt: number) => Promise<T>, opts: RetryOptions & { shouldRetry?: (err: unknown) => boolean } = {}): Promise<T> {
    return withRetry(fn, {
      ...this.retryOptions,
      ...opts,
      what,
      clock: this.clock,
      onRetry: async err => await this.afterError(err)
    })
  }

  /** What a failed request says about our caches. */
  async afterError (err: unknown): Promise<void> {
    if (err instanceof KafkaError && STALE_COORDINATOR.has(err.code)) this.coordinators.clear()
    if ((err instanceof KafkaError && STALE_METADATA.has(err.code)) || err instanceof ConnectionError || (err instanceof ClientError && err.retriable)) {
      this.metadata.invalidate()
      this.coordinators.clear()
      await this.refreshMetadata([...this.metadata.topics.keys()])
    }
  }

  /** A connection to any broker: a known node, else a bootstrap address. */
  async any (): Promise<Connection> {
    this.checkOpen()
    const open = await this.pool.anyOpen()
    if (open !== undefined) return open
    for (const b of this.metadata.brokers.values()) {
      try {
        return await this.pool.forNode(b.nodeId, b)
      } catch {}
    }
    return await this.pool.bootstrap(this.bootstrapAddresses)
  }

  async node (nodeId: number): Promise<Connection> {
    this.checkOpen()
    let b = this.metadata.brokers.get(nodeId)
    if (b === undefined) {
      await this.refreshMetadata([])
      b = this.metadata.brokers.get(nodeId)
    }
    if (b === undefined) throw new KafkaError(ErrorCode.BROKER_NOT_AVAILABLE, `broker ${nodeId} is not in the cluster metadata`)
    return await this.pool.forNode(nodeId, b)
  }

  /** Sends one request to one node (no retry; wrap in retry()). */
  async send<Req, Res> (nodeId: number | 'any' | 'controller', api: ApiDescriptor<Req, Res>, body: Input<Req>, opts?: RequestOptions): Promise<Res> {
    let conn: Connection
    if (nodeId === 'any') conn = await this.any()
    else if (nodeId === 'controller') conn = await this.node(await this.controller())
    else conn = await this.node(nodeId)
    return await conn.send(api, body, opts)
  }

  /**
   * Refreshes metadata for `topics` (all topics for null, brokers only for
   * []). Concurrent refreshes of the same kind share one request.
   */
  async refreshMetadata (topics: readonly string[] | null, allowAutoTopicCreation = false): Promise<void> {
    const run = async (): Promise<void> => {
      const conn = await this.any()
      const res = await conn.send(MetadataApi, {
        topics: topics === null ? null : topics.map(name => ({ name })),
        allowAutoTopicCreation
      })
      this.metadata.update(res, this.clock.now())
    }
    if (topics !== null && topics.length === 0 && this.inflightRefresh !== undefined) return await this.inflightRefresh
    const p = run()
    if (topics !== null && topics.length === 0) {
      this.inflightRefresh = p
      p.finally(() => { if (this.inflightRefresh === p) this.inflightRefresh = undefined }).catch(() => {})
    }
    await p
  }

  /**
   * Metadata of topics, from the cache when fresh. A topic error that
   * stays after a refresh (e.g. UNKNOWN_TOPIC_OR_PARTITION with
   * auto-creation off) is thrown as a KafkaError; retriable ones are
   * retried by the caller's retry loop.
   */
  async topics (names: readonly string[], autoCreate = false): Promise<TopicInfo[]> {
    const now = this.clock.now()
    const missing = names.filter(n => this.metadata.fresh(n, now, this.metadataMaxAgeMs) === undefined)
    if (missing.length > 0) await this.refreshMetadata(missing, autoCreate)
    return names.map(n => {
      const t = this.metadata.topics.get(n)
      if (t === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${n}' is not in the metadata`)
      if (t.errorCode !== 0) throw KafkaError.fromCode(t.errorCode, `metadata of topic '${n}'`)
      if (t.partitions.length === 0) throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `topic '${n}' has no partitions yet`)
      return t
    })
  }

  async topic (name: string, autoCreate = false): Promise<TopicInfo> {
    return (await this.topics([name], autoCreate))[0]!
  }

  /** The leader of a partition; LEADER_NOT_AVAILABLE (retriable) when it has none. */
  async leader (topic: string, partition: number): Promise<number> {
    const t = await this.topic(topic)
    const p = t.partitions[partition]
    if (p === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${topic}' has no partition ${partition}`)
    if (p.leader < 0) throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `partition ${topic}-${partition} has no leader`)
    return p.leader
  }

  async controller (): Promise<number> {
    if (this.metadata.controllerId < 0) await this.refreshMetadata([])
    if (this.metadata.controllerId < 0) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'the cluster reports no controller')
    return this.metadata.controllerId
  }

  /** The coordinator node of a group (or transactional id), cached until an error says otherwise. */
  async coordinator (key: string, keyType: number = CoordinatorType.GROUP): Promise<number> {
    const cacheKey = `${keyType}:${key}`
    const known = this.coordinators.get(cacheKey)
    if (known !== undefined) return known
    const conn = await this.any()
    const version = conn.versionFor(FindCoordinatorApi)
    const res = await conn.send(FindCoordinatorApi, version >= 4 ? { keyType, coordinatorKeys: [key] } : { key, keyType }, { version })
    const c = version >= 4
      ? res.coordinators[0] ?? { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: null, nodeId: -1, host: '', port: 0 }
      : res
    if (c.errorCode !== 0) throw KafkaError.fromCode(c.errorCode, `FindCoordinator for '${key}': ${c.errorMessage ?? ''}`)
    if (!this.metadata.brokers.has(c.nodeId)) this.metadata.brokers.set(c.nodeId, { nodeId: c.nodeId, host: c.host, port: c.port, rack: null })
    this.coordinators.set(cacheKey, c.nodeId)
    return c.nodeId
  }

  invalidateCoordinator (key: string, keyType: number = CoordinatorType.GROUP): void {
    this.coordinators.delete(`${keyType}:${key}`)
  }

  close (): void {
    this.closed = true
    this.pool.close()
  }

  private checkOpen (): void {
    if (this.closed) throw new ClientStateError('the client is closed')
  }
}
