import { ConfigError } from './errors.js'
import { ConfigType } from './types.js'
import type { ConfigDef, ConfigValue, RawValue, Validator } from './types.js'

/**
 * Turns raw input (properties text, env strings, flags, typed overrides)
 * into a typed value and checks it against the key's validator. One error
 * message shape for both steps, naming the key, the value and what is
 * allowed: "Invalid value 'abc' for configuration num.partitions: must be
 * an integer >= 1".
 */

const BOUNDS: Partial<Record<ConfigType, readonly [bigint, bigint]>> = {
  short: [-(2n ** 15n), 2n ** 15n - 1n],
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n]
}

const INTEGER = /^[+-]?\d+$/
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const JAVA_CLASS = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/
const LIST_SEPARATOR = /\s*,\s*/

/**
 * Parses and validates. `where` says where the value came from ("--num-partitions",
 * "TRIBUTARY_NUM_PARTITIONS", "server.properties line 3") and ends the message.
 */
export function parseValue (def: ConfigDef, raw: RawValue, where?: string): ConfigValue {
  const fail = (reason: string): never => {
    throw new ConfigError(invalidValueMessage(def, raw, reason, where), { key: def.name })
  }
  const value = parseType(def, raw)
  if (value === undefined) return fail(requirement(def))
  if (value === OUT_OF_TYPE_RANGE) return fail(requirement(def, true))
  const reason = validate(def, value)
  if (reason !== undefined) return fail(reason)
  return value
}

export function invalidValueMessage (def: ConfigDef, raw: RawValue, reason: string, where?: string): string {
  const shown = def.type === ConfigType.PASSWORD ? '[hidden]' : renderRaw(raw)
  const suffix = where === undefined ? '' : ` (from ${where})`
  return `Invalid value '${shown}' for configuration ${def.name}: ${reason}${suffix}`
}

const OUT_OF_TYPE_RANGE = Symbol('out of type range')

function parseType (def: ConfigDef, raw: RawValue): ConfigValue | undefined | typeof OUT_OF_TYPE_RANGE {
  switch (def.type) {
    case ConfigType.INT:
    case ConfigType.SHORT:
    case ConfigType.LONG: {
      let n: bigint
      if (typeof raw === 'bigint') n = raw
      else if (typeof raw === 'number') {
        if (!Number.isSafeInteger(raw)) return undefined
        n = BigInt(raw)
      } else if (typeof raw === 'string' && INTEGER.test(raw.trim())) {
        n = BigInt(raw.trim())
      } else return undefined
      const [lo, hi] = BOUNDS[def.type]!
      if (n < lo || n > hi) return OUT_OF_TYPE_RANGE
      return def.type === ConfigType.LONG ? n : Number(n)
    }
    case ConfigType.DOUBLE: {
      if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined
      if (typeof raw !== 'string' || !DECIMAL.test(raw.trim())) return undefined
      const n = Number(raw.trim())
      return Number.isFinite(n) ? n : undefined
    }
    case ConfigType.BOOLEAN: {
      if (typeof raw === 'boolean') return raw
      // Kafka accepts either case, and so does Java's Boolean parsing.
      const s = typeof raw === 'string' ? raw.trim().toLowerCase() : ''
      if (s === 'true') return true
      if (s === 'false') return false
      return undefined
    }
    case ConfigType.LIST: {
      if (Array.isArray(raw)) return (raw as readonly unknown[]).map(e => String(e).trim())
      if (typeof raw !== 'string') return undefined
      const s = raw.trim()
      return s === '' ? [] : s.split(LIST_SEPARATOR)
    }
    case ConfigType.CLASS: {
      if (typeof raw !== 'string' || !JAVA_CLASS.test(raw.trim())) return undefined
      return raw.trim()
    }
    case ConfigType.STRING:
    case ConfigType.PASSWORD: {
      if (Array.isArray(raw) || typeof raw === 'object') return undefined
      // Kafka trims string values, so trailing spaces in a properties file do not matter.
      return String(raw).trim()
    }
  }
}

function validate (def: ConfigDef, value: ConfigValue): string | undefined {
  const v = def.validator
  if (v === undefined) return undefined
  switch (v.kind) {
    case 'range': {
      const n = typeof value === 'bigint' ? value : BigInt(Math.trunc(value as number))
      const isInteger = typeof value === 'bigint' || Number.isInteger(value)
      const tooLow = v.min !== undefined && (isInteger ? n < BigInt(v.min) : (value as number) < v.min)
      const tooHigh = v.max !== undefined && (isInteger ? n > BigInt(v.max) : (value as number) > v.max)
      return tooLow || tooHigh ? requirement(def) : undefined
    }
    case 'oneOf':
      return v.values.includes(value as string) ? undefined : requirement(def)
    case 'listOf':
      return (value as readonly string[]).every(e => v.values.includes(e)) ? undefined : requirement(def)
    case 'custom':
      return v.check(value)
  }
}

/** What a valid value looks like, in words; used in errors and in the docs. */
export function requirement (def: ConfigDef, outOfTypeRange = false): string {
  const v = def.validator
  switch (def.type) {
    case ConfigType.INT:
    case ConfigType.SHORT:
    case ConfigType.LONG: {
      const [lo, hi] = BOUNDS[def.type]!
      const range = v?.kind === 'range' ? v : undefined
      if (outOfTypeRange || (range?.min === undefined && range?.max === undefined)) {
        const min = range?.min ?? lo
        const max = range?.max ?? hi
        return `must be an integer between ${min} and ${max}`
      }
      return `must be an integer ${rangeWords(range)}`
    }
    case ConfigType.DOUBLE:
      return v?.kind === 'range' ? `must be a number ${rangeWords(v)}` : 'must be a number'
    case ConfigType.BOOLEAN:
      return 'must be true or false'
    case ConfigType.CLASS:
      return 'must be a fully qualified class name'
    case ConfigType.LIST:
      if (v?.kind === 'listOf') return `must be a comma-separated list of: ${v.values.join(', ')}`
      if (v?.kind === 'custom') return `must be ${v.describe}`
      return 'must be a comma-separated list'
    default:
      if (v?.kind === 'oneOf') return `must be one of: ${v.values.join(', ')}`
      if (v?.kind === 'custom') return `must be ${v.describe}`
      return 'must be a string'
  }
}

function rangeWords (range: { min?: number, max?: number }): string {
  if (range.min !== undefined && range.max !== undefined) return `between ${range.min} and ${range.max}`
  if (range.min !== undefined) return `>= ${range.min}`
  return `<= ${range.max!}`
}

function renderRaw (raw: RawValue): string {
  return Array.isArray(raw) ? (raw as readonly unknown[]).join(',') : String(raw)
}

/**
 * A value as text, the way Kafka's ConfigDef.convertToString renders it for
 * DescribeConfigs: lists comma-joined, doubles with a decimal point.
 */
export function formatValue (def: ConfigDef, value: ConfigValue | null): string | null {
  if (value === null) return null
  if (Array.isArray(value)) return value.join(',')
  if (def.type === ConfigType.DOUBLE && typeof value === 'number' && Number.isInteger(value)) return value.toFixed(1)
  return String(value)
}
