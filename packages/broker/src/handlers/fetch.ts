// Fetch (key 1), v4-17 (v0-3 carry message sets v0/v1, removed in Kafka 4 by KIP-896).
// v4: isolation_level, last_stable_offset, aborted transactions (KIP-98).
// v5: log_start_offset. v7: fetch sessions (KIP-227). v9: current_leader_epoch
// (KIP-320). v11: rack_id and preferred_read_replica (KIP-392). v12: flexible,
// diverging epoch. v13: topic ids instead of names (KIP-516). v15: replica
// state (KIP-903). v16: node endpoints (KIP-951). v17: replica directory id.
//
// Sessions (KIP-227), as Kafka's FetchManager.newContext:
// - session id 0, epoch -1: a sessionless full fetch (v4-6 always are).
// - epoch 0: a full fetch that creates a session. The broker picks a random
//   positive session id, remembers each partition's fetch parameters and
//   what it answered, and returns every partition. A non-zero session id
//   with epoch 0 first closes that session. With no cache slots the
//   response carries session id 0: no session, keep sending full fetches.
// - session id S, epoch -1: closes S, answered as a sessionless full fetch.
// - session id S, epoch N > 0: incremental. S unknown (or evicted) gives
//   FETCH_SESSION_ID_NOT_FOUND, N other than the expected epoch
//   INVALID_FETCH_SESSION_EPOCH, a session created with topic names used
//   with topic ids (or the reverse) FETCH_SESSION_TOPIC_ID_ERROR; errors
//   carry session id 0 and leave the session as it was. Otherwise `topics`
//   adds or updates partitions, forgotten_topics_data removes them, every
//   session partition is read, and the response carries only those with
//   records, an error, or a high watermark / last stable offset / log start
//   offset other than the last one sent.
// Sessions are keyed by topic id from v13 and by name before.
//
// Long polling: if fewer than min_bytes are available and no partition has
// an error, the request waits until a high watermark it reads advances or
// max_wait_ms passes, then reads again. An incremental fetch waits the same
// way over all the partitions of its session.
import { ErrorCode, ZERO_UUID, type Input } from '@tributary/protocol'
import { FetchApi, type FetchRequest, type FetchResponseFetchableTopicResponse } from '@tributary/protocol/apis/fetch'
import { readPartitions, waitForData, type FetchedPartition, type FetchTarget } from '../partitions/fetch-reader.js'
import { sessionKey, type FetchSession, type SessionPartition } from '../partitions/fetch-sessions.js'
import type { Partition } from '../partitions/partition.js'
import { defineHandler, type RequestContext } from './define.js'

const READ_COMMITTED = 1
const FINAL_EPOCH = -1
const INITIAL_EPOCH = 0

/** The partitions of a request, in request order, as session partitions not yet answered. */
function requested (req: FetchRequest, byId: boolean): SessionPartition[] {
  return req.topics.flatMap(t => t.partitions.map(p => ({
    topic: byId ? '' : t.topic,
    topicId: byId ? t.topicId : ZERO_UUID,
    partition: p.partition,
    fetchOffset: p.fetchOffset,
    partitionMaxBytes: p.partitionMaxBytes,
    currentLeaderEpoch: p.currentLeaderEpoch,
    fetcherLogStartOffset: p.logStartOffset,
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n
  })))
}

interface Resolved { entry: SessionPartition, topic: string, topicId: string, target: FetchTarget }

function resolved (e: SessionPartition, topic: { name: string, id: string } | undefined, partition: Partition | undefined, byId: boolean): Resolved {
  return {
    entry: e,
    topic: topic?.name ?? (byId ? '' : e.topic),
    topicId: topic?.id ?? e.topicId,
    target: {
      partition,
      missingCode: topic === undefined && byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      index: e.partition,
      fetchOffset: e.fetchOffset,
      partitionMaxBytes: e.partitionMaxBytes,
      currentLeaderEpoch: e.currentLeaderEpoch
    }
  }
}

/** The partitions of a fetch, waiting for any whose log is still opening. */
async function resolveTargets (entries: readonly SessionPartition[], ctx: RequestContext): Promise<Resolved[]> {
  const image = ctx.broker.metadata.image()
  const byId = ctx.version >= 13
  return await Promise.all(entries.map(async e => {
    const topic = byId ? image.topicsById.get(e.topicId) : image.topics.get(e.topic)
    return resolved(e, topic, topic === undefined ? undefined : await ctx.broker.replicas?.getAsync(topic.name, e.partition), byId)
  }))
}

/** resolveTargets in one synchronous step, the usual case: undefined when a known partition's log is not open yet. */
function resolveTargetsNow (entries: readonly SessionPartition[], ctx: RequestContext): Resolved[] | undefined {
  const replicas = ctx.broker.replicas
  if (replicas === undefined) return undefined
  const image = ctx.broker.metadata.image()
  const byId = ctx.version >= 13
  const out: Resolved[] = new Array(entries.length)
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!
    const topic = byId ? image.topicsById.get(e.topicId) : image.topics.get(e.topic)
    const partition = topic === undefined ? undefined : replicas.get(topic.name, e.partition)
    if (topic !== undefined && partition === undefined) return undefined
    out[i] = resolved(e, topic, partition, byId)
  }
  return out
}

