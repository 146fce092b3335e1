import { ErrorCode } from '@tributary/protocol'
import { MetadataApi } from '@tributary/protocol/apis'
import { RawClient } from './raw-client.js'

/**
 * Creates topics the way a producer's first Metadata request does: a Metadata request
 * (v12, allow_auto_topic_creation) for names that do not exist yet, which
 * auto-creates them with `num.partitions` partitions. Fails unless every
 * topic comes back without error.
 */
export async function createTopicsByMetadata (broker: { host: string, port: number }, names: readonly string[], timeoutMs = 5000): Promise<void> {
  const client = await RawClient.connect(broker.host, broker.port, timeoutMs)
  try {
    const { body } = await client.request(MetadataApi, 12, {
      topics: names.map(name => ({ name })),
      allowAutoTopicCreation: true
    }, timeoutMs)
    for (const t of body.topics) {
      if (t.errorCode !== ErrorCode.NONE) throw new Error(`auto-creating ${t.name ?? '?'} failed with error ${t.errorCode}`)
    }
  } finally {
    client.close()
  }
}

/** A name Kafka rejects for its length: 250 characters, one over the limit of 249. */
export const TOO_LONG_TOPIC = 't'.repeat(250)
/** A name Kafka rejects for its characters. */
export const BAD_CHAR_TOPIC = 'bad/name'
export const ILLEGAL_TOPICS = [BAD_CHAR_TOPIC, TOO_LONG_TOPIC] as const
