import { BrokerConfig } from './broker-config.js'
import { findDefinition } from './definitions.js'
import { parseValue } from './parse.js'
import type { Setting } from './resolve.js'
import { fromEnv, fromFile, fromRecord, parseArgv } from './sources.js'
import type { RawSetting } from './sources.js'
import { ConfigOrigin, ConfigSource } from './types.js'
import type { RawValue } from './types.js'

export interface LoadConfigOptions {
  /** A Java properties file, Kafka's server.properties format. */
  file?: string
  /**
   * Environment to read TRIBUTARY_* variables from, usually process.env.
   * Not read when omitted, so that embedding code and tests see only what
   * they pass.
   */
  env?: Readonly<Record<string, string | undefined>>
  /** Raw command-line flags: `['--log-dirs', '/tmp/t', '--config', 'broker.properties']`. */
  argv?: readonly string[]
  /** Flags already parsed by a CLI, keyed by Kafka name: `{ 'log.dirs': '/tmp/t' }`. */
  flags?: Readonly<Record<string, RawValue | null | undefined>>
  /** Programmatic values keyed by Kafka name, the highest precedence. */
  overrides?: Readonly<Record<string, RawValue | null | undefined>>
}

/**
 * Builds the broker configuration from, lowest precedence first: defaults,
 * the properties file, TRIBUTARY_* environment variables, command-line
 * flags, programmatic overrides. Throws ConfigError on any invalid value,
 * unknown flag or override, or inconsistent combination; unknown keys in
 * the file only produce warnings (`config.warnings`), as in Kafka.
 */
export function loadConfig (options: LoadConfigOptions = {}): BrokerConfig {
  const fromArgv = options.argv === undefined ? undefined : parseArgv(options.argv)
  const file = fromArgv?.file ?? options.file
  const warnings: string[] = []
  const inputs: RawSetting[][] = []

  if (file !== undefined) {
    const r = fromFile(file)
    warnings.push(...r.warnings)
    inputs.push(r.settings)
  }
  if (options.env !== undefined) inputs.push(fromEnv(options.env).settings)
  if (fromArgv !== undefined) inputs.push(fromArgv.settings)
  if (options.flags !== undefined) inputs.push(fromRecord(options.flags, ConfigOrigin.FLAG).settings)
  if (options.overrides !== undefined) inputs.push(fromRecord(options.overrides, ConfigOrigin.OVERRIDE).settings)

  // Later inputs replace earlier ones key by key; only the value that wins
  // is validated, as Kafka validates only the merged properties.
  const winners = new Map<string, RawSetting>()
  for (const settings of inputs) for (const s of settings) winners.set(s.key, s)

  const staticLayer = new Map<string, Setting>()
  for (const s of winners.values()) {
    const def = findDefinition(s.key)!
    staticLayer.set(s.key, { value: parseValue(def, s.raw, s.where), where: s.where, origin: s.origin })
    if (def.noEffect === true) warnings.push(`${s.key} has no effect in Tributary (from ${s.where})`)
  }
  return new BrokerConfig(new Map([[ConfigSource.STATIC_BROKER_CONFIG, staticLayer]]), warnings)
}
