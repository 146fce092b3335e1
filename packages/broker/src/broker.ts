import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EmbeddedMetadataStore } from '@tributary/metadata'
import { type BrokerConfig, ConfigSource, advertisedEndpoint, bindHost, loadConfig } from './config/index.js'
import { DynamicBrokerConfig } from './config/dynamic.js'
import { Dispatcher, type RequestInterceptor } from './dispatcher.js'
import { createLogger, type LogLevel } from './logger.js'
import { Listener, type Logger } from './network/index.js'
import { GroupCoordinator } from './groups/coordinator.js'
import { groupSettingsOf } from './groups/settings.js'
import { CoordinatorEpochs } from './transactions/coordinator-epochs.js'
import { TransactionCoordinator } from './transactions/coordinator.js'
import { ProducerIdManager } from './producers/producer-ids.js'
import { FetchSessionCache } from './partitions/fetch-sessions.js'
import { ReplicaManager } from './partitions/replica-manager.js'
import type { AdvertisedAddress, BrokerState } from './state.js'
import { CONSUMER_OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC } from './topics/internal-topics.js'
import { autoCreateTopic } from './topics/auto-create.js'
import { ErrorCode } from '@tributary/protocol'

export interface StartBrokerOptions {
  /** A configuration already loaded (the CLI's); the other options override it. */
  config?: BrokerConfig
  /** Data directory (`log.dirs`). Without one, an embedded broker uses a fresh temp directory removed on close. */
  dataDir?: string
  /** Listener port (0 = ephemeral); with `host` it replaces `listeners` by `PLAINTEXT://host:port`. */
  port?: number
  /** Listener host for `port`; 127.0.0.1 by default. */
  host?: string
  logger?: Logger
  logLevel?: LogLevel
  /** Any broker configuration by Kafka name, e.g. `{ 'num.partitions': 3 }`. */
  [kafkaConfig: string]: unknown
}

/** One listener: the address clients are told (host, port) and the port actually bound. */
export interface BoundListener { name: string, host: string, port: number, boundPort: number }

export interface Broker {
  /** Address of the first listener, as advertised to clients. */
  readonly host: string
  readonly port: number
  readonly listeners: readonly BoundListener[]
  readonly nodeId: number
  readonly clusterId: string
  readonly dataDir: string
  readonly config: BrokerConfig
  /** Test hook (see Dispatcher): sees every request first and may answer it. */
  setInterceptor (interceptor: RequestInterceptor | undefined): Promise<void>
  /** Stops accepting, answers requests already read, flushes, releases files. Idempotent. */
  close (): Promise<void>
}

const EMBED_KEYS = new Set(['config', 'dataDir', 'port', 'host', 'logger', 'logLevel'])

function overridesOf (options: StartBrokerOptions): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  for (const [k, v] of Object.entries(options)) {
    if (EMBED_KEYS.has(k) || v === undefined) continue
    out[k] = v as string | number | boolean
  }
  if (options.dataDir !== undefined) out['log.dirs'] = options.dataDir
  if (options.port !== undefined) out.listeners = `PLAINTEXT://${options.host ?? '127.0.0.1'}:${options.port}`
  return out
}

/**
 * Starts a broker in this process: `await startBroker({ port: 0 })` gives a
 * real TCP broker on an ephemeral port. The CLI's `tributary start` is a
 * thin shell around this.
 */
