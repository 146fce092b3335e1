import type { ConfigKey } from './definitions.js'
import type { ConfigValue } from './types.js'

/**
 * Keys that set the same thing under several names. Within a group the
 * first member that is set wins, whatever input set it: a log.retention.ms
 * from the file beats a log.retention.hours from a flag, as the merged
 * properties do in Kafka (KafkaConfig.logRetentionTimeMillis). When none is
 * set, the first member with a default supplies it.
 *
 * The effective value is read under the primary key, converted to its unit
 * (`config.getLong('log.retention.ms')` is 604800000 by default). The
 * ms/minutes/hours groups and log.flush.interval.ms are the synonyms that
 * Kafka's DescribeConfigs reports (DynamicBrokerConfig.brokerConfigSynonyms).
 */

export interface SynonymMember {
  readonly name: ConfigKey
  /** Converts this member's value to the primary's unit. */
  readonly toPrimary?: (value: ConfigValue) => ConfigValue
}

export interface SynonymGroup {
  readonly primary: ConfigKey
  /** In precedence order, the primary first. */
  readonly members: readonly SynonymMember[]
  /** Applied to the winning value, e.g. Kafka's "any negative retention is -1". */
  readonly normalize?: (value: ConfigValue) => ConfigValue
  /**
   * Two names for one value that Kafka copies into each other
   * (KafkaConfig.populateSynonyms): either one may be set, both must agree,
   * and each reads as the other when unset.
   */
  readonly mirrored?: boolean
}

const times = (factor: bigint) => (v: ConfigValue): ConfigValue => BigInt(v as number) * factor
const MINUTE = 60_000n
const HOUR = 3_600_000n

export const SYNONYM_GROUPS: readonly SynonymGroup[] = [
  {
    primary: 'log.retention.ms',
    members: [
      { name: 'log.retention.ms' },
      { name: 'log.retention.minutes', toPrimary: times(MINUTE) },
      { name: 'log.retention.hours', toPrimary: times(HOUR) }
    ],
    normalize: v => (v as bigint) < 0n ? -1n : v
  },
  {
    primary: 'log.roll.ms',
    members: [
      { name: 'log.roll.ms' },
      { name: 'log.roll.hours', toPrimary: times(HOUR) }
    ]
  },
  {
    primary: 'log.roll.jitter.ms',
    members: [
      { name: 'log.roll.jitter.ms' },
      { name: 'log.roll.jitter.hours', toPrimary: times(HOUR) }
    ]
  },
  {
    primary: 'log.flush.interval.ms',
    members: [
      { name: 'log.flush.interval.ms' },
      { name: 'log.flush.scheduler.interval.ms' }
    ]
  },
  {
    // Kafka reads log.dir as a comma list too (parseCsvList), so a
    // directory list can come from either key.
    primary: 'log.dirs',
    members: [
      { name: 'log.dirs' },
      { name: 'log.dir', toPrimary: v => String(v).split(',').map(s => s.trim()) }
    ]
  },
  {
    primary: 'node.id',
    members: [
      { name: 'node.id' },
      { name: 'broker.id' }
    ],
    mirrored: true
  }
]

const GROUP_OF: ReadonlyMap<string, SynonymGroup> = new Map(
  SYNONYM_GROUPS.flatMap(g => g.members.map(m => [m.name, g] as const)))

export function synonymGroupOf (key: string): SynonymGroup | undefined {
  return GROUP_OF.get(key)
}

/**
 * The names DescribeConfigs lists as synonyms of `key`: all members for a
 * primary, and only the key itself for the others, as Kafka does. Mirrored
 * pairs list each other, since each is the other's fallback.
 */
export function synonymNames (key: string): readonly string[] {
  const group = GROUP_OF.get(key)
  if (group === undefined) return [key]
  if (group.mirrored === true) return [key, ...group.members.map(m => m.name).filter(n => n !== key)]
  return group.primary === key ? group.members.map(m => m.name) : [key]
}