/**
 * Records what a response tells the client about a session partition and
 * whether an incremental response must carry it (Kafka's
 * CachedPartition.maybeUpdateResponseData): records, an error, or a changed
 * high watermark, last stable offset or log start offset.
 */
function mustRespond (cached: SessionPartition, p: FetchedPartition): boolean {
  let respond = p.records.length > 0 || p.errorCode !== ErrorCode.NONE
  if (cached.highWatermark !== p.highWatermark) { cached.highWatermark = p.highWatermark; respond = true }
  if (cached.lastStableOffset !== p.lastStableOffset) { cached.lastStableOffset = p.lastStableOffset; respond = true }
  if (cached.logStartOffset !== p.logStartOffset) { cached.logStartOffset = p.logStartOffset; respond = true }
  return respond
}

type SessionCheck = { session: FetchSession } | { errorCode: number }

/** Looks up the session of an incremental fetch and applies its partition changes (KIP-227). */
function incremental (req: FetchRequest, ctx: RequestContext): SessionCheck {
  const byId = ctx.version >= 13
  const session = ctx.broker.fetchSessions?.get(req.sessionId)
  if (session === undefined) return { errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND }
  if (session.usesTopicIds !== byId) return { errorCode: ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR }
  if (session.epoch !== req.sessionEpoch) return { errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH }
  // The epoch moves on before any await, so a concurrent request with the same epoch is refused.
  session.epoch = session.epoch === 0x7fffffff ? 1 : session.epoch + 1
  for (const e of requested(req, byId)) {
    const key = sessionKey(byId, e.topic, e.topicId, e.partition)
    const cached = session.partitions.get(key)
    if (cached === undefined) session.partitions.set(key, e)
    else {
      cached.fetchOffset = e.fetchOffset
      cached.partitionMaxBytes = e.partitionMaxBytes
      cached.currentLeaderEpoch = e.currentLeaderEpoch
      cached.fetcherLogStartOffset = e.fetcherLogStartOffset
    }
  }
  for (const f of req.forgottenTopicsData) {
    for (const p of f.partitions) session.partitions.delete(sessionKey(byId, byId ? '' : f.topic, byId ? f.topicId : ZERO_UUID, p))
  }
  return { session }
}

export default defineHandler({
  api: FetchApi,
  minVersion: 4,
  maxVersion: 17,
  async handle (req, ctx) {
    const base = { throttleTimeMs: 0, nodeEndpoints: [] }
    const byId = ctx.version >= 13
    const cache = ctx.broker.fetchSessions
    let session: FetchSession | undefined
    let entries: SessionPartition[]
    let full = true
    if (req.sessionEpoch === FINAL_EPOCH || req.sessionEpoch === INITIAL_EPOCH) {
      // A full fetch closes the session it names, if any (KIP-227).
      if (req.sessionId !== 0) cache?.remove(req.sessionId)
      entries = requested(req, byId)
      if (req.sessionEpoch === INITIAL_EPOCH) {
        session = cache?.create(byId)
        for (const e of entries) session?.partitions.set(sessionKey(byId, e.topic, e.topicId, e.partition), e)
      }
    } else {
      const check = incremental(req, ctx)
      if ('errorCode' in check) return { ...base, sessionId: 0, errorCode: check.errorCode, responses: [] }
      session = check.session
      entries = [...session.partitions.values()]
      full = false
    }
    const targets = resolveTargetsNow(entries, ctx) ?? await resolveTargets(entries, ctx)
    const flat = targets.map(r => r.target)
    const readCommitted = req.isolationLevel === READ_COMMITTED
    // v3+ has max_bytes; Kafka treats a non-positive value as no room beyond the first batch.
    const maxBytes = Math.max(0, req.maxBytes)
    const deadline = Date.now() + Math.max(0, req.maxWaitMs)
    let result = readPartitions(flat, maxBytes, readCommitted)
    while (!result.errors && result.bytes < req.minBytes && Date.now() < deadline && flat.length > 0) {
      const partitions = flat.map(t => t.partition).filter((p): p is Partition => p !== undefined)
      await waitForData(partitions, deadline - Date.now())
      result = readPartitions(flat, maxBytes, readCommitted)
    }
    // Consecutive partitions of one topic share a topic entry, in request (full) or session (incremental) order.
    type TopicResponse = Input<FetchResponseFetchableTopicResponse>
    const responses: Array<{ topic: string, topicId: string, partitions: Array<NonNullable<TopicResponse['partitions']>[number]> }> = []
    let last: Resolved | undefined
    targets.forEach((r, i) => {
      const p = result.parts[i]!
      // Full responses carry every partition but still record what was sent, for the next incremental one.
      const changed = mustRespond(r.entry, p)
      if (!full && !changed) return
      const out = { ...p, logStartOffset: ctx.version >= 5 ? p.logStartOffset : -1n, abortedTransactions: readCommitted ? p.abortedTransactions : null, preferredReadReplica: -1 }
      const sameTopic = last !== undefined && (byId ? last.entry.topicId === r.entry.topicId : last.entry.topic === r.entry.topic)
      const current = responses.at(-1)
      if (sameTopic && current !== undefined) current.partitions.push(out)
      else responses.push({ topic: r.topic, topicId: byId ? r.topicId : ZERO_UUID, partitions: [out] })
      last = r
    })
    return { ...base, sessionId: session?.id ?? 0, errorCode: ErrorCode.NONE, responses }
  }
})
