/**
 * Vocabulary of the configuration system: value types, importance, update
 * modes and sources, with the names Kafka uses on the wire and in its docs.
 */

/** Kafka's ConfigDef.Type, as the lower-case names its documentation shows. */
export const ConfigType = {
  BOOLEAN: 'boolean',
  STRING: 'string',
  INT: 'int',
  SHORT: 'short',
  LONG: 'long',
  DOUBLE: 'double',
  LIST: 'list',
  CLASS: 'class',
  PASSWORD: 'password'
} as const
export type ConfigType = (typeof ConfigType)[keyof typeof ConfigType]

/**
 * The `configType` codes of DescribeConfigs v3+ (KIP-569), so that the
 * handler can report a key's type without a second table.
 */
export const CONFIG_TYPE_CODE: Readonly<Record<ConfigType, number>> = {
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9
}

export const Importance = {
  HIGH: 'high',
  MEDIUM: 'medium',
  LOW: 'low'
} as const
export type Importance = (typeof Importance)[keyof typeof Importance]

/**
 * Whether IncrementalAlterConfigs may change a key at runtime, with Kafka's
 * "Update Mode" names: read-only keys need a restart, per-broker keys can be
 * set for one broker, cluster-wide keys also as a cluster default.
 */
export const UpdateMode = {
  READ_ONLY: 'read-only',
  PER_BROKER: 'per-broker',
  CLUSTER_WIDE: 'cluster-wide'
} as const
export type UpdateMode = (typeof UpdateMode)[keyof typeof UpdateMode]

/**
 * Where a value came from, with the names of DescribeConfigs' ConfigSource.
 * File, environment, flags and programmatic overrides are all
 * STATIC_BROKER_CONFIG to a client, as Kafka's server.properties is.
 */
export const ConfigSource = {
  DYNAMIC_BROKER_CONFIG: 'DYNAMIC_BROKER_CONFIG',
  DYNAMIC_DEFAULT_BROKER_CONFIG: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  STATIC_BROKER_CONFIG: 'STATIC_BROKER_CONFIG',
  DEFAULT_CONFIG: 'DEFAULT_CONFIG'
} as const
export type ConfigSource = (typeof ConfigSource)[keyof typeof ConfigSource]

/** DescribeConfigs' numeric ConfigSource ids for the sources a broker key can have. */
export const CONFIG_SOURCE_CODE: Readonly<Record<ConfigSource, number>> = {
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5
}

/** Sources from the highest precedence to the lowest, as Kafka lists synonyms. */
export const SOURCE_PRECEDENCE: readonly ConfigSource[] = [
  ConfigSource.DYNAMIC_BROKER_CONFIG,
  ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
  ConfigSource.STATIC_BROKER_CONFIG,
  ConfigSource.DEFAULT_CONFIG
]

/**
 * Which static input supplied a value, lowest precedence first. Finer than
 * ConfigSource; used in error messages and warnings, never on the wire.
 */
export const ConfigOrigin = {
  FILE: 'file',
  ENV: 'env',
  FLAG: 'flag',
  OVERRIDE: 'override'
} as const
export type ConfigOrigin = (typeof ConfigOrigin)[keyof typeof ConfigOrigin]

export const ORIGIN_PRECEDENCE: readonly ConfigOrigin[] = [
  ConfigOrigin.FILE,
  ConfigOrigin.ENV,
  ConfigOrigin.FLAG,
  ConfigOrigin.OVERRIDE
]

/**
 * A parsed value: int and short are numbers, long is a bigint (Kafka's
 * Long.MAX_VALUE defaults do not fit a double), list is an array.
 */
export type ConfigValue = string | number | bigint | boolean | readonly string[]

/** What callers may hand in: text as in a properties file, or an already typed value. */
export type RawValue = string | number | bigint | boolean | readonly string[]

/** How to check a parsed value; declarative so that the docs can show it. */
export type Validator =
  | { readonly kind: 'range', readonly min?: number, readonly max?: number }
  | { readonly kind: 'oneOf', readonly values: readonly string[] }
  | { readonly kind: 'listOf', readonly values: readonly string[] }
  | {
    readonly kind: 'custom'
    /** Allowed values in words, for the docs and for error messages. */
    readonly describe: string
    /** Returns why the value is wrong, or undefined when it is fine. */
    readonly check: (value: ConfigValue) => string | undefined
  }

export interface ConfigDef {
  /** Kafka's name for the key. */
  readonly name: string
  readonly type: ConfigType
  /** The default in properties-file text form, parsed like any input; null means unset. */
  readonly default: string | null
  readonly validator?: Validator
  readonly importance: Importance
  readonly updateMode: UpdateMode
  /** One line in our own words. */
  readonly doc: string
  /** Section of docs/configuration.md. */
  readonly group: string
  /** Accepted so that Kafka configuration files keep working, but changes nothing here. */
  readonly noEffect?: boolean
}
