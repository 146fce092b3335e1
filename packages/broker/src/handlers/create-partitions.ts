// CreatePartitions (key 37), v0-3.
// v1 is v0 (responses before throttling on quota violation). v2: flexible.
// v3: may return THROTTLING_QUOTA_EXCEEDED (KIP-599; no quotas yet).
// A topic only grows: the new count must exceed the current one
// (INVALID_PARTITIONS). New partitions get the topic's replication factor,
// placed round-robin, or the given assignments (one per new partition,
// checked as in CreateTopics). Checks and messages follow Kafka's
// ReplicationControlManager.createPartitions. `timeout_ms` is not waited on.
import { ErrorCode, type Input } from '@tributary/protocol'
import {
  CreatePartitionsApi,
  type CreatePartitionsRequestCreatePartitionsTopic,
  type CreatePartitionsResponseCreatePartitionsTopicResult
} from '@tributary/protocol/apis/create-partitions'
import { MetadataError } from '@tributary/metadata'
import { manualAssignmentProblem, placeReplicas, replicationFactorProblem } from '../admin/placement.js'
import { type AdminResult, fail, ok } from '../admin/result.js'
import type { BrokerState } from '../state.js'
import { defineHandler } from './define.js'

type Result = Input<CreatePartitionsResponseCreatePartitionsTopicResult>

/** The replicas of each new partition, or why the topic cannot grow so. */
function plan (broker: BrokerState, topic: CreatePartitionsRequestCreatePartitionsTopic): AdminResult<number[][]> {
  const image = broker.metadata.image()
  const existing = image.topics.get(topic.name)
  if (existing === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null)
  const current = existing.partitions.length
  if (topic.count === current) return fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`)
  if (topic.count < current) {
    return fail(ErrorCode.INVALID_PARTITIONS, `The topic ${topic.name} currently has ${current} partition(s); ${topic.count} would not be an increase.`)
  }
  const additional = topic.count - current
  const replicationFactor = existing.partitions[0]?.replicas.length ?? broker.settings.defaultReplicationFactor
  if (topic.assignments === null) {
    const problem = replicationFactorProblem(replicationFactor, image.brokers.length)
    if (problem !== undefined) return fail(ErrorCode.INVALID_REPLICATION_FACTOR, problem)
    return ok(placeReplicas(image.brokers, additional, replicationFactor, current))
  }
  if (topic.assignments.length !== additional) {
    return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      `Attempted to add ${additional} additional partition(s), but only ${topic.assignments.length} assignment(s) were specified.`)
  }
  const registered = new Set(image.brokers.map(b => b.nodeId))
  for (const a of topic.assignments) {
    const problem = manualAssignmentProblem(a.brokerIds, registered, replicationFactor)
    if (problem !== undefined) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem)
  }
  return ok(topic.assignments.map(a => [...a.brokerIds]))
}

async function grow (broker: BrokerState, topic: CreatePartitionsRequestCreatePartitionsTopic, validateOnly: boolean): Promise<Result> {
  const planned = plan(broker, topic)
  if (!planned.ok) return { name: topic.name, errorCode: planned.errorCode, errorMessage: planned.message }
  if (!validateOnly) {
    try {
      await broker.metadata.createPartitions(topic.name, topic.count, planned.value)
    } catch (err) {
      // The topic changed between the checks and the write.
      if (err instanceof MetadataError && err.code === 'TRIB_METADATA_UNKNOWN_TOPIC') return { name: topic.name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null }
      if (err instanceof MetadataError && err.code === 'TRIB_METADATA_INVALID_PARTITIONS') return { name: topic.name, errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: err.message }
      throw err
    }
    broker.log.info({ topic: topic.name, partitions: topic.count }, 'added partitions')
  }
  return { name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null }
}

export default defineHandler({
  api: CreatePartitionsApi,
  minVersion: 0,
  maxVersion: 3,
  async handle (req, ctx) {
    const counts = new Map<string, number>()
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1)
    const results: Result[] = []
    for (const t of req.topics) {
      if (counts.get(t.name) === 1) results.push(await grow(ctx.broker, t, req.validateOnly))
    }
    for (const [name, n] of counts) {
      if (n > 1) results.push({ name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' })
    }
    return { throttleTimeMs: 0, results }
  }
})
