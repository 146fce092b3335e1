import { checkClusterId } from './cluster-id.js'
import { checkConnectionOverrides } from './connection-overrides.js'
import { checkListenerList, checkSecurityProtocolMap } from './listeners.js'
import { ConfigType, Importance, UpdateMode } from './types.js'
import type { ConfigDef, ConfigValue, Validator } from './types.js'

/**
 * The broker's configuration keys. Names, types, defaults, allowed values,
 * importance and update modes are Kafka's (4.0), so that a Kafka
 * server.properties keeps its meaning here; the docs are our own words.
 * Where a default differs from Kafka's, the entry says why.
 *
 * docs/configuration.md is rendered from this table (`docs.ts`); a test
 * fails when it is stale, so run write-docs after editing.
 */

const INT_MAX = '2147483647'
const LONG_MAX = '9223372036854775807'

const atLeast = (min: number): Validator => ({ kind: 'range', min })
const between = (min: number, max: number): Validator => ({ kind: 'range', min, max })
const oneOf = (...values: string[]): Validator => ({ kind: 'oneOf', values })
const listOf = (...values: string[]): Validator => ({ kind: 'listOf', values })
const custom = (describe: string, check: (value: ConfigValue) => string | undefined): Validator =>
  ({ kind: 'custom', describe, check })

/** Directories must be named, and named once (Kafka 4 rejects duplicates too). */
function checkDirectoryList (value: ConfigValue): string | undefined {
  const dirs = value as readonly string[]
  if (dirs.length === 0) return 'must name at least one directory'
  if (dirs.some(d => d === '')) return 'must not contain an empty directory name'
  if (new Set(dirs).size !== dirs.length) return 'must not name a directory twice'
  return undefined
}

/** Kafka's gzip levels: Deflater's 1 to 9, or -1 for its default. */
function checkGzipLevel (value: ConfigValue): string | undefined {
  const level = value as number
  return level === -1 || (level >= 1 && level <= 9) ? undefined : 'must be 1 to 9, or -1 for the codec\'s default'
}

const LISTENERS = custom('comma-separated NAME://host:port, port 0 to 65535', checkListenerList)

const G = {
  NETWORK: 'Listeners and connections',
  NODE: 'Node identity',
  STORAGE: 'Log storage',
  RETENTION: 'Retention and cleanup',
  FLUSH: 'Flushing',
  TOPICS: 'Topic defaults and replication',
  GROUPS: 'Consumer groups and offsets',
  TRANSACTIONS: 'Transactions and producer ids',
  REQUESTS: 'Request handling'
} as const