export async function startBroker (options: StartBrokerOptions = {}): Promise<Broker> {
  let config = options.config === undefined ? loadConfig({ overrides: overridesOf(options) }) : options.config.withOverrides(overridesOf(options))
  let ephemeralDir: string | undefined
  const logDirsFromDefault = config.source('log.dirs') === ConfigSource.DEFAULT_CONFIG && config.source('log.dir') === ConfigSource.DEFAULT_CONFIG
  if (options.config === undefined && logDirsFromDefault) {
    ephemeralDir = await mkdtemp(join(tmpdir(), 'tributary-'))
    config = config.withOverrides({ 'log.dirs': ephemeralDir })
  }
  const log = options.logger ?? createLogger(options.logLevel ?? 'warn', { nodeId: config.nodeId })
  const listeners: Listener[] = []
  let metadata: EmbeddedMetadataStore | undefined
  let replicas: ReplicaManager | undefined
  let groups: GroupCoordinator | undefined
  let transactions: TransactionCoordinator | undefined
  try {
    for (const dir of config.logDirs) await mkdir(dir, { recursive: true })
    metadata = await EmbeddedMetadataStore.open({ dir: config.logDirs[0]!, nodeId: config.nodeId, clusterId: config.clusterId, rack: null })
    const dynamic = new DynamicBrokerConfig(config, metadata, config.nodeId, log)
    replicas = await ReplicaManager.open({
      logDirs: config.logDirs,
      nodeId: config.nodeId,
      metadata,
      config: () => dynamic.current(),
      logger: log,
      retentionCheckIntervalMs: config.getLongAsNumber('log.retention.check.interval.ms')
    })
    const partitions = replicas
    const groupCoordinator = groups = new GroupCoordinator({
      nodeId: config.nodeId,
      settings: groupSettingsOf(config),
      metadata,
      replicas,
      logger: log,
      createOffsetsTopic: async () => {
        const created = await autoCreateTopic(state, CONSUMER_OFFSETS_TOPIC)
        if ('errorCode' in created) {
          log.warn({ err: created.message }, 'creating __consumer_offsets failed')
          return created.errorCode
        }
        return ErrorCode.NONE
      },
      managers: async () => (await import('./groups/managers.js')).groupManagers
    })
    const producerIds = new ProducerIdManager(metadata)
    const txnCoordinator = transactions = new TransactionCoordinator({
      nodeId: config.nodeId,
      settings: {
        maxTimeoutMs: config.getInt('transaction.max.timeout.ms'),
        idExpirationMs: config.getInt('transactional.id.expiration.ms'),
        checkIntervalMs: config.getInt('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
        writeTimeoutMs: config.getInt('offsets.commit.timeout.ms')
      },
      metadata,
      replicas,
      producerIds,
      logger: log,
      createTopic: async () => {
        const created = await autoCreateTopic(state, TRANSACTION_STATE_TOPIC)
        if ('errorCode' in created) {
          log.warn({ err: created.message }, 'creating __transaction_state failed')
          return created.errorCode
        }
        return ErrorCode.NONE
      },
      onOffsetsMarker: (partition, producerId, commit) => { groupCoordinator.completeTransaction(partition, producerId, commit) },
      epochs: new CoordinatorEpochs(config.logDirs[0]!)
    })
    const state: BrokerState = {
      settings: {
        nodeId: config.nodeId,
        rack: null,
        numPartitions: config.getInt('num.partitions'),
        defaultReplicationFactor: config.getInt('default.replication.factor'),
        autoCreateTopics: config.getBoolean('auto.create.topics.enable'),
        internalTopics: {
          'offsets.topic.num.partitions': config.getInt('offsets.topic.num.partitions'),
          'offsets.topic.replication.factor': config.getInt('offsets.topic.replication.factor'),
          'transaction.state.log.num.partitions': config.getInt('transaction.state.log.num.partitions'),
          'transaction.state.log.replication.factor': config.getInt('transaction.state.log.replication.factor')
        }
      },
      config: dynamic,
      metadata,
      log,
      advertised: new Map<string, AdvertisedAddress>(),
      replicas: partitions,
      fetchSessions: new FetchSessionCache(config.getInt('max.incremental.fetch.session.cache.slots')),
      onTopicDeleted: async topic => { await partitions.deleteTopic(topic) },
      groups: groupCoordinator,
      producerIds,
      transactions: txnCoordinator
    }
    groupCoordinator.start()
    txnCoordinator.start()
    const dispatcher = new Dispatcher(state)
    for (const spec of config.listeners) {
      const listener = await Listener.start({
        handler: dispatcher,
        host: bindHost(spec),
        port: spec.port,
        name: spec.name,
        logger: log,
        maxFrameSize: config.getInt('socket.request.max.bytes'),
        maxInFlightRequests: config.getInt('queued.max.requests'),
        idleTimeoutMs: config.getLongAsNumber('connections.max.idle.ms'),
        maxConnections: config.getInt('max.connections'),
        maxConnectionsPerIp: config.getInt('max.connections.per.ip'),
        maxConnectionsPerIpOverrides: config.maxConnectionsPerIpOverrides
      })
      listeners.push(listener)
    }
    const bound: BoundListener[] = []
    for (const spec of config.advertisedListeners) {
      const index = config.listeners.findIndex(l => l.name === spec.name)
      const listener = listeners[index]
      if (listener === undefined) continue
      const ep = advertisedEndpoint(spec, listener.port)
      state.advertised.set(spec.name, { host: ep.host, port: ep.port })
      bound.push({ name: spec.name, host: ep.host, port: ep.port, boundPort: listener.port })
    }
    const image = metadata.image()
    log.info({ listeners: bound, logDirs: config.logDirs, clusterId: image.clusterId }, 'broker started')
    // The handlers load once the sockets are bound; a request that arrives before waits for them.
    dispatcher.load().catch(err => { log.error({ err: (err as Error).message }, 'loading the request handlers failed') })
    let closing: Promise<void> | undefined
    const store = metadata
    return {
      host: bound[0]!.host,
      port: bound[0]!.port,
      listeners: bound,
      nodeId: config.nodeId,
      clusterId: image.clusterId,
      dataDir: config.logDirs[0]!,
      config,
      setInterceptor: async i => { await dispatcher.setInterceptor(i) },
      close () {
        closing ??= (async () => {
          // The coordinator closes while the listeners drain: that answers the JoinGroup/SyncGroup requests parked
          // in rebalances (NOT_COORDINATOR, as Kafka on unload), which the drain would otherwise wait out.
          await Promise.all([...listeners.map(l => l.close({ graceful: true, timeoutMs: 5000 })), groupCoordinator.close(), txnCoordinator.close()])
          await partitions.close()
          await store.close()
          if (ephemeralDir !== undefined) await rm(ephemeralDir, { recursive: true, force: true })
          log.info({}, 'broker stopped')
        })()
        return closing
      }
    }
  } catch (err) {
    await Promise.all(listeners.map(l => l.close({ graceful: false })))
    await groups?.close()
    await transactions?.close()
    await replicas?.close()
    await metadata?.close()
    if (ephemeralDir !== undefined) await rm(ephemeralDir, { recursive: true, force: true })
    throw err
  }
}
