// The subscription a consumer sends as its JoinGroup protocol metadata when
// the protocol type is "consumer" (ConsumerProtocolSubscription): an int16
// version, then the struct, never flexible. Versions 1-3 only append fields
// (owned partitions, generation, rack) after the topic list, so the topics
// are read the same way for every version, as Kafka reads them (with the
// version 0 layout, which prefixes all later ones).
import { Reader } from '@tributary/protocol'

export const CONSUMER_PROTOCOL_TYPE = 'consumer'

/** The topics of a subscription, or null if the bytes are not one. */
export function subscriptionTopics (metadata: Buffer): string[] | null {
  try {
    const r = new Reader(metadata)
    const version = r.int16()
    if (version < 0) return null
    const count = r.arrayLength(2)
    if (count < 0) return null
    const topics: string[] = []
    for (let i = 0; i < count; i++) topics.push(r.string())
    return topics
  } catch {
    return null
  }
}