export const CONFIG_DEFINITIONS = [
  // --- Listeners and connections
  {
    name: 'listeners',
    type: ConfigType.STRING,
    default: 'PLAINTEXT://:9092',
    validator: LISTENERS,
    importance: Importance.HIGH,
    updateMode: UpdateMode.PER_BROKER,
    doc: 'Addresses to accept clients on; an empty host binds every interface, port 0 takes any free port.',
    group: G.NETWORK
  },
  {
    name: 'advertised.listeners',
    type: ConfigType.STRING,
    default: null,
    validator: LISTENERS,
    importance: Importance.HIGH,
    updateMode: UpdateMode.PER_BROKER,
    doc: 'Addresses given to clients in metadata; unset means the listeners, with a wildcard host shown as this machine\'s host name.',
    group: G.NETWORK
  },
  {
    name: 'listener.security.protocol.map',
    type: ConfigType.STRING,
    default: 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    validator: custom('comma-separated NAME:PROTOCOL with PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL', checkSecurityProtocolMap),
    importance: Importance.LOW,
    updateMode: UpdateMode.PER_BROKER,
    doc: 'Security protocol of each listener name; Tributary can serve only PLAINTEXT listeners so far.',
    group: G.NETWORK
  },
  {
    name: 'inter.broker.listener.name',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Listener that other brokers use to reach this one; unset means the listener named PLAINTEXT, else the first.',
    group: G.NETWORK
  },
  {
    name: 'socket.send.buffer.bytes',
    type: ConfigType.INT,
    default: '102400',
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Send buffer (SO_SNDBUF) of client sockets; -1 keeps the operating system\'s size.',
    group: G.NETWORK
  },
  {
    name: 'socket.receive.buffer.bytes',
    type: ConfigType.INT,
    default: '102400',
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Receive buffer (SO_RCVBUF) of client sockets; -1 keeps the operating system\'s size.',
    group: G.NETWORK
  },
  {
    name: 'max.connections',
    type: ConfigType.INT,
    default: INT_MAX,
    validator: atLeast(0),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Most client connections the broker keeps open at once; further connections are closed on accept.',
    group: G.NETWORK
  },
  {
    name: 'max.connections.per.ip',
    type: ConfigType.INT,
    default: INT_MAX,
    validator: atLeast(0),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Most connections one remote address may hold open.',
    group: G.NETWORK
  },
  {
    name: 'max.connections.per.ip.overrides',
    type: ConfigType.STRING,
    default: '',
    validator: custom('comma-separated host:count', checkConnectionOverrides),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Per-address exceptions to max.connections.per.ip.',
    group: G.NETWORK
  },
  {
    name: 'connections.max.idle.ms',
    type: ConfigType.LONG,
    default: '600000',
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'A connection without any traffic for this long is closed.',
    group: G.NETWORK
  },

  // --- Node identity
  {
    name: 'node.id',
    type: ConfigType.INT,
    // Kafka has no default and refuses to start without one; an embedded
    // single node should start with no configuration at all.
    default: '1',
    validator: atLeast(0),
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Id of this broker in the cluster; Kafka requires it, Tributary defaults it to 1 for a single node.',
    group: G.NODE
  },
  {
    name: 'broker.id',
    type: ConfigType.INT,
    default: null,
    validator: atLeast(0),
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Older name of node.id; when both are set they must be equal.',
    group: G.NODE
  },
  {
    name: 'cluster.id',
    type: ConfigType.STRING,
    default: null,
    validator: custom('a 22-character URL-safe base64 UUID', checkClusterId),
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Tributary only (Kafka sets it with kafka-storage format): unset means generate one on first start and keep it in meta.properties of the first log directory.',
    group: G.NODE
  },

  // --- Log storage
  {
    name: 'log.dirs',
    type: ConfigType.LIST,
    default: null,
    validator: custom('one or more distinct paths', checkDirectoryList),
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Directories that hold partition data, comma-separated; takes precedence over log.dir.',
    group: G.STORAGE
  },
  {
    name: 'log.dir',
    type: ConfigType.STRING,
    // Kafka's default is /tmp/kafka-logs; a different path keeps a Tributary
    // started next to a Kafka broker from opening Kafka's data.
    default: '/tmp/tributary-logs',
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Data directory used when log.dirs is unset (Kafka\'s default is /tmp/kafka-logs).',
    group: G.STORAGE
  },
  {
    name: 'log.segment.bytes',
    type: ConfigType.INT,
    default: '1073741824',
    // KIP-1030 raised the minimum from 14 bytes to 1 MiB in Kafka 4.0.
    validator: atLeast(1048576),
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Size at which a partition\'s active segment file is closed and a new one begun.',
    group: G.STORAGE
  },
  {
    name: 'log.roll.ms',
    type: ConfigType.LONG,
    default: null,
    validator: atLeast(1),
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Age at which the active segment is closed even if not full; takes precedence over log.roll.hours.',
    group: G.STORAGE
  },
  {
    name: 'log.roll.hours',
    type: ConfigType.INT,
    default: '168',
    validator: atLeast(1),
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Segment roll age in hours, used when log.roll.ms is unset.',
    group: G.STORAGE
  },
  {
    name: 'log.roll.jitter.ms',
    type: ConfigType.LONG,
    default: null,
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Most random time taken off the roll age of each segment, so that partitions do not all roll at once; takes precedence over log.roll.jitter.hours.',
    group: G.STORAGE
  },
  {
    name: 'log.roll.jitter.hours',
    type: ConfigType.INT,
    default: '0',
    validator: atLeast(0),
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Roll jitter in hours, used when log.roll.jitter.ms is unset.',
    group: G.STORAGE
  },
  {
    name: 'log.segment.delete.delay.ms',
    type: ConfigType.LONG,
    default: '60000',
    validator: atLeast(0),
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Wait between taking a segment out of a log and removing its files.',
    group: G.STORAGE
  },
  {
    name: 'log.preallocate',
    type: ConfigType.BOOLEAN,
    default: 'false',
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Allocate a new segment file at its full size when it is created.',
    group: G.STORAGE
  },
  {
    name: 'log.index.interval.bytes',
    type: ConfigType.INT,
    default: '4096',
    validator: atLeast(0),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Bytes of batches appended between two offset index entries; smaller means faster lookups and bigger indexes.',
    group: G.STORAGE
  },
  {
    name: 'log.index.size.max.bytes',
    type: ConfigType.INT,
    default: '10485760',
    validator: atLeast(4),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Largest offset or time index file; a segment whose index is full is rolled.',
    group: G.STORAGE
  },
  {
    name: 'log.message.timestamp.type',
    type: ConfigType.STRING,
    default: 'CreateTime',
    validator: oneOf('CreateTime', 'LogAppendTime'),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Keep the producer\'s record timestamps (CreateTime) or stamp batches with the broker\'s clock on append (LogAppendTime).',
    group: G.STORAGE
  },
  {
    name: 'log.message.timestamp.before.max.ms',
    type: ConfigType.LONG,
    default: LONG_MAX,
    validator: atLeast(0),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'With CreateTime, how far behind the broker\'s clock a record timestamp may be before the batch is rejected (KIP-937).',
    group: G.STORAGE
  },
  {
    name: 'log.message.timestamp.after.max.ms',
    type: ConfigType.LONG,
    // One hour since Kafka 4.0 (KIP-1030); it was Long.MAX_VALUE before.
    default: '3600000',
    validator: atLeast(0),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'With CreateTime, how far ahead of the broker\'s clock a record timestamp may be before the batch is rejected (KIP-937).',
    group: G.STORAGE
  },
  {
    name: 'message.max.bytes',
    type: ConfigType.INT,
    default: '1048588',
    validator: atLeast(0),
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Largest record batch, after compression, that a produce may append; a topic\'s max.message.bytes overrides it.',
    group: G.STORAGE
  },
  {
    name: 'compression.type',
    type: ConfigType.STRING,
    default: 'producer',
    validator: oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'),
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Codec of stored batches; producer stores each batch with the codec its producer chose.',
    group: G.STORAGE
  },

  {
    name: 'compression.gzip.level',
    type: ConfigType.INT,
    default: '-1',
    validator: custom('1 to 9, or -1 for the codec\'s default', checkGzipLevel),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Level used when compression.type is gzip (KIP-390).',
    group: G.STORAGE
  },
  {
    name: 'compression.lz4.level',
    type: ConfigType.INT,
    default: '9',
    validator: between(1, 17),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Level used when compression.type is lz4 (KIP-390).',
    group: G.STORAGE
  },
  {
    name: 'compression.zstd.level',
    type: ConfigType.INT,
    default: '3',
    validator: between(-131072, 22),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Level used when compression.type is zstd (KIP-390).',
    group: G.STORAGE
  },

  // --- Retention and cleanup
  {
    name: 'log.retention.ms',
    type: ConfigType.LONG,
    default: null,
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Age after which closed segments are deleted, -1 for no limit; takes precedence over log.retention.minutes and log.retention.hours.',
    group: G.RETENTION
  },
  {
    name: 'log.retention.minutes',
    type: ConfigType.INT,
    default: null,
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Retention age in minutes, used when log.retention.ms is unset; takes precedence over log.retention.hours.',
    group: G.RETENTION
  },
  {
    name: 'log.retention.hours',
    type: ConfigType.INT,
    default: '168',
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Retention age in hours, used when neither log.retention.ms nor log.retention.minutes is set.',
    group: G.RETENTION
  },
  {
    name: 'log.retention.bytes',
    type: ConfigType.LONG,
    default: '-1',
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Size a partition may grow to before its oldest segments are deleted; -1 for no limit.',
    group: G.RETENTION
  },
  {
    name: 'log.retention.check.interval.ms',
    type: ConfigType.LONG,
    default: '300000',
    validator: atLeast(1),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'How often the broker looks for segments that retention lets it delete.',
    group: G.RETENTION
  },
  {
    name: 'log.cleanup.policy',
    type: ConfigType.LIST,
    default: 'delete',
    validator: listOf('compact', 'delete'),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Default for topics: delete drops segments past retention, compact keeps the newest record of each key; both may be listed.',
    group: G.RETENTION
  },
  {
    name: 'log.cleaner.enable',
    type: ConfigType.BOOLEAN,
    default: 'true',
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Run the cleaner that compacts compact-policy topics, internal ones included.',
    group: G.RETENTION
  },
  {
    name: 'log.cleaner.min.cleanable.ratio',
    type: ConfigType.DOUBLE,
    default: '0.5',
    validator: between(0, 1),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Share of a log that must be not yet compacted before the cleaner takes it on.',
    group: G.RETENTION
  },

  {
    name: 'log.cleaner.delete.retention.ms',
    type: ConfigType.LONG,
    default: '86400000',
    validator: atLeast(0),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'How long the cleaner keeps tombstones (records with a null value) of compacted topics, so that consumers can see the deletion.',
    group: G.RETENTION
  },
  {
    name: 'log.cleaner.min.compaction.lag.ms',
    type: ConfigType.LONG,
    default: '0',
    validator: atLeast(0),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Youngest a record may be and still be compacted away.',
    group: G.RETENTION
  },
  {
    name: 'log.cleaner.max.compaction.lag.ms',
    type: ConfigType.LONG,
    default: LONG_MAX,
    validator: atLeast(1),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Oldest a record may get before its segment becomes eligible for compaction, however clean the log.',
    group: G.RETENTION
  },
  {
    name: 'log.local.retention.ms',
    type: ConfigType.LONG,
    default: '-2',
    validator: atLeast(-2),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'With tiered storage, age after which segments already copied to remote storage leave the local disk; -2 means log.retention.ms (KIP-405).',
    group: G.RETENTION
  },
  {
    name: 'log.local.retention.bytes',
    type: ConfigType.LONG,
    default: '-2',
    validator: atLeast(-2),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'With tiered storage, local size of a partition beyond which copied segments leave the local disk; -2 means log.retention.bytes (KIP-405).',
    group: G.RETENTION
  },

  // --- Flushing
  {
    name: 'log.flush.interval.messages',
    type: ConfigType.LONG,
    default: LONG_MAX,
    validator: atLeast(1),
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Records appended to a partition after which its log is forced to disk.',
    group: G.FLUSH
  },
  {
    name: 'log.flush.interval.ms',
    type: ConfigType.LONG,
    default: null,
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Longest time appended data may wait before it is forced to disk; unset means log.flush.scheduler.interval.ms.',
    group: G.FLUSH
  },
  {
    name: 'log.flush.scheduler.interval.ms',
    type: ConfigType.LONG,
    default: LONG_MAX,
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'How often the flusher looks for logs that are due to be forced to disk.',
    group: G.FLUSH
  },

  // --- Topic defaults and replication
  {
    name: 'num.partitions',
    type: ConfigType.INT,
    default: '1',
    validator: atLeast(1),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Partition count of topics created without one, auto-created topics included.',
    group: G.TOPICS
  },
  {
    name: 'default.replication.factor',
    type: ConfigType.INT,
    default: '1',
    validator: atLeast(1),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Replication factor of topics created without one, auto-created topics included.',
    group: G.TOPICS
  },
  {
    name: 'auto.create.topics.enable',
    type: ConfigType.BOOLEAN,
    default: 'true',
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Create a missing topic when a client asks for its metadata.',
    group: G.TOPICS
  },
  {
    name: 'delete.topic.enable',
    type: ConfigType.BOOLEAN,
    default: 'true',
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Allow DeleteTopics; when false such requests fail with TOPIC_DELETION_DISABLED.',
    group: G.TOPICS
  },
  {
    name: 'min.insync.replicas',
    type: ConfigType.INT,
    default: '1',
    validator: atLeast(1),
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'In-sync replicas an acks=all produce needs; with fewer it fails with NOT_ENOUGH_REPLICAS.',
    group: G.TOPICS
  },
  {
    name: 'unclean.leader.election.enable',
    type: ConfigType.BOOLEAN,
    default: 'false',
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Let a replica outside the ISR become leader when no in-sync one is left, at the cost of losing records.',
    group: G.TOPICS
  },
  {
    name: 'replica.fetch.max.bytes',
    type: ConfigType.INT,
    default: '1048576',
    validator: atLeast(0),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Bytes a follower asks for per partition in one fetch; a bigger first batch is still returned whole.',
    group: G.TOPICS
  },

  // --- Consumer groups and offsets
  {
    name: 'offsets.topic.num.partitions',
    type: ConfigType.INT,
    default: '50',
    validator: atLeast(1),
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Partitions of __consumer_offsets; cannot change once the topic exists.',
    group: G.GROUPS
  },
  {
    name: 'offsets.topic.replication.factor',
    type: ConfigType.SHORT,
    // Kafka's default, kept for compatibility; it needs three brokers.
    default: '3',
    validator: atLeast(1),
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Replication factor of __consumer_offsets; the Kafka default of 3 needs three brokers, so set 1 for a single node.',
    group: G.GROUPS
  },
  {
    name: 'offsets.retention.minutes',
    type: ConfigType.INT,
    default: '10080',
    validator: atLeast(1),
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'How long the committed offsets of a group without members are kept.',
    group: G.GROUPS
  },
  {
    name: 'group.initial.rebalance.delay.ms',
    type: ConfigType.INT,
    default: '3000',
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Wait before the first rebalance of an empty classic group, so that more members join it at once.',
    group: G.GROUPS
  },
  {
    name: 'group.min.session.timeout.ms',
    type: ConfigType.INT,
    default: '6000',
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Shortest session timeout a classic group member may ask for.',
    group: G.GROUPS
  },
  {
    name: 'group.max.session.timeout.ms',
    type: ConfigType.INT,
    default: '1800000',
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Longest session timeout a classic group member may ask for.',
    group: G.GROUPS
  },
  {
    name: 'group.max.size',
    type: ConfigType.INT,
    default: INT_MAX,
    validator: atLeast(1),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Most members a classic group may have; a join beyond it fails with GROUP_MAX_SIZE_REACHED.',
    group: G.GROUPS
  },
  {
    name: 'offsets.retention.check.interval.ms',
    type: ConfigType.LONG,
    default: '600000',
    validator: atLeast(1),
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'How often the group coordinator looks for expired committed offsets.',
    group: G.GROUPS
  },
  {
    name: 'offsets.commit.timeout.ms',
    type: ConfigType.INT,
    default: '5000',
    validator: atLeast(1),
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'How long an offset commit may wait for its records to become durable before it fails with REQUEST_TIMED_OUT.',
    group: G.GROUPS
  },
  {
    name: 'offset.metadata.max.bytes',
    type: ConfigType.INT,
    default: '4096',
    validator: atLeast(0),
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Longest metadata string an offset commit may carry; a longer one fails with OFFSET_METADATA_TOO_LARGE.',
    group: G.GROUPS
  },
  {
    name: 'group.coordinator.rebalance.protocols',
    type: ConfigType.LIST,
    default: 'classic,consumer',
    validator: listOf('classic', 'consumer'),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Group protocols the coordinator serves: classic (JoinGroup/SyncGroup) and consumer (KIP-848 ConsumerGroupHeartbeat).',
    group: G.GROUPS
  },
  {
    name: 'group.consumer.session.timeout.ms',
    type: ConfigType.INT,
    default: '45000',
    validator: atLeast(1),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Session timeout of KIP-848 consumer group members: a member that sends no heartbeat for this long is removed.',
    group: G.GROUPS
  },
  {
    name: 'group.consumer.min.session.timeout.ms',
    type: ConfigType.INT,
    default: '45000',
    validator: atLeast(1),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Smallest session timeout a consumer group may be configured with (group.consumer.session.timeout.ms).',
    group: G.GROUPS
  },
  {
    name: 'group.consumer.max.session.timeout.ms',
    type: ConfigType.INT,
    default: '60000',
    validator: atLeast(1),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Largest session timeout a consumer group may be configured with (group.consumer.session.timeout.ms).',
    group: G.GROUPS
  },
  {
    name: 'group.consumer.heartbeat.interval.ms',
    type: ConfigType.INT,
    default: '5000',
    validator: atLeast(1),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Heartbeat interval the coordinator tells KIP-848 consumer group members to use.',
    group: G.GROUPS
  },
  {
    name: 'group.consumer.max.size',
    type: ConfigType.INT,
    default: INT_MAX,
    validator: atLeast(1),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Most members a KIP-848 consumer group may have; a join beyond it fails with GROUP_MAX_SIZE_REACHED.',
    group: G.GROUPS
  },
  {
    name: 'group.consumer.assignors',
    type: ConfigType.LIST,
    default: 'uniform,range',
    validator: listOf('uniform', 'range'),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Server-side assignors of KIP-848 consumer groups; the first is the default when a member names none.',
    group: G.GROUPS
  },

  // --- Transactions and producer ids
  {
    name: 'transaction.state.log.num.partitions',
    type: ConfigType.INT,
    default: '50',
    validator: atLeast(1),
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Partitions of __transaction_state; cannot change once the topic exists.',
    group: G.TRANSACTIONS
  },
  {
    name: 'transaction.state.log.replication.factor',
    type: ConfigType.SHORT,
    default: '3',
    validator: atLeast(1),
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Replication factor of __transaction_state; the Kafka default of 3 needs three brokers, so set 1 for a single node.',
    group: G.TRANSACTIONS
  },
  {
    name: 'transactional.id.expiration.ms',
    type: ConfigType.INT,
    default: '604800000',
    validator: atLeast(1),
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'A transactional id with no transaction activity for this long is forgotten.',
    group: G.TRANSACTIONS
  },
  {
    name: 'transaction.abort.timed.out.transaction.cleanup.interval.ms',
    type: ConfigType.INT,
    default: '10000',
    validator: atLeast(1),
    importance: Importance.LOW,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'How often the transaction coordinator aborts transactions older than their transaction.timeout.ms and removes expired transactional ids.',
    group: G.TRANSACTIONS
  },
  {
    name: 'transaction.max.timeout.ms',
    type: ConfigType.INT,
    default: '900000',
    validator: atLeast(1),
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Largest transaction timeout a producer may ask for; InitProducerId with a larger one fails.',
    group: G.TRANSACTIONS
  },
  {
    name: 'producer.id.expiration.ms',
    type: ConfigType.INT,
    default: '86400000',
    validator: atLeast(1),
    importance: Importance.LOW,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Time without writes after which a producer id\'s sequence state is dropped from a partition (KIP-854).',
    group: G.TRANSACTIONS
  },
  {
    name: 'producer.id.expiration.check.interval.ms',
    type: ConfigType.INT,
    default: '600000',
    validator: atLeast(1),
    importance: Importance.LOW,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'How often every partition drops the state of producers idle for longer than producer.id.expiration.ms.',
    group: G.TRANSACTIONS
  },

  // --- Request handling
  {
    name: 'socket.request.max.bytes',
    type: ConfigType.INT,
    default: '104857600',
    validator: atLeast(1),
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Largest request frame accepted; a connection announcing a bigger one is closed.',
    group: G.REQUESTS
  },
  {
    name: 'queued.max.requests',
    type: ConfigType.INT,
    default: '500',
    validator: atLeast(1),
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Requests that may wait for processing before the broker stops reading from sockets.',
    group: G.REQUESTS
  },
  {
    name: 'max.incremental.fetch.session.cache.slots',
    type: ConfigType.INT,
    default: '1000',
    validator: atLeast(0),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Incremental fetch sessions (KIP-227) the broker keeps; when full, creating a session evicts the least recently used one.',
    group: G.REQUESTS
  },
  {
    name: 'fetch.max.bytes',
    type: ConfigType.INT,
    default: '57671680',
    validator: atLeast(1024),
    importance: Importance.MEDIUM,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Upper bound on the data in one Fetch response, whatever the request asks for.',
    group: G.REQUESTS
  },
  {
    name: 'request.timeout.ms',
    type: ConfigType.INT,
    default: '30000',
    validator: atLeast(0),
    importance: Importance.HIGH,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'How long the broker\'s own requests to other brokers wait for an answer.',
    group: G.REQUESTS
  },
  {
    name: 'max.request.partition.size.limit',
    type: ConfigType.INT,
    default: '2000',
    validator: atLeast(1),
    importance: Importance.LOW,
    updateMode: UpdateMode.READ_ONLY,
    doc: 'Most partitions one DescribeTopicPartitions response describes; the client pages on with the cursor (KIP-966).',
    group: G.REQUESTS
  },
  {
    name: 'num.network.threads',
    type: ConfigType.INT,
    default: '3',
    validator: atLeast(1),
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Accepted for compatibility and ignored: Node.js serves every socket from one event loop.',
    group: G.REQUESTS,
    noEffect: true
  },
  {
    name: 'num.io.threads',
    type: ConfigType.INT,
    default: '8',
    validator: atLeast(1),
    importance: Importance.HIGH,
    updateMode: UpdateMode.CLUSTER_WIDE,
    doc: 'Accepted for compatibility and ignored: requests are handled on the event loop, disk work on libuv\'s pool.',
    group: G.REQUESTS,
    noEffect: true
  }
] as const satisfies readonly ConfigDef[]

type Definition = (typeof CONFIG_DEFINITIONS)[number]

/** Every known key, checked at compile time: `config.getInt('num.partitons')` does not build. */
export type ConfigKey = Definition['name']
export type KeyOfType<T extends ConfigType> = Extract<Definition, { type: T }>['name']
export type IntKey = KeyOfType<'int' | 'short'>
export type LongKey = KeyOfType<'long'>
export type DoubleKey = KeyOfType<'double'>
export type BooleanKey = KeyOfType<'boolean'>
export type StringKey = KeyOfType<'string' | 'password' | 'class'>
export type ListKey = KeyOfType<'list'>

const BY_NAME: ReadonlyMap<string, ConfigDef> = new Map(CONFIG_DEFINITIONS.map(d => [d.name, d]))

export function findDefinition (name: string): ConfigDef | undefined {
  return BY_NAME.get(name)
}

export function isConfigKey (name: string): name is ConfigKey {
  return BY_NAME.has(name)
}

/** Kafka's rule: passwords are sensitive, never shown. */
export function isSensitive (def: ConfigDef): boolean {
  return def.type === ConfigType.PASSWORD
}
