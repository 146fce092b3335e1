import type { LogConfig } from '@tributary/log'
import type { BrokerConfig } from '../config/index.js'
import { effectiveTopicConfigs } from '../config/topic-configs.js'
import type { ConfigValue } from '../config/types.js'

/** Long.MAX_VALUE: Kafka's "never" for flush.messages and flush.ms. */
const LONG_MAX = 9223372036854775807n

const num = (v: ConfigValue | null | undefined, fallback: number): number => {
  if (v === null || v === undefined) return fallback
  const n = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)))
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n)
}

const isSet = (v: ConfigValue | null | undefined): boolean => v !== null && v !== undefined && BigInt(v as bigint) < LONG_MAX

/**
 * The log's configuration for a topic, from the topic configs in effect
 * (override, else the broker's log.* key, else Kafka's default).
 *
 * Flush policy (DESIGN.md §1 principle 3): durable by default ('fsync',
 * group commit before acks=all is answered). Setting flush.messages or
 * flush.ms — on the topic or through the broker's log.flush.interval.* —
 * to anything but Long.MAX selects Kafka's page-cache behaviour.
 */
export function logConfigFor (config: BrokerConfig, overrides: Readonly<Record<string, string>>): LogConfig {
  const c = effectiveTopicConfigs(config, overrides)
  const pagecache = isSet(c.get('flush.messages')) || isSet(c.get('flush.ms'))
  const policy = (c.get('cleanup.policy') as readonly string[] | null) ?? ['delete']
  return {
    segmentBytes: num(c.get('segment.bytes'), 1 << 30),
    segmentMs: num(c.get('segment.ms'), 604800000),
    segmentIndexBytes: num(c.get('segment.index.bytes'), 10485760),
    indexIntervalBytes: num(c.get('index.interval.bytes'), 4096),
    flushPolicy: pagecache ? 'pagecache' : 'fsync',
    flushMessages: num(c.get('flush.messages'), Number.MAX_SAFE_INTEGER),
    flushMs: num(c.get('flush.ms'), Number.MAX_SAFE_INTEGER),
    retentionMs: num(c.get('retention.ms'), 604800000),
    retentionBytes: num(c.get('retention.bytes'), -1),
    cleanupPolicy: policy.filter((p): p is 'delete' | 'compact' => p === 'delete' || p === 'compact'),
    deleteRetentionMs: num(c.get('delete.retention.ms'), 86400000),
    minCleanableDirtyRatio: Number(c.get('min.cleanable.dirty.ratio') ?? 0.5),
    minCompactionLagMs: num(c.get('min.compaction.lag.ms'), 0),
    maxCompactionLagMs: num(c.get('max.compaction.lag.ms'), Number.MAX_SAFE_INTEGER),
    fileDeleteDelayMs: num(c.get('file.delete.delay.ms'), 60000)
  }
}

/** The topic configs the produce path checks, resolved once per request. */
export interface ProduceSettings {
  maxMessageBytes: number
  logAppendTime: boolean
  /** message.timestamp.before.max.ms / after.max.ms (KIP-937). */
  beforeMaxMs: bigint
  afterMaxMs: bigint
  compacted: boolean
}

const settingsCache = new WeakMap<object, { config: BrokerConfig, settings: ProduceSettings }>()

/**
 * The produce-time settings of a topic, resolved once per pair of topic
 * overrides and broker configuration: both are immutable objects that are
 * replaced on change (metadata image, dynamic config), so identity keys the
 * cache and the produce path does not resolve every topic key per request.
 */
export function produceSettingsFor (config: BrokerConfig, overrides: Readonly<Record<string, string>>): ProduceSettings {
  const cached = settingsCache.get(overrides)
  if (cached !== undefined && cached.config === config) return cached.settings
  const settings = resolveProduceSettings(config, overrides)
  settingsCache.set(overrides, { config, settings })
  return settings
}

function resolveProduceSettings (config: BrokerConfig, overrides: Readonly<Record<string, string>>): ProduceSettings {
  const c = effectiveTopicConfigs(config, overrides)
  return {
    maxMessageBytes: num(c.get('max.message.bytes'), 1048588),
    logAppendTime: c.get('message.timestamp.type') === 'LogAppendTime',
    beforeMaxMs: BigInt(c.get('message.timestamp.before.max.ms') as bigint ?? LONG_MAX),
    afterMaxMs: BigInt(c.get('message.timestamp.after.max.ms') as bigint ?? 3600000n),
    compacted: ((c.get('cleanup.policy') as readonly string[] | null) ?? []).includes('compact')
  }
}
