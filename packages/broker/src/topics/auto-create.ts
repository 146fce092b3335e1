import { MetadataError, type TopicImage } from '@tributary/metadata'
import type { BrokerState } from '../state.js'

/**
 * Creates a topic the way `auto.create.topics.enable` does in Kafka:
 * `num.partitions` partitions and `default.replication.factor` replicas,
 * with broker-default configs. Concurrent requests for the same name get
 * the same topic.
 */
export async function autoCreateTopic (broker: BrokerState, name: string): Promise<TopicImage> {
  const { settings } = broker
  const assignments = Array.from({ length: settings.numPartitions }, () => [settings.nodeId])
  try {
    const topic = await broker.metadata.createTopic({ name, assignments })
    broker.log.info({ topic: name, partitions: settings.numPartitions }, 'auto-created topic')
    return topic
  } catch (err) {
    if (err instanceof MetadataError && err.code === 'TRIB_METADATA_TOPIC_EXISTS') {
      const existing = broker.metadata.image().topics.get(name)
      if (existing !== undefined) return existing
    }
    throw err
  }
}
