import { readFileSync } from 'node:fs'
import { CONFIG_DEFINITIONS, findDefinition } from './definitions.js'
import { ConfigError } from './errors.js'
import { parseProperties, PropertiesSyntaxError } from './properties.js'
import { ConfigOrigin } from './types.js'
import type { RawValue } from './types.js'

/**
 * Reads each static input into a list of raw settings. Nothing is parsed
 * or validated here; `load.ts` merges the inputs by precedence
 * (file < env < flags < overrides) and validates the values that win.
 */

export interface RawSetting {
  readonly key: string
  readonly raw: RawValue
  readonly origin: ConfigOrigin
  /** For messages: "--log-dirs", "TRIBUTARY_LOG_DIRS", "/etc/tributary.properties:3". */
  readonly where: string
}

export interface SourceResult {
  readonly settings: RawSetting[]
  readonly warnings: string[]
}

export const ENV_PREFIX = 'TRIBUTARY_'

/** `log.dirs` -> `TRIBUTARY_LOG_DIRS`. */
export function envVarName (key: string): string {
  return ENV_PREFIX + key.toUpperCase().replace(/\./g, '_')
}

/** `log.dirs` -> `log-dirs` (used as `--log-dirs`). */
export function flagName (key: string): string {
  return key.replace(/\./g, '-')
}

const KEY_BY_FLAG: ReadonlyMap<string, string> = new Map(CONFIG_DEFINITIONS.map(d => [flagName(d.name), d.name]))

/**
 * A properties file. Unknown keys are kept out and reported as warnings,
 * as Kafka logs "supplied but isn't a known config" and starts anyway:
 * files are often shared with tools that read other keys.
 */
export function fromFile (path: string): SourceResult {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message
    throw new ConfigError(`Cannot read configuration file ${path}: ${reason}`, { cause: err })
  }
  return fromPropertiesText(text, path)
}

export function fromPropertiesText (text: string, name: string): SourceResult {
  let entries
  try {
    entries = parseProperties(text)
  } catch (err) {
    if (err instanceof PropertiesSyntaxError) throw new ConfigError(`${err.message} of ${name}`, { cause: err })
    throw err
  }
  const settings: RawSetting[] = []
  const warnings: string[] = []
  for (const e of entries) {
    const where = `${name}:${e.line}`
    if (findDefinition(e.key) === undefined) {
      warnings.push(`Ignoring unknown configuration '${e.key}' (from ${where})`)
      continue
    }
    settings.push({ key: e.key, raw: e.value, origin: ConfigOrigin.FILE, where })
  }
  return { settings, warnings }
}

/**
 * Environment variables named after known keys. Other variables, including
 * other TRIBUTARY_ ones, are not ours to judge and are ignored. An empty
 * variable counts as unset, the usual shell and compose convention.
 */
export function fromEnv (env: Readonly<Record<string, string | undefined>>): SourceResult {
  const settings: RawSetting[] = []
  for (const def of CONFIG_DEFINITIONS) {
    const name = envVarName(def.name)
    const value = env[name]
    if (value === undefined || value === '') continue
    settings.push({ key: def.name, raw: value, origin: ConfigOrigin.ENV, where: name })
  }
  return { settings, warnings: [] }
}

/**
 * Command-line flags: `--log-dirs /tmp/t`, `--log-dirs=/tmp/t`, and
 * `--config FILE`. A boolean key given alone means true. An unknown flag or a
 * stray argument is an error: unlike a shared file, a command line is
 * written for this program, so a typo must not be silently dropped.
 */
export function parseArgv (argv: readonly string[]): { file?: string, settings: RawSetting[] } {
  const settings: RawSetting[] = []
  let file: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('--') || arg === '--') {
      throw new ConfigError(`Unexpected argument '${arg}': configuration flags look like --log-dirs /tmp/data`)
    }
    const eq = arg.indexOf('=')
    const flag = arg.slice(2, eq < 0 ? undefined : eq)
    let value: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1)
    const key = flag === 'config' ? 'config' : KEY_BY_FLAG.get(flag)
    if (key === undefined) throw new ConfigError(`Unknown option '--${flag}'`)
    if (value === undefined) {
      const next = argv[i + 1]
      const isBoolean = findDefinition(key)?.type === 'boolean'
      if (next !== undefined && !next.startsWith('--')) {
        value = next
        i++
      } else if (isBoolean) {
        value = 'true'
      } else {
        throw new ConfigError(`Option '--${flag}' needs a value`, { key })
      }
    }
    if (key === 'config') file = value
    else settings.push({ key, raw: value, origin: ConfigOrigin.FLAG, where: `--${flag}` })
  }
  return file === undefined ? { settings } : { file, settings }
}

/**
 * Values keyed by Kafka name, from flags already parsed by a CLI or from
 * code. Unknown keys are errors for the same reason as unknown flags.
 */
export function fromRecord (
  values: Readonly<Record<string, RawValue | null | undefined>>,
  origin: typeof ConfigOrigin.FLAG | typeof ConfigOrigin.OVERRIDE
): SourceResult {
  const settings: RawSetting[] = []
  for (const [key, raw] of Object.entries(values)) {
    if (raw === undefined || raw === null) continue
    const where = origin === ConfigOrigin.FLAG ? `--${flagName(key)}` : 'overrides'
    if (findDefinition(key) === undefined) {
      throw new ConfigError(origin === ConfigOrigin.FLAG
        ? `Unknown option '--${flagName(key)}'`
        : `Unknown configuration '${key}' in overrides`, { key })
    }
    settings.push({ key, raw, origin, where })
  }
  return { settings, warnings: [] }
}
