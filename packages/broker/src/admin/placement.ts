import type { BrokerImage } from '@tributary/metadata'

/**
 * Replica placement for new partitions and the checks Kafka's controller
 * applies to manual assignments (ReplicationControlManager
 * validateManualPartitionAssignment), with its messages.
 */

/**
 * Round-robin placement: partition p gets `replicationFactor` consecutive
 * brokers starting at broker p, so leaders spread evenly. `firstPartition`
 * continues the pattern when partitions are added to a topic.
 */
export function placeReplicas (brokers: readonly BrokerImage[], partitions: number, replicationFactor: number, firstPartition = 0): number[][] {
  const ids = brokers.map(b => b.nodeId).sort((a, b) => a - b)
  return Array.from({ length: partitions }, (_, i) =>
    Array.from({ length: replicationFactor }, (_, r) => ids[(firstPartition + i + r) % ids.length]!))
}

/** Kafka's INVALID_REPLICATION_FACTOR message when there are fewer brokers than replicas. */
export function replicationFactorProblem (replicationFactor: number, brokerCount: number): string | undefined {
  if (replicationFactor <= brokerCount) return undefined
  return `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} ` +
    `cannot be reached because only ${brokerCount} broker(s) are registered.`
}

/**
 * Why a manual replica list is not acceptable (INVALID_REPLICA_ASSIGNMENT),
 * or undefined: not empty, no broker twice, every broker registered, and as
 * many replicas as the other partitions of the topic.
 */
export function manualAssignmentProblem (brokerIds: readonly number[], registered: ReadonlySet<number>, replicationFactor: number | undefined): string | undefined {
  if (brokerIds.length === 0) return 'The manual partition assignment includes an empty replica list.'
  const seen = new Set<number>()
  for (const id of brokerIds) {
    if (seen.has(id)) return `The manual partition assignment includes the broker ${id} more than once.`
    seen.add(id)
    if (!registered.has(id)) return `The manual partition assignment includes broker ${id}, but no such broker is registered.`
  }
  if (replicationFactor !== undefined && brokerIds.length !== replicationFactor) {
    return `The manual partition assignment includes a partition with ${brokerIds.length} replica(s), but this is not ` +
      `consistent with previous partitions, which have ${replicationFactor} replica(s).`
  }
  return undefined
}
