/**
 * Kafka's AclOperation codes, used for the authorized-operations bit fields
 * of Metadata and DescribeCluster (KIP-430). Until ACLs exist every
 * principal may do everything that applies to a resource type.
 */
export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
  TWO_PHASE_COMMIT: 15
} as const

/** Kafka's value when authorized operations were not asked for. */
export const UNSET_OPERATIONS = -2147483648

function bits (...ops: number[]): number {
  return ops.reduce((acc, op) => acc | (1 << op), 0)
}

const O = AclOperation
export const TOPIC_OPERATIONS = bits(O.READ, O.WRITE, O.CREATE, O.DELETE, O.ALTER, O.DESCRIBE, O.DESCRIBE_CONFIGS, O.ALTER_CONFIGS)
export const CLUSTER_OPERATIONS = bits(O.CREATE, O.ALTER, O.DESCRIBE, O.CLUSTER_ACTION, O.DESCRIBE_CONFIGS, O.ALTER_CONFIGS, O.IDEMPOTENT_WRITE, O.CREATE_TOKENS, O.DESCRIBE_TOKENS)
/** A group's operations (Kafka's supported operations for the GROUP resource type). */
export const GROUP_OPERATIONS = bits(O.READ, O.DELETE, O.DESCRIBE)
