import type { MetadataStore } from '@tributary/metadata'
import type { Logger } from '../network/index.js'
import type { BrokerConfig } from './broker-config.js'
import { findDefinition } from './definitions.js'
import { ConfigError } from './errors.js'
import { formatValue, parseValue } from './parse.js'
import { synonymNames } from './synonyms.js'
import { TOPIC_CONFIG_DEFINITIONS } from './topic-definitions.js'
import { ConfigSource, UpdateMode } from './types.js'

/**
 * Dynamic broker configuration (Kafka's DynamicBrokerConfig, KIP-226),
 * the part Tributary supports: the broker keys that are the defaults of
 * topic configs (log.retention.ms, log.cleanup.policy, message.max.bytes,
 * ...), for this broker (resource "<node id>") or as the cluster default
 * (resource ""). They are kept in the metadata store, so they survive
 * restarts, and they take effect through `current()`, which every reader
 * of topic configs goes through.
 *
 * Other keys Kafka can change at runtime (max.connections, listeners, ...)
 * need their components to reconfigure themselves, which they cannot yet:
 * AlterConfigs refuses them instead of storing a value that would not
 * apply.
 */
export const DYNAMIC_BROKER_KEYS: ReadonlySet<string> = new Set(TOPIC_CONFIG_DEFINITIONS.flatMap(d =>
  d.serverDefault === undefined ? [] : synonymNames(d.serverDefault).filter(n => findDefinition(n)?.updateMode !== UpdateMode.READ_ONLY)))

/** The resource name of the cluster-wide default in BROKER config resources. */
export const CLUSTER_DEFAULT_RESOURCE = ''

/**
 * Checks a complete dynamic set for a broker resource and returns it
 * normalised. Throws ConfigError with Kafka's message for keys that cannot
 * change at runtime, and ours for keys Tributary cannot change yet;
 * handlers send it as INVALID_REQUEST, as Kafka does (KAFKA-13609).
 */
export function validateDynamicBrokerConfigs (values: Readonly<Record<string, string | null>>): Record<string, string> {
  const readOnly: string[] = []
  const unsupported: string[] = []
  const normalised: Record<string, string> = {}
  for (const [name, raw] of Object.entries(values)) {
    const def = findDefinition(name)
    if (def === undefined) throw new ConfigError(`Unknown broker config: ${name}`, { key: name })
    if (def.updateMode === UpdateMode.READ_ONLY) { readOnly.push(name); continue }
    if (!DYNAMIC_BROKER_KEYS.has(name)) { unsupported.push(name); continue }
    if (raw === null) throw new ConfigError(`Null value not supported for broker config: ${name}`, { key: name })
    normalised[name] = formatValue(def, parseValue(def, raw)) ?? ''
  }
  if (readOnly.length > 0) throw new ConfigError(`Cannot update these configs dynamically: ${readOnly.sort().join(', ')}`)
  if (unsupported.length > 0) {
    throw new ConfigError(`Tributary cannot update these configs dynamically yet (set them in the configuration and restart): ${unsupported.sort().join(', ')}`)
  }
  return normalised
}

/**
 * The broker configuration in effect: the static settings with the dynamic
 * layers from the metadata image on top, rebuilt only when those change.
 */
export class DynamicBrokerConfig {
  private cached: { own: unknown, defaults: unknown, config: BrokerConfig } | undefined

  constructor (
    /** Defaults, properties file, environment, flags and overrides, as loaded at startup. */
    readonly staticConfig: BrokerConfig,
    private readonly metadata: MetadataStore,
    private readonly nodeId: number,
    private readonly log: Logger
  ) {}

  /** The resource name of this broker's own dynamic configs. */
  get resourceName (): string { return String(this.nodeId) }

  current (): BrokerConfig {
    const configs = this.metadata.image().brokerConfigs
    const own = configs.get(this.resourceName)
    const defaults = configs.get(CLUSTER_DEFAULT_RESOURCE)
    if (this.cached === undefined || this.cached.own !== own || this.cached.defaults !== defaults) {
      const config = this.layer(this.layer(this.staticConfig, own, ConfigSource.DYNAMIC_BROKER_CONFIG), defaults, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
      this.cached = { own, defaults, config }
    }
    return this.cached.config
  }

  /**
   * Stored values were valid when written; one that no longer is (after an
   * upgrade) is skipped with a warning rather than stopping the broker.
   */
  private layer (
    base: BrokerConfig,
    values: Readonly<Record<string, string>> | undefined,
    source: typeof ConfigSource.DYNAMIC_BROKER_CONFIG | typeof ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG
  ): BrokerConfig {
    if (values === undefined) return base
    const usable: Record<string, string> = {}
    for (const [key, value] of Object.entries(values)) {
      try {
        base.withDynamicConfig({ [key]: value }, source)
        usable[key] = value
      } catch (err) {
        this.log.warn({ key, value, source, err: (err as Error).message }, 'ignoring a stored dynamic broker config')
      }
    }
    return base.withDynamicConfig(usable, source)
  }
}
