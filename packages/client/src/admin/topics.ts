import { ErrorCode, KafkaError } from '@tributary/protocol'
import { CreatePartitionsApi } from '@tributary/protocol/apis/create-partitions'
import { CreateTopicsApi } from '@tributary/protocol/apis/create-topics'
import { DeleteTopicsApi } from '@tributary/protocol/apis/delete-topics'
import { MetadataApi } from '@tributary/protocol/apis/metadata'
import type { Cluster } from '../cluster/cluster.js'
import type { TopicInfo } from '../cluster/metadata-cache.js'

/** A topic that does not exist is an answer, not a transient state, for admin calls (Kafka's admin client fails the call at once). */
function notUnknownTopic (err: unknown): boolean {
  return !(err instanceof KafkaError && err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
}

export interface NewTopic {
  name: string
  /** -1 (the default) takes the broker's `num.partitions`. */
  numPartitions?: number
  /** -1 (the default) takes the broker's `default.replication.factor`. */
  replicationFactor?: number
  /** Explicit replica assignment by partition; excludes numPartitions/replicationFactor. */
  assignments?: Record<number, number[]>
  configs?: Record<string, string>
}

export interface CreatedTopic { name: string, topicId: string, numPartitions: number, replicationFactor: number }

export interface TimeoutOptions { timeoutMs?: number, validateOnly?: boolean }

/** CreateTopics at the controller; a topic error (e.g. TOPIC_ALREADY_EXISTS) is thrown as a KafkaError. */
export async function createTopics (cluster: Cluster, topics: readonly NewTopic[], opts: TimeoutOptions = {}): Promise<CreatedTopic[]> {
  return await cluster.retry('CreateTopics', async () => {
    const res = await cluster.send('controller', CreateTopicsApi, {
      topics: topics.map(t => ({
        name: t.name,
        numPartitions: t.assignments !== undefined ? -1 : t.numPartitions ?? -1,
        replicationFactor: t.assignments !== undefined ? -1 : t.replicationFactor ?? -1,
        assignments: Object.entries(t.assignments ?? {}).map(([p, brokerIds]) => ({ partitionIndex: Number(p), brokerIds })),
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value }))
      })),
      timeoutMs: opts.timeoutMs ?? cluster.requestTimeoutMs,
      validateOnly: opts.validateOnly ?? false
    })
    for (const t of res.topics) if (t.errorCode !== 0) throw KafkaError.fromCode(t.errorCode, `create topic '${t.name}': ${t.errorMessage ?? KafkaError.fromCode(t.errorCode).message}`)
    return res.topics.map(t => ({ name: t.name, topicId: t.topicId, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor }))
  })
}

/** DeleteTopics at the controller, by name (v6 sends names in the topic-state list, KIP-516). */
export async function deleteTopics (cluster: Cluster, names: readonly string[], opts: { timeoutMs?: number } = {}): Promise<void> {
  await cluster.retry('DeleteTopics', async () => {
    const conn = await cluster.node(await cluster.controller())
    const version = conn.versionFor(DeleteTopicsApi)
    const res = await conn.send(DeleteTopicsApi, {
      ...(version >= 6 ? { topics: names.map(name => ({ name })) } : { topicNames: [...names] }),
      timeoutMs: opts.timeoutMs ?? cluster.requestTimeoutMs
    }, { version })
    for (const r of res.responses) if (r.errorCode !== 0) throw KafkaError.fromCode(r.errorCode, `delete topic '${r.name ?? r.topicId}': ${r.errorMessage ?? KafkaError.fromCode(r.errorCode).message}`)
  }, { shouldRetry: notUnknownTopic })
  for (const n of names) cluster.metadata.topics.delete(n)
}

/** Topic names (internal topics such as __consumer_offsets only when asked). */
export async function listTopics (cluster: Cluster, opts: { includeInternal?: boolean } = {}): Promise<string[]> {
  const res = await cluster.retry('Metadata', async () => await cluster.send('any', MetadataApi, { topics: null, allowAutoTopicCreation: false }))
  return res.topics
    .filter(t => t.errorCode === 0 && t.name !== null && (opts.includeInternal === true || !t.isInternal))
    .map(t => t.name!)
    .sort()
}

/** Fresh metadata of the named topics; UNKNOWN_TOPIC_OR_PARTITION (after retries) for a topic that does not exist. */
export async function describeTopics (cluster: Cluster, names: readonly string[]): Promise<TopicInfo[]> {
  return await cluster.retry('Metadata', async () => {
    await cluster.refreshMetadata(names, false)
    return names.map(n => {
      const t = cluster.metadata.topics.get(n)
      if (t === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${n}' does not exist`)
      if (t.errorCode !== 0) throw KafkaError.fromCode(t.errorCode, `describe topic '${n}'`)
      return t
    })
  }, { shouldRetry: notUnknownTopic })
}

/** Raises the partition count of topics (CreatePartitions at the controller). */
export async function createPartitions (cluster: Cluster, topics: ReadonlyArray<{ topic: string, count: number, assignments?: number[][] }>, opts: TimeoutOptions = {}): Promise<void> {
  await cluster.retry('CreatePartitions', async () => {
    const res = await cluster.send('controller', CreatePartitionsApi, {
      topics: topics.map(t => ({ name: t.topic, count: t.count, assignments: t.assignments?.map(brokerIds => ({ brokerIds })) ?? null })),
      timeoutMs: opts.timeoutMs ?? cluster.requestTimeoutMs,
      validateOnly: opts.validateOnly ?? false
    })
    for (const r of res.results) if (r.errorCode !== 0) throw KafkaError.fromCode(r.errorCode, `create partitions of '${r.name}': ${r.errorMessage ?? KafkaError.fromCode(r.errorCode).message}`)
  })
  for (const t of topics) cluster.metadata.invalidate(t.topic)
}
