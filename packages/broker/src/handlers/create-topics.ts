// CreateTopics (key 19), v0-7.
// v1: validate_only and a per-topic error message. v2: throttle time.
// v4: partitions and replication factor may be -1 for the broker defaults
// (KIP-464); like Kafka 4 we accept -1 in every version. v5: flexible; a
// created topic comes back with its partition count, replication factor
// and every config in effect with its source (KIP-525). v6: may return
// THROTTLING_QUOTA_EXCEEDED (KIP-599; there are no quotas yet). v7: topic id.
// `timeout_ms` is not waited on: a single node's metadata change is
// complete once the response is sent.
import { ErrorCode, ZERO_UUID, type Input } from '@tributary/protocol'
import { CreateTopicsApi, type CreateTopicsRequestCreatableTopic, type CreateTopicsResponseCreatableTopicResult } from '@tributary/protocol/apis/create-topics'
import { MetadataError } from '@tributary/metadata'
import { describeTopicConfigs } from '../config/index.js'
import { planTopic, type TopicPlan } from '../admin/create-topic.js'
import type { BrokerState } from '../state.js'
import { defineHandler } from './define.js'

type TopicResult = Input<CreateTopicsResponseCreatableTopicResult>

function failed (name: string, errorCode: number, errorMessage: string | null): TopicResult {
  return { name, errorCode, errorMessage }
}

/** The v5+ detail of a topic that was (or would be) created: its shape and every config in effect. */
function created (broker: BrokerState, plan: TopicPlan, topicId: string): TopicResult {
  return {
    name: plan.name,
    topicId,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    numPartitions: plan.assignments.length,
    replicationFactor: plan.assignments[0]!.length,
    configs: describeTopicConfigs(broker.config.current(), plan.configs).map(e => ({
      name: e.name, value: e.value, readOnly: e.readOnly, configSource: e.source, isSensitive: e.isSensitive
    }))
  }
}

async function createOne (broker: BrokerState, topic: CreateTopicsRequestCreatableTopic, validateOnly: boolean): Promise<TopicResult> {
  const plan = planTopic(broker, broker.metadata.image(), topic)
  if (!plan.ok) return failed(topic.name, plan.errorCode, plan.message)
  // A validate-only request creates nothing, so it gets no topic id (Kafka
  // sends one it never registers).
  if (validateOnly) return created(broker, plan.value, ZERO_UUID)
  try {
    const t = await broker.metadata.createTopic({ ...plan.value })
    broker.log.info({ topic: t.name, partitions: t.partitions.length }, 'created topic')
    return created(broker, plan.value, t.id)
  } catch (err) {
    // Another request got there between the checks and the write.
    if (err instanceof MetadataError && err.code === 'TRIB_METADATA_TOPIC_EXISTS') return failed(topic.name, ErrorCode.TOPIC_ALREADY_EXISTS, err.message)
    if (err instanceof MetadataError && err.code === 'TRIB_METADATA_TOPIC_COLLISION') return failed(topic.name, ErrorCode.INVALID_TOPIC_EXCEPTION, err.message)
    throw err
  }
}

export default defineHandler({
  api: CreateTopicsApi,
  minVersion: 0,
  maxVersion: 7,
  async handle (req, ctx) {
    const { broker } = ctx
    const validateOnly = ctx.version >= 1 && req.validateOnly
    // Kafka answers a name given twice once, with INVALID_REQUEST, after the others.
    const counts = new Map<string, number>()
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1)
    const topics: TopicResult[] = []
    // One at a time, so that two names in one request that collide with
    // each other are judged in order.
    for (const t of req.topics) {
      if (counts.get(t.name) === 1) topics.push(await createOne(broker, t, validateOnly))
    }
    for (const [name, n] of counts) if (n > 1) topics.push(failed(name, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'))
    return { throttleTimeMs: 0, topics }
  }
})
