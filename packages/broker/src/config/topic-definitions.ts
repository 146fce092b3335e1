import type { ConfigKey } from './definitions.js'
import { ConfigType, Importance, UpdateMode } from './types.js'
import type { ConfigDef, ConfigValue, Validator } from './types.js'

/**
 * Kafka's topic-level configuration keys (LogConfig, 4.0): names, types,
 * defaults and allowed values, and for each the broker key that supplies
 * the value when the topic does not override it (Kafka's
 * ServerTopicConfigSynonyms). The docs are our own words.
 *
 * A topic stores only its overrides (in the metadata store); the value in
 * effect is the override, else the broker key's effective value (after
 * its own synonyms: retention.ms falls back to log.retention.ms, which
 * falls back to log.retention.minutes and log.retention.hours), else the
 * default here for keys without a broker synonym.
 */
export interface TopicConfigDef extends ConfigDef {
  /** The broker key (the first of its synonym group) that supplies the value when the topic has no override. */
  readonly serverDefault?: ConfigKey
}

const LONG_MAX = '9223372036854775807'
const atLeast = (min: number): Validator => ({ kind: 'range', min })
const between = (min: number, max: number): Validator => ({ kind: 'range', min, max })
const oneOf = (...values: string[]): Validator => ({ kind: 'oneOf', values })
const listOf = (...values: string[]): Validator => ({ kind: 'listOf', values })

/**
 * leader/follower.replication.throttled.replicas: '*' alone, or
 * partition:broker pairs (Kafka's ThrottledReplicaListValidator).
 */
function checkThrottledReplicas (value: ConfigValue): string | undefined {
  const entries = value as readonly string[]
  if (entries.length === 1 && entries[0] === '*') return undefined
  const pair = /^\d+:\d+$/
  return entries.every(e => pair.test(e)) ? undefined : THROTTLED_WORDS
}
const THROTTLED_WORDS = 'the literal \'*\' or a list of replicas as [partitionId]:[brokerId],[partitionId]:[brokerId],...'

/** Shared fields: Kafka marks every topic key MEDIUM, and every one may change at runtime. */
function topicKey (def: Omit<TopicConfigDef, 'importance' | 'updateMode' | 'group'>): TopicConfigDef {
  return { ...def, importance: Importance.MEDIUM, updateMode: UpdateMode.CLUSTER_WIDE, group: 'Topic' }
}

