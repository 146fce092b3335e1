import type { BrokerConfig } from './broker-config.js'
import { ConfigError } from './errors.js'
import { formatValue, parseValue } from './parse.js'
import { TOPIC_CONFIG_DEFINITIONS, findTopicDefinition, type TopicConfigDef } from './topic-definitions.js'
import { CONFIG_SOURCE_CODE, ConfigSource } from './types.js'
import type { ConfigType, ConfigValue } from './types.js'

/**
 * Topic configs as Kafka computes and reports them (ConfigHelper
 * createTopicConfigEntry, LogConfig.validate): the value in effect, where
 * it came from, and the synonyms behind it.
 */

/** DescribeConfigs' ConfigSource id of a topic override (DYNAMIC_TOPIC_CONFIG). */
export const TOPIC_CONFIG_SOURCE = 1
const DEFAULT_SOURCE = CONFIG_SOURCE_CODE[ConfigSource.DEFAULT_CONFIG]

export interface WireSynonym { readonly name: string, readonly value: string | null, readonly source: number }

export interface TopicConfigEntry {
  readonly name: string
  readonly value: string | null
  /** A DescribeConfigs ConfigSource id. */
  readonly source: number
  readonly isSensitive: boolean
  readonly readOnly: boolean
  readonly type: ConfigType
  readonly documentation: string
  /** The override first (if any), then the broker synonyms that are set, as Kafka lists them. */
  readonly synonyms: readonly WireSynonym[]
}

/** The typed value of one key for a topic with these overrides. */
export function topicConfigValue (config: BrokerConfig, overrides: Readonly<Record<string, string>>, def: TopicConfigDef): ConfigValue | null {
  const own = overrides[def.name]
  if (own !== undefined) return parseValue(def, own)
  if (def.serverDefault !== undefined) return config.get(def.serverDefault)
  return def.default === null ? null : parseValue(def, def.default)
}

/**
 * Every topic config in effect for a topic, typed, by Kafka name. This is
 * what the log and produce paths should read (retention.ms,
 * max.message.bytes, ...), so that overrides and dynamic broker defaults
 * apply without a restart.
 */
export function effectiveTopicConfigs (config: BrokerConfig, overrides: Readonly<Record<string, string>>): Map<string, ConfigValue | null> {
  return new Map(TOPIC_CONFIG_DEFINITIONS.map(d => [d.name, topicConfigValue(config, overrides, d)]))
}

function describeOne (config: BrokerConfig, overrides: Readonly<Record<string, string>>, def: TopicConfigDef): TopicConfigEntry {
  const value = formatValue(def, topicConfigValue(config, overrides, def))
  const brokerSynonyms: WireSynonym[] = def.serverDefault === undefined
    ? []
    : config.describe([def.serverDefault])[0]!.synonyms.map(s => ({ name: s.name, value: s.value, source: CONFIG_SOURCE_CODE[s.source] }))
  const synonyms = overrides[def.name] === undefined
    ? brokerSynonyms
    : [{ name: def.name, value, source: TOPIC_CONFIG_SOURCE }, ...brokerSynonyms]
  return {
    name: def.name,
    value,
    source: synonyms[0]?.source ?? DEFAULT_SOURCE,
    isSensitive: false,
    readOnly: false,
    type: def.type,
    documentation: def.doc,
    synonyms
  }
}

/**
 * DescribeConfigs entries of a topic, sorted by name; `keys` null or empty
 * means all, unknown keys are left out (as Kafka does).
 */
export function describeTopicConfigs (
  config: BrokerConfig,
  overrides: Readonly<Record<string, string>>,
  keys?: readonly string[] | null
): TopicConfigEntry[] {
  const wanted = keys === undefined || keys === null || keys.length === 0 ? undefined : new Set(keys)
  return TOPIC_CONFIG_DEFINITIONS
    .filter(d => wanted === undefined || wanted.has(d.name))
    .map(d => describeOne(config, overrides, d))
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
}

/**
 * Checks a complete set of topic overrides and returns it normalised (the
 * text Kafka would show: "compact, delete" becomes "compact,delete").
 * Throws ConfigError with Kafka's kind of message, which handlers send as
 * INVALID_CONFIG: an unknown name, a value that does not fit its key
 * (naming the key and what is allowed), or a combination Kafka refuses.
 */
export function validateTopicConfigs (config: BrokerConfig, overrides: Readonly<Record<string, string | null>>): Record<string, string> {
  const normalised: Record<string, string> = {}
  for (const [name, raw] of Object.entries(overrides)) {
    const def = findTopicDefinition(name)
    if (def === undefined) throw new ConfigError(`Unknown topic config name: ${name}`, { key: name })
    if (raw === null) throw new ConfigError(`Null value not supported for topic configs: ${name}`, { key: name })
    normalised[name] = formatValue(def, parseValue(def, raw)) ?? ''
  }
  if (normalised['remote.storage.enable'] === 'true') {
    throw new ConfigError('Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
      { key: 'remote.storage.enable' })
  }
  const minLag = topicConfigValue(config, normalised, findTopicDefinition('min.compaction.lag.ms')!) as bigint
  const maxLag = topicConfigValue(config, normalised, findTopicDefinition('max.compaction.lag.ms')!) as bigint
  if (minLag > maxLag) {
    throw new ConfigError(`conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`,
      { key: 'min.compaction.lag.ms' })
  }
  return normalised
}
