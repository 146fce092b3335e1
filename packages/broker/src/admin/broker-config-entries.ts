import {
  CONFIG_SOURCE_CODE, ConfigSource, DYNAMIC_BROKER_KEYS, type BrokerConfig, type ConfigEntry, type TopicConfigEntry
} from '../config/index.js'

/**
 * DescribeConfigs entries of a broker resource, following Kafka's
 * ConfigHelper.createBrokerConfigEntry (see config/describe.ts for the
 * synonym rules). One difference, on purpose: `readOnly` says whether
 * Tributary can change the key at runtime (DYNAMIC_BROKER_KEYS), not
 * whether Kafka can, so that a tool does not offer an edit that would be
 * refused.
 */
function toWire (e: ConfigEntry, synonyms: ConfigEntry['synonyms']): TopicConfigEntry {
  return {
    name: e.name,
    value: e.value,
    source: CONFIG_SOURCE_CODE[synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG],
    isSensitive: e.isSensitive,
    readOnly: !DYNAMIC_BROKER_KEYS.has(e.name),
    type: e.type,
    documentation: e.documentation,
    synonyms: synonyms.map(s => ({ name: s.name, value: s.value, source: CONFIG_SOURCE_CODE[s.source] }))
  }
}

function wanted (keys: readonly string[] | null | undefined): (name: string) => boolean {
  if (keys === null || keys === undefined || keys.length === 0) return () => true
  const set = new Set(keys)
  return name => set.has(name)
}

const byName = (a: { name: string }, b: { name: string }): number => a.name < b.name ? -1 : a.name > b.name ? 1 : 0

/** Every key of this broker (resource "<node id>"), in effect now. */
export function describeBrokerConfigs (config: BrokerConfig, keys?: readonly string[] | null): TopicConfigEntry[] {
  const pick = wanted(keys)
  return config.describe().filter(e => pick(e.name)).map(e => toWire(e, e.synonyms)).sort(byName)
}

/**
 * The cluster-wide default resource (""): only the keys set as dynamic
 * defaults, and only that source in their synonyms, as Kafka answers it.
 */
export function describeClusterDefaultConfigs (config: BrokerConfig, defaults: Readonly<Record<string, string>>, keys?: readonly string[] | null): TopicConfigEntry[] {
  const pick = wanted(keys)
  const names = Object.keys(defaults).filter(pick)
  return config.describe(names).map(e => {
    const synonyms = e.synonyms.filter(s => s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
    return { ...toWire(e, synonyms), value: synonyms.find(s => s.name === e.name)?.value ?? e.value }
  }).sort(byName)
}
