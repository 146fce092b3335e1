import { resolve as resolvePath } from 'node:path'
import { parseConnectionOverrides } from './connection-overrides.js'
import { CONFIG_DEFINITIONS, findDefinition } from './definitions.js'
import type { BooleanKey, ConfigKey, DoubleKey, IntKey, ListKey, LongKey, StringKey } from './definitions.js'
import { describeKey } from './describe.js'
import type { ConfigEntry } from './describe.js'
import { ConfigError } from './errors.js'
import {
  checkAdvertisedListeners,
  parseListenerList,
  parseSecurityProtocolMap,
  resolveSecurityProtocols
} from './listeners.js'
import type { ListenerSpec } from './listeners.js'
import { formatValue, parseValue } from './parse.js'
import { checkSynonyms, resolveKey } from './resolve.js'
import type { Layers, ResolvedValue, Setting } from './resolve.js'
import { SYNONYM_GROUPS } from './synonyms.js'
import { ConfigOrigin, ConfigSource, UpdateMode } from './types.js'
import type { ConfigDef, ConfigValue, RawValue } from './types.js'

/**
 * The broker's resolved configuration: immutable, validated as a whole when
 * built (a BrokerConfig that exists can start a broker), with typed getters
 * for effective values and Kafka-style descriptions for DescribeConfigs.
 * Build one with loadConfig(); derive changed copies with withOverrides()
 * and withDynamicConfig().
 */
export class BrokerConfig {
  /** Non-fatal findings while loading: unknown file keys, shadowed synonyms, no-op keys. */
  readonly warnings: readonly string[]
  readonly nodeId: number
  /** Set only when configured; otherwise meta.properties supplies it (written by the metadata store on first start). */
  readonly clusterId: string | undefined
  /** Absolute data directories, log.dirs or else log.dir. */
  readonly logDirs: readonly string[]
  /** What to bind, one entry per `listeners` item. */
  readonly listeners: readonly ListenerSpec[]
  /** What to tell clients; `listeners` when advertised.listeners is unset. Build endpoints with advertisedEndpoint(). */
  readonly advertisedListeners: readonly ListenerSpec[]
  readonly interBrokerListenerName: string
  /** max.connections.per.ip.overrides as host -> limit. */
  readonly maxConnectionsPerIpOverrides: Readonly<Record<string, number>>

  private readonly layers: Layers
  private readonly loadWarnings: readonly string[]
  private readonly resolved: ReadonlyMap<string, ResolvedValue>

  constructor (layers: Layers, warnings: readonly string[] = []) {
    this.layers = layers
    this.loadWarnings = warnings
    this.warnings = [...warnings, ...checkSynonyms(layers, SYNONYM_GROUPS)]
    this.resolved = new Map(CONFIG_DEFINITIONS.map(d => [d.name, resolveKey(layers, d.name)]))

    this.nodeId = this.getInt('node.id')
    this.clusterId = this.getString('cluster.id') ?? undefined
    this.logDirs = this.getList('log.dirs').map(d => resolvePath(d))
    if (new Set(this.logDirs).size !== this.logDirs.length) {
      throw new ConfigError(`log.dirs names the same directory twice: ${this.logDirs.join(', ')}`, { key: 'log.dirs' })
    }

    const protocolMap = unwrap(parseSecurityProtocolMap(this.getString('listener.security.protocol.map') ?? ''))
    const bound = unwrap(parseListenerList(this.getString('listeners') ?? ''))
    this.listeners = resolveSecurityProtocols(bound, protocolMap, 'listeners')
    const advertisedText = this.getString('advertised.listeners')
    if (advertisedText === null) {
      this.advertisedListeners = this.listeners
    } else {
      const advertised = unwrap(parseListenerList(advertisedText))
      checkAdvertisedListeners(advertised, bound)
      this.advertisedListeners = resolveSecurityProtocols(advertised, protocolMap, 'advertised.listeners')
    }
    this.interBrokerListenerName = this.pickInterBrokerListener()
    this.maxConnectionsPerIpOverrides = unwrap(parseConnectionOverrides(this.getString('max.connections.per.ip.overrides') ?? ''))
  }

  /**
   * Kafka requires the inter-broker listener to be advertised. Unset, Kafka
   * falls back to security.inter.broker.protocol (PLAINTEXT); we take the
   * listener named PLAINTEXT, or else the first advertised one, so that a
   * single node with a custom listener name needs no extra key.
   */
  private pickInterBrokerListener (): string {
    const names = this.advertisedListeners.map(l => l.name)
    const configured = this.getString('inter.broker.listener.name')
    if (configured !== null) {
      const name = configured.toUpperCase()
      if (!names.includes(name)) {
        throw new ConfigError(
          `inter.broker.listener.name is ${configured}, which is not an advertised listener (${names.join(', ')})`,
          { key: 'inter.broker.listener.name' })
      }
      return name
    }
    return names.includes('PLAINTEXT') ? 'PLAINTEXT' : names[0]!
  }

  /** The effective value of a key, after synonyms; null when unset without default. */
  get (key: ConfigKey): ConfigValue | null {
    return this.entry(key).value
  }

