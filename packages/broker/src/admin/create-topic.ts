import { ErrorCode } from '@tributary/protocol'
import { collidingTopic, type MetadataImage } from '@tributary/metadata'
import type { CreateTopicsRequestCreatableTopic } from '@tributary/protocol/apis/create-topics'
import { isConfigError, validateTopicConfigs } from '../config/index.js'
import type { BrokerState } from '../state.js'
import { isInternalTopic } from '../topics/internal-topics.js'
import { topicNameProblem } from '../topics/topic-name.js'
import { manualAssignmentProblem, placeReplicas, replicationFactorProblem } from './placement.js'
import { type AdminResult, fail, ok } from './result.js'

/** A topic that passed every check and can be written to the metadata store as it is. */
export interface TopicPlan {
  readonly name: string
  readonly assignments: number[][]
  /** Normalised overrides. */
  readonly configs: Record<string, string>
  readonly internal: boolean
}

/**
 * The checks of Kafka's controller for one CreateTopics entry
 * (ReplicationControlManager.createTopics), in its order and with its
 * messages: the name, existence, the configs, then either the manual
 * assignment or the partition count and replication factor.
 */
export function planTopic (broker: BrokerState, image: MetadataImage, topic: CreateTopicsRequestCreatableTopic): AdminResult<TopicPlan> {
  const { name } = topic
  const nameProblem = topicNameProblem(name)
  if (nameProblem !== undefined) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem)
  if (image.topics.has(name)) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`)
  const collision = collidingTopic(image.topics, name)
  if (collision !== undefined) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${collision}`)

  const configs = checkConfigs(broker, topic)
  if (!configs.ok) return configs
  const assignments = topic.assignments.length > 0 ? manualAssignments(image, topic) : placedAssignments(broker, image, topic)
  if (!assignments.ok) return assignments
  return ok({ name, assignments: assignments.value, configs: configs.value, internal: isInternalTopic(name) })
}

function checkConfigs (broker: BrokerState, topic: CreateTopicsRequestCreatableTopic): AdminResult<Record<string, string>> {
  const nulls = topic.configs.filter(c => c.value === null).map(c => c.name)
  if (nulls.length > 0) return fail(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${nulls.join(',')}`)
  // Later entries for one key win, as they do in Kafka's request collection.
  const requested = Object.fromEntries(topic.configs.map(c => [c.name, c.value!]))
  try {
    return ok(validateTopicConfigs(broker.config.current(), requested))
  } catch (err) {
    if (isConfigError(err)) return fail(ErrorCode.INVALID_CONFIG, err.message)
    throw err
  }
}

/** KIP-464: -1 means the broker's default, in every version. */
function placedAssignments (broker: BrokerState, image: MetadataImage, topic: CreateTopicsRequestCreatableTopic): AdminResult<number[][]> {
  const { numPartitions, replicationFactor } = topic
  if (replicationFactor < -1 || replicationFactor === 0) {
    return fail(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.')
  }
  if (numPartitions < -1 || numPartitions === 0) {
    return fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.')
  }
  const partitions = numPartitions === -1 ? broker.settings.numPartitions : numPartitions
  const replicas = replicationFactor === -1 ? broker.settings.defaultReplicationFactor : replicationFactor
  const rfProblem = replicationFactorProblem(replicas, image.brokers.length)
  if (rfProblem !== undefined) return fail(ErrorCode.INVALID_REPLICATION_FACTOR, rfProblem)
  return ok(placeReplicas(image.brokers, partitions, replicas))
}

/**
 * A manual assignment replaces the count and the factor, which must then be
 * -1 (Kafka answers INVALID_REQUEST otherwise); partitions must be 0..n-1,
 * each listed once, all with the same number of distinct, registered brokers.
 */
function manualAssignments (image: MetadataImage, topic: CreateTopicsRequestCreatableTopic): AdminResult<number[][]> {
  if (topic.replicationFactor !== -1) {
    return fail(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but replication factor was not set to -1.')
  }
  if (topic.numPartitions !== -1) {
    return fail(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but numPartitions was not set to -1.')
  }
  const registered = new Set(image.brokers.map(b => b.nodeId))
  const byPartition = new Map<number, number[]>()
  let replicationFactor: number | undefined
  for (const a of topic.assignments) {
    if (byPartition.has(a.partitionIndex)) {
      return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Found multiple manual partition assignments for partition ${a.partitionIndex}`)
    }
    const problem = manualAssignmentProblem(a.brokerIds, registered, replicationFactor)
    if (problem !== undefined) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem)
    replicationFactor = a.brokerIds.length
    byPartition.set(a.partitionIndex, [...a.brokerIds])
  }
  const assignments: number[][] = []
  for (let i = 0; i < byPartition.size; i++) {
    const replicas = byPartition.get(i)
    if (replicas === undefined) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partitions should be a consecutive 0-based integer sequence')
    assignments.push(replicas)
  }
  return ok(assignments)
}
