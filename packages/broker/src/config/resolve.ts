import { CONFIG_DEFINITIONS } from './definitions.js'
import { ConfigError } from './errors.js'
import { formatValue, parseValue } from './parse.js'
import { synonymGroupOf } from './synonyms.js'
import type { SynonymGroup } from './synonyms.js'
import { ConfigSource, SOURCE_PRECEDENCE } from './types.js'
import type { ConfigDef, ConfigOrigin, ConfigValue } from './types.js'

/**
 * Works out, for every key, the value in effect and where it came from,
 * from the layered settings (dynamic > static > default) and the synonym
 * rules. Pure: the same layers always give the same answer, so dynamic
 * updates later are "add a layer and resolve again".
 */

/** A parsed, validated value set by some input. */
export interface Setting {
  readonly value: ConfigValue
  /** Where it was set, for messages ("--log-dirs", "server.properties:3"). */
  readonly where: string
  readonly origin?: ConfigOrigin
}

/** The explicit settings of each non-default source. */
export type Layers = ReadonlyMap<ConfigSource, ReadonlyMap<string, Setting>>

export interface ResolvedValue {
  readonly key: string
  /** The value in effect; null when the key is unset and has no default. */
  readonly value: ConfigValue | null
  readonly source: ConfigSource
  /** The key that supplied the value: a synonym of `key` when one won. */
  readonly from: string
  /** Input that set it, absent for defaults. */
  readonly where?: string
}

const DEFAULTS: ReadonlyMap<string, ConfigValue | null> = new Map(
  CONFIG_DEFINITIONS.map(d => [d.name, d.default === null ? null : parseValue(d, d.default, 'built-in default')]))

const DEFINITIONS: ReadonlyMap<string, ConfigDef> = new Map(CONFIG_DEFINITIONS.map(d => [d.name, d]))

export function defaultValue (key: string): ConfigValue | null {
  return DEFAULTS.get(key) ?? null
}

/**
 * The value `key` has in one source, counting the copy Kafka makes between
 * mirrored names (broker.id reads as node.id when only node.id is set).
 */
export function settingAt (layers: Layers, key: string, source: ConfigSource): Setting | undefined {
  const own = rawSettingAt(layers, key, source)
  if (own !== undefined) return own
  const group = synonymGroupOf(key)
  if (group?.mirrored !== true) return undefined
  for (const m of group.members) {
    if (m.name === key) continue
    const other = rawSettingAt(layers, m.name, source)
    if (other !== undefined) return other
  }
  return undefined
}

function rawSettingAt (layers: Layers, key: string, source: ConfigSource): Setting | undefined {
  if (source === ConfigSource.DEFAULT_CONFIG) {
    const d = DEFAULTS.get(key)
    return d === null || d === undefined ? undefined : { value: d, where: 'default' }
  }
  return layers.get(source)?.get(key)
}

/** The highest-precedence explicit (non-default) setting of exactly `key`. */
function explicit (layers: Layers, key: string): { setting: Setting, source: ConfigSource } | undefined {
  for (const source of SOURCE_PRECEDENCE) {
    if (source === ConfigSource.DEFAULT_CONFIG) continue
    const setting = layers.get(source)?.get(key)
    if (setting !== undefined) return { setting, source }
  }
  return undefined
}

export function resolveKey (layers: Layers, key: string): ResolvedValue {
  const group = synonymGroupOf(key)
  if (group !== undefined && group.mirrored !== true && group.primary === key) return resolveGroup(layers, group)
  const names = group?.mirrored === true
    ? [key, ...group.members.map(m => m.name).filter(n => n !== key)]
    : [key]
  for (const name of names) {
    const e = explicit(layers, name)
    if (e !== undefined) return { key, value: e.setting.value, source: e.source, from: name, where: e.setting.where }
  }
  for (const name of names) {
    const d = DEFAULTS.get(name) ?? null
    if (d !== null) return { key, value: d, source: ConfigSource.DEFAULT_CONFIG, from: name }
  }
  return { key, value: null, source: ConfigSource.DEFAULT_CONFIG, from: key }
}

function resolveGroup (layers: Layers, group: SynonymGroup): ResolvedValue {
  const finish = (value: ConfigValue, toPrimary: ((v: ConfigValue) => ConfigValue) | undefined): ConfigValue => {
    const converted = toPrimary === undefined ? value : toPrimary(value)
    return group.normalize === undefined ? converted : group.normalize(converted)
  }
  for (const m of group.members) {
    const e = explicit(layers, m.name)
    if (e !== undefined) {
      return {
        key: group.primary,
        value: finish(e.setting.value, m.toPrimary),
        source: e.source,
        from: m.name,
        where: e.setting.where
      }
    }
  }
  for (const m of group.members) {
    const d = DEFAULTS.get(m.name) ?? null
    if (d !== null) return { key: group.primary, value: finish(d, m.toPrimary), source: ConfigSource.DEFAULT_CONFIG, from: m.name }
  }
  return { key: group.primary, value: null, source: ConfigSource.DEFAULT_CONFIG, from: group.primary }
}

/**
 * Cross-name checks and notes. Mirrored names set to different values stop
 * startup (Kafka: node.id and broker.id must match). A lower synonym that
 * is set but loses to a higher one is legal, so it is only a warning.
 */
export function checkSynonyms (layers: Layers, groups: readonly SynonymGroup[]): string[] {
  const warnings: string[] = []
  for (const group of groups) {
    const set = group.members
      .map(m => ({ name: m.name, e: explicit(layers, m.name) }))
      .filter((x): x is { name: typeof x.name, e: NonNullable<typeof x.e> } => x.e !== undefined)
    if (set.length < 2) continue
    const [winner, ...losers] = set as [typeof set[number], ...typeof set]
    for (const loser of losers) {
      const def = DEFINITIONS.get(loser.name)!
      const shown = (name: string, value: ConfigValue): string => `${name}=${formatValue(DEFINITIONS.get(name)!, value) ?? ''}`
      if (group.mirrored === true) {
        if (formatValue(def, loser.e.setting.value) !== formatValue(DEFINITIONS.get(winner.name)!, winner.e.setting.value)) {
          throw new ConfigError(
            `${shown(winner.name, winner.e.setting.value)} (from ${winner.e.setting.where}) and ` +
            `${shown(loser.name, loser.e.setting.value)} (from ${loser.e.setting.where}) must be equal when both are set`,
            { key: loser.name })
        }
        continue
      }
      warnings.push(
        `${shown(loser.name, loser.e.setting.value)} (from ${loser.e.setting.where}) is ignored: ` +
        `${winner.name} (from ${winner.e.setting.where}) takes precedence`)
    }
  }
  return warnings
}