  getInt (key: IntKey): number {
    return this.required(key) as number
  }

  getLong (key: LongKey): bigint {
    return this.required(key) as bigint
  }

  /**
   * A long as a JavaScript number, for timers and sizes. Values past
   * Number.MAX_SAFE_INTEGER (Kafka's Long.MAX_VALUE "never") saturate there.
   */
  getLongAsNumber (key: LongKey): number {
    const v = this.getLong(key)
    const max = BigInt(Number.MAX_SAFE_INTEGER)
    if (v > max) return Number.MAX_SAFE_INTEGER
    if (v < -max) return -Number.MAX_SAFE_INTEGER
    return Number(v)
  }

  getDouble (key: DoubleKey): number {
    return this.required(key) as number
  }

  getBoolean (key: BooleanKey): boolean {
    return this.required(key) as boolean
  }

  /** Strings may be unset (advertised.listeners, cluster.id): null then. */
  getString (key: StringKey): string | null {
    return this.get(key) as string | null
  }

  getList (key: ListKey): readonly string[] {
    return this.required(key) as readonly string[]
  }

  /** Where a key's effective value came from: source, winning synonym and input. */
  explain (key: ConfigKey): ResolvedValue & { readonly text: string | null } {
    const r = this.entry(key)
    return { ...r, text: formatValue(this.definition(key), r.value) }
  }

  source (key: ConfigKey): ConfigSource {
    return this.entry(key).source
  }

  /** Every key (or the given ones) as DescribeConfigs would report it; see describe.ts. */
  describe (keys?: readonly string[]): ConfigEntry[] {
    const defs = keys === undefined ? CONFIG_DEFINITIONS : keys.map(k => this.definition(k))
    return defs.map(d => describeKey(this.layers, d, name => this.definition(name)))
  }

  /** A copy with more programmatic overrides on top of the static settings. */
  withOverrides (overrides: Readonly<Record<string, RawValue | null | undefined>>): BrokerConfig {
    const staticLayer = new Map(this.layers.get(ConfigSource.STATIC_BROKER_CONFIG) ?? [])
    for (const [key, raw] of Object.entries(overrides)) {
      if (raw === undefined || raw === null) continue
      const def = findDefinition(key)
      if (def === undefined) throw new ConfigError(`Unknown configuration '${key}' in overrides`, { key })
      const where = 'overrides'
      staticLayer.set(key, { value: parseValue(def, raw, where), where, origin: ConfigOrigin.OVERRIDE })
    }
    return this.withLayer(ConfigSource.STATIC_BROKER_CONFIG, staticLayer)
  }

  /**
   * A copy whose dynamic layer (per-broker, or the cluster-wide default) is
   * replaced by `values`, for AlterConfigs later. Kafka's rules apply:
   * read-only keys cannot change at runtime, and per-broker keys cannot be
   * set as a cluster default.
   */
  withDynamicConfig (
    values: Readonly<Record<string, RawValue>>,
    source: typeof ConfigSource.DYNAMIC_BROKER_CONFIG | typeof ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG = ConfigSource.DYNAMIC_BROKER_CONFIG
  ): BrokerConfig {
    const layer = new Map<string, Setting>()
    for (const [key, raw] of Object.entries(values)) {
      const def = findDefinition(key)
      if (def === undefined) throw new ConfigError(`Unknown configuration '${key}'`, { key })
      if (def.updateMode === UpdateMode.READ_ONLY) {
        throw new ConfigError(`Cannot update ${key} dynamically: it is read-only and needs a restart`, { key })
      }
      if (def.updateMode === UpdateMode.PER_BROKER && source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG) {
        throw new ConfigError(`Cannot set ${key} as a cluster default: it can only be set for one broker`, { key })
      }
      const where = source === ConfigSource.DYNAMIC_BROKER_CONFIG ? 'dynamic broker config' : 'dynamic default broker config'
      layer.set(key, { value: parseValue(def, raw, where), where })
    }
    return this.withLayer(source, layer)
  }

  private withLayer (source: ConfigSource, layer: ReadonlyMap<string, Setting>): BrokerConfig {
    const layers = new Map(this.layers)
    layers.set(source, layer)
    return new BrokerConfig(layers, this.loadWarnings)
  }

  private entry (key: string): ResolvedValue {
    const r = this.resolved.get(key)
    if (r === undefined) throw new ConfigError(`Unknown configuration '${key}'`, { key })
    return r
  }

  private definition (key: string): ConfigDef {
    const def = findDefinition(key)
    if (def === undefined) throw new ConfigError(`Unknown configuration '${key}'`, { key })
    return def
  }

  private required (key: string): ConfigValue {
    const v = this.entry(key).value
    // Only keys without default that nobody set are null; asking a typed
    // getter for one is a programming error, not a user error.
    if (v === null) throw new Error(`configuration ${key} has no value; use get() for optional keys`)
    return v
  }
}

function unwrap<T> (r: { ok: true, value: T } | { ok: false, reason: string }): T {
  // Values were validated on input; a failure here is a bug in a validator.
  if (!r.ok) throw new Error(`invalid configuration passed validation: ${r.reason}`)
  return r.value
}
