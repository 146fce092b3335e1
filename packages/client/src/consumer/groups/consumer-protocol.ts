import { ProtocolDecodeError, Reader, Writer } from '@tributary/protocol'
import type { TopicPartition } from '../types.js'

/*
 * The "consumer" embedded protocol of classic groups: the bytes a member
 * puts in JoinGroup's protocol metadata (its subscription) and the leader
 * puts in SyncGroup (each member's assignment), in the layout of Kafka's
 * ConsumerProtocolSubscription / ConsumerProtocolAssignment. We write
 * version 0 (topics and user data), which every consumer reads; we read any
 * version, because later versions only append fields (owned partitions,
 * generation, rack) after the v0 prefix.
 */

export interface Subscription { version: number, topics: string[], userData: Buffer | null }

export function encodeSubscription (topics: readonly string[], userData: Buffer | null = null): Buffer {
  const w = new Writer(64)
  w.int16(0)
  w.int32(topics.length)
  for (const t of topics) w.string(t)
  w.nullableBytes(userData)
  return w.finish()
}

export function decodeSubscription (buf: Buffer): Subscription {
  const r = new Reader(buf)
  const version = r.int16()
  if (version < 0) throw new ProtocolDecodeError(`consumer subscription version ${version}`)
  const n = r.arrayLength(2)
  const topics: string[] = []
  for (let i = 0; i < n; i++) topics.push(r.string())
  const userData = r.remaining > 0 ? r.nullableBytes() : null
  return { version, topics, userData }
}

export function encodeAssignment (partitions: readonly TopicPartition[], userData: Buffer | null = null): Buffer {
  const byTopic = new Map<string, number[]>()
  for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition])
  const w = new Writer(64)
  w.int16(0)
  w.int32(byTopic.size)
  for (const [topic, ps] of byTopic) {
    w.string(topic)
    w.int32(ps.length)
    for (const p of ps) w.int32(p)
  }
  w.nullableBytes(userData)
  return w.finish()
}

/** An empty buffer is an empty assignment (a member the leader gave nothing). */
export function decodeAssignment (buf: Buffer): TopicPartition[] {
  if (buf.length === 0) return []
  const r = new Reader(buf)
  const version = r.int16()
  if (version < 0) throw new ProtocolDecodeError(`consumer assignment version ${version}`)
  const out: TopicPartition[] = []
  const n = r.arrayLength(6)
  for (let i = 0; i < n; i++) {
    const topic = r.string()
    const m = r.arrayLength(4)
    for (let j = 0; j < m; j++) out.push({ topic, partition: r.int32() })
  }
  return out
}
