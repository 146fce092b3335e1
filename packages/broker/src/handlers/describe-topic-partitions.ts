// DescribeTopicPartitions (key 75), v0 (KIP-966): partitions of many
// topics, paged. An empty topic list means every topic; topics are
// answered in name order from the cursor's topic on, starting in that
// topic at the cursor's partition. At most min(response_partition_limit,
// max.request.partition.size.limit) partitions are returned; when more
// remain, next_cursor names the first one left out. A cursor topic missing
// from a non-empty topic list fails the request: every topic gets
// INVALID_REQUEST, as Kafka's error response has it. Unknown names get UNKNOWN_TOPIC_OR_PARTITION, illegal
// ones INVALID_TOPIC_EXCEPTION; when listing every topic there are none.
// Eligible leader replicas and last known ELR are empty: without
// replication there is no ELR yet. As in Kafka's handler, authorized
// operations are always filled in.
import { ErrorCode, ZERO_UUID, type Input } from '@tributary/protocol'
import {
  DescribeTopicPartitionsApi,
  type DescribeTopicPartitionsResponse,
  type DescribeTopicPartitionsResponseTopic
} from '@tributary/protocol/apis/describe-topic-partitions'
import type { TopicImage } from '@tributary/metadata'
import { TOPIC_OPERATIONS } from '../auth/acl-operations.js'
import { isInternalTopic } from '../topics/internal-topics.js'
import { topicNameProblem } from '../topics/topic-name.js'
import { defineHandler } from './define.js'

type TopicOut = Input<DescribeTopicPartitionsResponseTopic>

function describePartitions (t: TopicImage, from: number, max: number): TopicOut['partitions'] {
  return t.partitions.slice(from, from + max).map(p => ({
    errorCode: ErrorCode.NONE,
    partitionIndex: p.index,
    leaderId: p.leader,
    leaderEpoch: p.leaderEpoch,
    replicaNodes: [...p.replicas],
    isrNodes: [...p.isr],
    eligibleLeaderReplicas: [],
    lastKnownElr: [],
    offlineReplicas: []
  }))
}

export default defineHandler({
  api: DescribeTopicPartitionsApi,
  minVersion: 0,
  maxVersion: 0,
  handle (req, ctx) {
    const { broker } = ctx
    const image = broker.metadata.image()
    const all = req.topics.length === 0
    const cursorTopic = req.cursor?.topicName ?? ''
    const requested = all ? [...image.topics.keys()] : req.topics.map(t => t.name)
    const names = [...new Set(requested)].filter(n => n >= cursorTopic).sort()
    if (!all && req.cursor !== null && !names.includes(req.cursor.topicName)) {
      return {
        throttleTimeMs: 0,
        topics: req.topics.map(t => ({ errorCode: ErrorCode.INVALID_REQUEST, name: t.name, topicId: ZERO_UUID, partitions: [] })),
        nextCursor: null
      }
    }
    let remaining = Math.min(broker.config.staticConfig.getInt('max.request.partition.size.limit'), req.responsePartitionLimit)
    const topics: TopicOut[] = []
    let nextCursor: Input<DescribeTopicPartitionsResponse>['nextCursor'] = null
    for (const name of names) {
      if (remaining <= 0) {
        nextCursor = { topicName: name, partitionIndex: 0 }
        break
      }
      const t = image.topics.get(name)
      if (t === undefined) {
        const errorCode = topicNameProblem(name) === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC_EXCEPTION
        topics.push({ errorCode, name, topicId: ZERO_UUID, isInternal: isInternalTopic(name), partitions: [] })
        continue
      }
      const from = name === cursorTopic ? Math.max(0, req.cursor!.partitionIndex) : 0
      const partitions = describePartitions(t, from, remaining)!
      topics.push({ errorCode: ErrorCode.NONE, name, topicId: t.id, isInternal: t.internal, partitions, topicAuthorizedOperations: TOPIC_OPERATIONS })
      const next = from + partitions.length
      if (next < t.partitions.length) {
        nextCursor = { topicName: name, partitionIndex: next }
        break
      }
      remaining -= partitions.length
    }
    return { throttleTimeMs: 0, topics, nextCursor }
  }
})
