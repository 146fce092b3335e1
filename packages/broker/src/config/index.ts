/**
 * The broker configuration system: Kafka's key names and defaults, loaded
 * from defaults < properties file < TRIBUTARY_* environment < flags <
 * programmatic overrides, validated at startup, described the way
 * DescribeConfigs needs. See docs/configuration.md for the keys.
 */
export { BrokerConfig } from './broker-config.js'
export { loadConfig } from './load.js'
export type { LoadConfigOptions } from './load.js'
export { ConfigError, isConfigError } from './errors.js'
export {
  CONFIG_DEFINITIONS,
  findDefinition,
  isConfigKey,
  isSensitive
} from './definitions.js'
export type {
  BooleanKey,
  ConfigKey,
  DoubleKey,
  IntKey,
  ListKey,
  LongKey,
  StringKey
} from './definitions.js'
export {
  CONFIG_SOURCE_CODE,
  CONFIG_TYPE_CODE,
  ConfigOrigin,
  ConfigSource,
  ConfigType,
  Importance,
  UpdateMode
} from './types.js'
export type { ConfigDef, ConfigValue, RawValue, Validator } from './types.js'
export type { ConfigEntry, ConfigSynonym } from './describe.js'
export type { ResolvedValue } from './resolve.js'
export { SYNONYM_GROUPS, synonymNames } from './synonyms.js'
export type { SynonymGroup, SynonymMember } from './synonyms.js'
export {
  SecurityProtocol,
  advertisedEndpoint,
  bindHost,
  isWildcardHost,
  parseListenerList,
  parseSecurityProtocolMap
} from './listeners.js'
export type { AdvertisedEndpoint, ListenerAddressSpec, ListenerSpec } from './listeners.js'
export { ENV_PREFIX, envVarName, flagName } from './sources.js'
export { parseProperties, parsePropertiesToMap, formatProperty, PropertiesSyntaxError } from './properties.js'
export type { PropertyEntry } from './properties.js'
export { isValidClusterId } from './cluster-id.js'
export { renderConfigurationDocs, CONFIGURATION_DOC_PATH } from './docs.js'
export { TOPIC_CONFIG_DEFINITIONS, findTopicDefinition } from './topic-definitions.js'
export type { TopicConfigDef } from './topic-definitions.js'
export { describeTopicConfigs, effectiveTopicConfigs, topicConfigValue, validateTopicConfigs, TOPIC_CONFIG_SOURCE } from './topic-configs.js'
export type { TopicConfigEntry, WireSynonym } from './topic-configs.js'
export { DynamicBrokerConfig, DYNAMIC_BROKER_KEYS, CLUSTER_DEFAULT_RESOURCE, validateDynamicBrokerConfigs } from './dynamic.js'
