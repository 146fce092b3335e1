import { ErrorCode, KafkaError } from '@tributary/protocol'
import { FetchApi, type FetchResponse } from '@tributary/protocol/apis/fetch'
import type { Cluster } from '../cluster/cluster.js'
import { decodeFetchedRecords } from './fetch-decoder.js'
import { FetchSessionHandler, type WantedPartition } from './fetch-session.js'
import type { MessageBuffer } from './message-buffer.js'
import { partitionKey, type FetchSnapshot, type PartitionState } from './partition-state.js'
import type { ConsumerOptions } from './types.js'

/**
 * One Fetch request to one leader and what its answer does: records into
 * the buffer and positions forward, OFFSET_OUT_OF_RANGE to the reset
 * policy, stale-metadata errors to a metadata refresh, fatal ones to the
 * reader. Keeps one incremental fetch session (KIP-227) per leader.
 */
export class Fetcher {
  /** One incremental fetch session per leader. */
  private readonly sessions = new Map<number, FetchSessionHandler>()

  constructor (
    private readonly cluster: Cluster,
    private readonly opts: ConsumerOptions,
    private readonly buffer: MessageBuffer,
    private readonly partitions: ReadonlyMap<string, PartitionState>,
    private readonly readCommitted: boolean
  ) {}

  async fetchFrom (node: number, snapshot: FetchSnapshot[]): Promise<void> {
    const conn = await this.cluster.node(node)
    const version = conn.versionFor(FetchApi)
    const wanted: WantedPartition[] = snapshot.map(({ s, position }) => {
      const topicId = this.cluster.metadata.topics.get(s.topic)?.topicId
      // Fetch v13+ names topics by id (KIP-516).
      if (version >= 13 && topicId === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_ID, `no topic id known for '${s.topic}'`)
      return { topic: s.topic, topicId: topicId ?? '', partition: s.partition, fetchOffset: position, maxBytes: this.opts.maxPartitionBytes ?? 1_048_576 }
    })
    let session = this.sessions.get(node)
    if (session === undefined) {
      // Fetch sessions (KIP-227) exist from Fetch v7.
      session = new FetchSessionHandler(this.opts.fetchSessions !== false && version >= 7)
      this.sessions.set(node, session)
    }
    const req = session.build(wanted)
    const topicKey = (t: { topic: string, topicId: string }): Record<string, string> => version >= 13 ? { topicId: t.topicId } : { topic: t.topic }
    const topics = new Map<string, { key: Record<string, string>, partitions: object[] }>()
    for (const p of req.partitions) {
      let t = topics.get(p.topic)
      if (t === undefined) { t = { key: topicKey(p), partitions: [] }; topics.set(p.topic, t) }
      t.partitions.push({ partition: p.partition, currentLeaderEpoch: -1, fetchOffset: p.fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: p.maxBytes })
    }
    const forgotten = new Map<string, { key: Record<string, string>, partitions: number[] }>()
    for (const p of req.forgotten) {
      let t = forgotten.get(p.topic)
      if (t === undefined) { t = { key: topicKey(p), partitions: [] }; forgotten.set(p.topic, t) }
      t.partitions.push(p.partition)
    }
    const maxWaitMs = this.opts.maxWaitMs ?? 500
    let res: FetchResponse
    try {
      res = await conn.send(FetchApi, {
        maxWaitMs,
        minBytes: this.opts.minBytes ?? 1,
        maxBytes: this.opts.maxBytes ?? 52_428_800,
        isolationLevel: this.readCommitted ? 1 : 0,
        sessionId: req.sessionId,
        sessionEpoch: req.sessionEpoch,
        topics: [...topics.values()].map(t => ({ ...t.key, partitions: t.partitions })),
        forgottenTopicsData: [...forgotten.values()].map(t => ({ ...t.key, partitions: t.partitions }))
      }, { version, timeoutMs: this.cluster.requestTimeoutMs + maxWaitMs })
    } catch (err) {
      session.reset()
      throw err
    }
    session.onResponse(res.errorCode, res.sessionId)
    // A lost or out-of-step session: the next round starts a new one with a full fetch.
    if (res.errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND || res.errorCode === ErrorCode.INVALID_FETCH_SESSION_EPOCH) return
    if (res.errorCode !== 0) throw KafkaError.fromCode(res.errorCode, `Fetch from broker ${node}`)
    const byKey = new Map(snapshot.map(x => [partitionKey(x.s.topic, x.s.partition), x]))
    let stale: KafkaError | undefined
    for (const t of res.responses) {
      const topic = version >= 13 ? this.cluster.metadata.topicById(t.topicId)?.name : t.topic
      if (topic === undefined) continue
      for (const p of t.partitions) {
        const snap = byKey.get(partitionKey(topic, p.partitionIndex))
        if (snap === undefined || snap.s.epoch !== snap.epoch || this.partitions.get(partitionKey(topic, p.partitionIndex)) !== snap.s) continue
        const s = snap.s
        if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          // Kafka's auto.offset.reset: the position is resolved again by the reset policy.
          const policy = this.opts.autoOffsetReset ?? 'earliest'
          if (policy === 'none') { s.paused = true; this.buffer.fail(KafkaError.fromCode(p.errorCode, `fetch of ${topic}-${s.partition} at ${snap.position}`)); continue }
          s.position = undefined
          s.start = policy
          continue
        }
        if (p.errorCode !== 0) {
          const err = KafkaError.fromCode(p.errorCode, `fetch of ${topic}-${s.partition}`)
          if (err.retriable) { stale = err; continue }
          s.paused = true
          this.buffer.fail(err)
          continue
        }
        const decoded = await decodeFetchedRecords(p.records, { topic, partition: s.partition, fetchOffset: snap.position, readCommitted: this.readCommitted, abortedTransactions: p.abortedTransactions })
        if (s.epoch !== snap.epoch) continue
        if (decoded.nextOffset !== undefined && decoded.nextOffset > snap.position) s.position = decoded.nextOffset
        if (decoded.messages.length > 0) this.buffer.push({ topic, partition: s.partition, highWatermark: p.highWatermark, messages: decoded.messages, epoch: snap.epoch })
      }
    }
    if (stale !== undefined) await this.cluster.afterError(stale)
  }
}
