// Metadata (key 3), v0-12.
// v1: null topic list means all topics (v0: empty list means all), controller
// id, rack, is_internal. v2: cluster id. v4: allow_auto_topic_creation.
// v5: offline replicas. v7: leader epoch. v8-10: cluster authorized operations,
// v8+: topic authorized operations. v9: flexible. v10: topic ids; v12 allows
// lookup by topic id only (name null).
import { ErrorCode, ZERO_UUID, type Input } from '@tributary/protocol'
import { MetadataApi, type MetadataRequest, type MetadataResponseTopic } from '@tributary/protocol/apis/metadata'
import type { TopicImage } from '@tributary/metadata'
import { defineHandler, type RequestContext } from './define.js'
import { topicNameProblem } from '../topics/topic-name.js'
import { autoCreateTopic } from '../topics/auto-create.js'
import { isInternalTopic } from '../topics/internal-topics.js'
import { CLUSTER_OPERATIONS, TOPIC_OPERATIONS, UNSET_OPERATIONS } from '../auth/acl-operations.js'

type TopicOut = Input<MetadataResponseTopic>

function describeTopic (t: TopicImage, includeOps: boolean): TopicOut {
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.id,
    isInternal: t.internal,
    partitions: t.partitions.map(p => ({
      errorCode: ErrorCode.NONE,
      partitionIndex: p.index,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas as number[],
      isrNodes: p.isr as number[],
      offlineReplicas: []
    })),
    topicAuthorizedOperations: includeOps ? TOPIC_OPERATIONS : UNSET_OPERATIONS
  }
}

async function lookupTopic (req: MetadataRequest, ctx: RequestContext, name: string | null, topicId: string): Promise<TopicOut> {
  const { broker } = ctx
  const image = broker.metadata.image()
  const includeOps = req.includeTopicAuthorizedOperations
  if (name === null || name === '') {
    if (topicId === ZERO_UUID) return { errorCode: ErrorCode.INVALID_REQUEST, name: null, topicId }
    const byId = image.topicsById.get(topicId)
    return byId === undefined ? { errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId } : describeTopic(byId, includeOps)
  }
  const existing = image.topics.get(name)
  if (existing !== undefined) return describeTopic(existing, includeOps)
  if (topicNameProblem(name) !== undefined) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name, isInternal: false }
  // v0-3 have no allow flag: they always asked for auto-creation.
  const allowed = broker.settings.autoCreateTopics && (ctx.version < 4 || req.allowAutoTopicCreation)
  if (!allowed) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name }
  const created = await autoCreateTopic(broker, name)
  if ('errorCode' in created) return { errorCode: created.errorCode, name, isInternal: isInternalTopic(name) }
  return describeTopic(created.topic, includeOps)
}

/** Kafka answers each requested topic once, however often it was named. */
function uniqueTopics (req: MetadataRequest): MetadataRequest['topics'] & object {
  const seen = new Set<string>()
  return req.topics!.filter(t => {
    const key = t.name === null || t.name === '' ? `id:${t.topicId}` : `name:${t.name}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

export default defineHandler({
  api: MetadataApi,
  minVersion: 0,
  maxVersion: 12,
  async handle (req, ctx) {
    const { broker, version } = ctx
    const image = broker.metadata.image()
    const all = req.topics === null || (version === 0 && req.topics.length === 0)
    const topics: TopicOut[] = all
      ? [...image.topics.values()].sort((a, b) => a.name.localeCompare(b.name)).map(t => describeTopic(t, req.includeTopicAuthorizedOperations))
      : await Promise.all(uniqueTopics(req).map(t => lookupTopic(req, ctx, t.name, t.topicId)))
    const self = broker.advertised.get(ctx.conn.listenerName)
    return {
      brokers: self === undefined ? [] : [{ nodeId: broker.settings.nodeId, host: self.host, port: self.port, rack: broker.settings.rack }],
      clusterId: image.clusterId,
      controllerId: image.controllerId,
      topics,
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS : UNSET_OPERATIONS
    }
  }
})
