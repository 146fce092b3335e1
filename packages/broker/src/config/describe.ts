import { isSensitive } from './definitions.js'
import { formatValue } from './parse.js'
import { settingAt } from './resolve.js'
import type { Layers } from './resolve.js'
import { synonymNames } from './synonyms.js'
import { ConfigSource, SOURCE_PRECEDENCE, UpdateMode } from './types.js'
import type { ConfigDef, ConfigType } from './types.js'

/**
 * Config entries as DescribeConfigs reports a broker resource, following
 * Kafka's rules (ConfigHelper.createBrokerConfigEntry) so that admin tools
 * show what they show for Kafka:
 *
 * - `value` is the key's own value, not a synonym's: log.retention.ms is
 *   null until it is set, even though hours supply the effective retention
 *   (use BrokerConfig.explain() for the effective one);
 * - synonyms are listed source by source (dynamic, static, default) and
 *   name by name within a source, then cut before the first entry of the
 *   key itself; `source` is that first entry's source;
 * - sensitive values are null everywhere.
 */

export interface ConfigSynonym {
  readonly name: string
  readonly value: string | null
  readonly source: ConfigSource
}

export interface ConfigEntry {
  readonly name: string
  readonly value: string | null
  readonly source: ConfigSource
  readonly isDefault: boolean
  readonly isSensitive: boolean
  readonly readOnly: boolean
  readonly type: ConfigType
  readonly documentation: string
  readonly synonyms: readonly ConfigSynonym[]
}

export function describeKey (layers: Layers, def: ConfigDef, lookup: (name: string) => ConfigDef): ConfigEntry {
  const sensitive = isSensitive(def)
  const all: ConfigSynonym[] = []
  for (const source of SOURCE_PRECEDENCE) {
    for (const name of synonymNames(def.name)) {
      const s = settingAt(layers, name, source)
      if (s === undefined) continue
      all.push({ name, value: sensitive ? null : formatValue(lookup(name), s.value), source })
    }
  }
  const first = all.findIndex(s => s.name === def.name)
  const synonyms = first < 0 ? [] : all.slice(first)
  const source = synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG
  return {
    name: def.name,
    value: sensitive ? null : (synonyms[0]?.value ?? null),
    source,
    isDefault: source === ConfigSource.DEFAULT_CONFIG,
    isSensitive: sensitive,
    readOnly: def.updateMode === UpdateMode.READ_ONLY,
    type: def.type,
    documentation: def.doc,
    synonyms
  }
}