export const TOPIC_CONFIG_DEFINITIONS: readonly TopicConfigDef[] = [
  topicKey({
    name: 'cleanup.policy',
    type: ConfigType.LIST,
    default: 'delete',
    validator: listOf('compact', 'delete'),
    serverDefault: 'log.cleanup.policy',
    doc: 'delete drops old segments by retention, compact keeps the newest record of each key; both may be listed.'
  }),
  topicKey({
    name: 'compression.gzip.level',
    type: ConfigType.INT,
    default: '-1',
    validator: { kind: 'custom', describe: '1 to 9, or -1 for the codec\'s default', check: v => v === -1 || ((v as number) >= 1 && (v as number) <= 9) ? undefined : 'must be 1 to 9, or -1 for the codec\'s default' },
    serverDefault: 'compression.gzip.level',
    doc: 'Level used when compression.type is gzip (KIP-390).'
  }),
  topicKey({
    name: 'compression.lz4.level',
    type: ConfigType.INT,
    default: '9',
    validator: between(1, 17),
    serverDefault: 'compression.lz4.level',
    doc: 'Level used when compression.type is lz4 (KIP-390).'
  }),
  topicKey({
    name: 'compression.type',
    type: ConfigType.STRING,
    default: 'producer',
    validator: oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'),
    serverDefault: 'compression.type',
    doc: 'Codec of stored batches; producer keeps each batch as its producer compressed it.'
  }),
  topicKey({
    name: 'compression.zstd.level',
    type: ConfigType.INT,
    default: '3',
    validator: between(-131072, 22),
    serverDefault: 'compression.zstd.level',
    doc: 'Level used when compression.type is zstd (KIP-390).'
  }),
  topicKey({
    name: 'delete.retention.ms',
    type: ConfigType.LONG,
    default: '86400000',
    validator: atLeast(0),
    serverDefault: 'log.cleaner.delete.retention.ms',
    doc: 'How long tombstones of a compacted topic are kept, so that consumers can see the deletion.'
  }),
  topicKey({
    name: 'file.delete.delay.ms',
    type: ConfigType.LONG,
    default: '60000',
    validator: atLeast(0),
    serverDefault: 'log.segment.delete.delay.ms',
    doc: 'Wait between taking a segment out of the log and removing its files.'
  }),
  topicKey({
    name: 'flush.messages',
    type: ConfigType.LONG,
    default: LONG_MAX,
    validator: atLeast(1),
    serverDefault: 'log.flush.interval.messages',
    doc: 'Records appended to a partition after which its log is forced to disk.'
  }),
  topicKey({
    name: 'flush.ms',
    type: ConfigType.LONG,
    default: LONG_MAX,
    validator: atLeast(0),
    serverDefault: 'log.flush.interval.ms',
    doc: 'Longest time appended data may wait before it is forced to disk.'
  }),
  topicKey({
    name: 'follower.replication.throttled.replicas',
    type: ConfigType.LIST,
    default: '',
    validator: { kind: 'custom', describe: THROTTLED_WORDS, check: checkThrottledReplicas },
    doc: 'Replicas whose fetches from the leader are throttled, as partition:broker pairs or *.'
  }),
  topicKey({
    name: 'index.interval.bytes',
    type: ConfigType.INT,
    default: '4096',
    validator: atLeast(0),
    serverDefault: 'log.index.interval.bytes',
    doc: 'Bytes of batches appended between two offset index entries.'
  }),
  topicKey({
    name: 'leader.replication.throttled.replicas',
    type: ConfigType.LIST,
    default: '',
    validator: { kind: 'custom', describe: THROTTLED_WORDS, check: checkThrottledReplicas },
    doc: 'Replicas whose reads on the leader are throttled, as partition:broker pairs or *.'
  }),
  topicKey({
    name: 'local.retention.bytes',
    type: ConfigType.LONG,
    default: '-2',
    validator: atLeast(-2),
    serverDefault: 'log.local.retention.bytes',
    doc: 'With tiered storage, local size beyond which copied segments leave the local disk; -2 means retention.bytes.'
  }),
  topicKey({
    name: 'local.retention.ms',
    type: ConfigType.LONG,
    default: '-2',
    validator: atLeast(-2),
    serverDefault: 'log.local.retention.ms',
    doc: 'With tiered storage, age after which copied segments leave the local disk; -2 means retention.ms.'
  }),
  topicKey({
    name: 'max.compaction.lag.ms',
    type: ConfigType.LONG,
    default: LONG_MAX,
    validator: atLeast(1),
    serverDefault: 'log.cleaner.max.compaction.lag.ms',
    doc: 'Oldest a record may get before its segment must be compacted.'
  }),
  topicKey({
    name: 'max.message.bytes',
    type: ConfigType.INT,
    default: '1048588',
    validator: atLeast(0),
    serverDefault: 'message.max.bytes',
    doc: 'Largest record batch, after compression, a produce may append to this topic.'
  }),
  topicKey({
    // Kafka 4.0 keeps the key (deprecated, a no-op since down-conversion is
    // gone with KIP-724) so that old topic definitions still apply.
    name: 'message.downconversion.enable',
    type: ConfigType.BOOLEAN,
    default: 'true',
    doc: 'Accepted for compatibility and ignored: like Kafka 4, Tributary never down-converts records.'
  }),
  topicKey({
    name: 'message.timestamp.after.max.ms',
    type: ConfigType.LONG,
    default: '3600000',
    validator: atLeast(0),
    serverDefault: 'log.message.timestamp.after.max.ms',
    doc: 'With CreateTime, how far ahead of the broker\'s clock a record timestamp may be (KIP-937).'
  }),
  topicKey({
    name: 'message.timestamp.before.max.ms',
    type: ConfigType.LONG,
    default: LONG_MAX,
    validator: atLeast(0),
    serverDefault: 'log.message.timestamp.before.max.ms',
    doc: 'With CreateTime, how far behind the broker\'s clock a record timestamp may be (KIP-937).'
  }),
  topicKey({
    name: 'message.timestamp.type',
    type: ConfigType.STRING,
    default: 'CreateTime',
    validator: oneOf('CreateTime', 'LogAppendTime'),
    serverDefault: 'log.message.timestamp.type',
    doc: 'Keep the producer\'s timestamps (CreateTime) or stamp batches on append (LogAppendTime).'
  }),
  topicKey({
    name: 'min.cleanable.dirty.ratio',
    type: ConfigType.DOUBLE,
    default: '0.5',
    validator: between(0, 1),
    serverDefault: 'log.cleaner.min.cleanable.ratio',
    doc: 'Share of the log not yet compacted before the cleaner takes it on.'
  }),
  topicKey({
    name: 'min.compaction.lag.ms',
    type: ConfigType.LONG,
    default: '0',
    validator: atLeast(0),
    serverDefault: 'log.cleaner.min.compaction.lag.ms',
    doc: 'Youngest a record may be and still be compacted away.'
  }),
  topicKey({
    name: 'min.insync.replicas',
    type: ConfigType.INT,
    default: '1',
    validator: atLeast(1),
    serverDefault: 'min.insync.replicas',
    doc: 'In-sync replicas an acks=all produce needs.'
  }),
  topicKey({
    name: 'preallocate',
    type: ConfigType.BOOLEAN,
    default: 'false',
    serverDefault: 'log.preallocate',
    doc: 'Allocate new segment files at their full size.'
  }),
  topicKey({
    name: 'remote.log.copy.disable',
    type: ConfigType.BOOLEAN,
    default: 'false',
    doc: 'With tiered storage, stop copying segments to remote storage (KIP-950).'
  }),
  topicKey({
    name: 'remote.log.delete.on.disable',
    type: ConfigType.BOOLEAN,
    default: 'false',
    doc: 'With tiered storage, delete remote data when remote storage is turned off for the topic (KIP-950).'
  }),
  topicKey({
    name: 'remote.storage.enable',
    type: ConfigType.BOOLEAN,
    default: 'false',
    doc: 'Copy closed segments to remote storage (KIP-405); Tributary has no tiered storage yet, so only false is accepted.'
  }),
  topicKey({
    name: 'retention.bytes',
    type: ConfigType.LONG,
    default: '-1',
    serverDefault: 'log.retention.bytes',
    doc: 'Size a partition may grow to before its oldest segments are deleted; -1 for no limit.'
  }),
  topicKey({
    name: 'retention.ms',
    type: ConfigType.LONG,
    default: '604800000',
    validator: atLeast(-1),
    serverDefault: 'log.retention.ms',
    doc: 'Age after which closed segments are deleted; -1 for no limit.'
  }),
  topicKey({
    name: 'segment.bytes',
    type: ConfigType.INT,
    default: '1073741824',
    // KIP-1030: at least 1 MiB since Kafka 4.0.
    validator: atLeast(1048576),
    serverDefault: 'log.segment.bytes',
    doc: 'Size at which the active segment is closed and a new one begun.'
  }),
  topicKey({
    name: 'segment.index.bytes',
    type: ConfigType.INT,
    default: '10485760',
    validator: atLeast(4),
    serverDefault: 'log.index.size.max.bytes',
    doc: 'Largest offset or time index file of a segment.'
  }),
  topicKey({
    name: 'segment.jitter.ms',
    type: ConfigType.LONG,
    default: '0',
    validator: atLeast(0),
    serverDefault: 'log.roll.jitter.ms',
    doc: 'Most random time taken off segment.ms for each segment.'
  }),
  topicKey({
    name: 'segment.ms',
    type: ConfigType.LONG,
    default: '604800000',
    validator: atLeast(1),
    serverDefault: 'log.roll.ms',
    doc: 'Age at which the active segment is closed even if not full.'
  }),
  topicKey({
    name: 'unclean.leader.election.enable',
    type: ConfigType.BOOLEAN,
    default: 'false',
    serverDefault: 'unclean.leader.election.enable',
    doc: 'Let a replica outside the ISR become leader when no in-sync one is left, at the cost of losing records.'
  })
]

const BY_NAME: ReadonlyMap<string, TopicConfigDef> = new Map(TOPIC_CONFIG_DEFINITIONS.map(d => [d.name, d]))

export function findTopicDefinition (name: string): TopicConfigDef | undefined {
  return BY_NAME.get(name)
}
