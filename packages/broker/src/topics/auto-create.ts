import { MetadataError, type TopicImage } from '@tributary/metadata'
import { ErrorCode } from '@tributary/protocol'
import type { BrokerState } from '../state.js'
import { placeReplicas, replicationFactorProblem } from '../admin/placement.js'
import { INTERNAL_TOPICS } from './internal-topics.js'
import { topicNameProblem } from './topic-name.js'

export type AutoCreateResult = { topic: TopicImage } | { errorCode: number, message: string }

/**
 * Creates a topic the way `auto.create.topics.enable` does in Kafka:
 * `num.partitions` partitions and `default.replication.factor` replicas
 * with broker-default configs (the metadata store refuses a name that
 * collides with an existing one modulo '.' and '_'); internal topics (`__consumer_offsets`,
 * `__transaction_state`) with their own settings, replicas capped by the
 * live brokers as Kafka does for them. Concurrent requests for one name
 * get the same topic.
 */
export async function autoCreateTopic (broker: BrokerState, name: string): Promise<AutoCreateResult> {
  const { settings } = broker
  const image = broker.metadata.image()
  const problem = topicNameProblem(name)
  if (problem !== undefined) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, message: problem }
  const internal = INTERNAL_TOPICS.get(name)
  const brokers = image.brokers.length
  let partitions = settings.numPartitions
  let replicationFactor = settings.defaultReplicationFactor
  if (internal !== undefined) {
    partitions = settings.internalTopics[internal.partitionsKey]
    replicationFactor = Math.min(settings.internalTopics[internal.replicationKey], brokers)
  }
  const rfProblem = replicationFactorProblem(replicationFactor, brokers)
  if (rfProblem !== undefined) return { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, message: rfProblem }
  const assignments = placeReplicas(image.brokers, partitions, replicationFactor)
  try {
    const topic = await broker.metadata.createTopic({ name, assignments, internal: internal !== undefined, configs: internal?.configs ?? {} })
    broker.log.info({ topic: name, partitions }, 'auto-created topic')
    return { topic }
  } catch (err) {
    if (err instanceof MetadataError && err.code === 'TRIB_METADATA_TOPIC_COLLISION') {
      return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, message: err.message }
    }
    if (err instanceof MetadataError && err.code === 'TRIB_METADATA_TOPIC_EXISTS') {
      const existing = broker.metadata.image().topics.get(name)
      if (existing !== undefined) return { topic: existing }
    }
    throw err
  }
}
