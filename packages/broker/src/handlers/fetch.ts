// Fetch (key 1), v4-17 (v0-3 carry message sets v0/v1, removed in Kafka 4 by KIP-896).
// v4: isolation_level, last_stable_offset, aborted transactions (KIP-98).
// v5: log_start_offset. v7: fetch sessions (KIP-227). v9: current_leader_epoch
// (KIP-320). v11: rack_id and preferred_read_replica (KIP-392). v12: flexible,
// diverging epoch. v13: topic ids instead of names (KIP-516). v15: replica
// state (KIP-903). v16: node endpoints (KIP-951). v17: replica directory id.
//
// Sessions (KIP-227): this broker does not create fetch sessions yet. A full
// fetch (session id 0, epoch -1 or 0) is answered with session id 0, which
// tells the client that no session was created, so it keeps sending full
// fetches (Java's FetchSessionHandler and librdkafka handle this; kafkajs
// never asks for sessions). A non-zero session id gets
// FETCH_SESSION_ID_NOT_FOUND, a session id 0 with another epoch
// INVALID_FETCH_SESSION_EPOCH, as Kafka's FetchSessionCache answers them.
//
// Long polling: if fewer than min_bytes are available and no partition has
// an error, the request waits until a high watermark it reads advances or
// max_wait_ms passes, then reads again.
import { ErrorCode, ZERO_UUID, type Input } from '@tributary/protocol'
import { FetchApi, type FetchRequest, type FetchResponseFetchableTopicResponse } from '@tributary/protocol/apis/fetch'
import { readPartitions, waitForData, type FetchTarget } from '../partitions/fetch-reader.js'
import type { Partition } from '../partitions/partition.js'
import { defineHandler, type RequestContext } from './define.js'

const READ_COMMITTED = 1

interface TopicTargets { topic: string, topicId: string, targets: FetchTarget[] }

async function resolveTargets (req: FetchRequest, ctx: RequestContext): Promise<TopicTargets[]> {
  const image = ctx.broker.metadata.image()
  const byId = ctx.version >= 13
  return await Promise.all(req.topics.map(async t => {
    const topic = byId ? image.topicsById.get(t.topicId) : image.topics.get(t.topic)
    const name = topic?.name ?? (byId ? '' : t.topic)
    const missingCode = byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
    return {
      topic: name,
      topicId: topic?.id ?? t.topicId,
      targets: await Promise.all(t.partitions.map(async p => ({
        partition: topic === undefined ? undefined : await ctx.broker.replicas?.getAsync(topic.name, p.partition),
        missingCode: topic === undefined ? missingCode : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        index: p.partition,
        fetchOffset: p.fetchOffset,
        partitionMaxBytes: p.partitionMaxBytes,
        currentLeaderEpoch: p.currentLeaderEpoch
      })))
    }
  }))
}

export default defineHandler({
  api: FetchApi,
  minVersion: 4,
  maxVersion: 17,
  async handle (req, ctx) {
    const base = { throttleTimeMs: 0, sessionId: 0, nodeEndpoints: [] }
    if (req.sessionId !== 0) return { ...base, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, responses: [] }
    if (req.sessionEpoch !== -1 && req.sessionEpoch !== 0) return { ...base, errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, responses: [] }
    const topics = await resolveTargets(req, ctx)
    const flat = topics.flatMap(t => t.targets)
    const readCommitted = req.isolationLevel === READ_COMMITTED
    // v3+ has max_bytes; Kafka treats a non-positive value as no room beyond the first batch.
    const maxBytes = Math.max(0, req.maxBytes)
    const deadline = Date.now() + Math.max(0, req.maxWaitMs)
    let result = await readPartitions(flat, maxBytes, readCommitted)
    while (!result.errors && result.bytes < req.minBytes && Date.now() < deadline && flat.length > 0) {
      const partitions = flat.map(t => t.partition).filter((p): p is Partition => p !== undefined)
      await waitForData(partitions, deadline - Date.now())
      result = await readPartitions(flat, maxBytes, readCommitted)
    }
    let at = 0
    const responses: Array<Input<FetchResponseFetchableTopicResponse>> = topics.map(t => ({
      topic: t.topic,
      topicId: ctx.version >= 13 ? t.topicId : ZERO_UUID,
      partitions: t.targets.map(() => {
        const p = result.parts[at++]!
        return { ...p, logStartOffset: ctx.version >= 5 ? p.logStartOffset : -1n, abortedTransactions: readCommitted ? [] : null, preferredReadReplica: -1 }
      })
    }))
    return { ...base, errorCode: ErrorCode.NONE, responses }
  }
})
