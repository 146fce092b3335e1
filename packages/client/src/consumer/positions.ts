import { ErrorCode, KafkaError } from '@tributary/protocol'
import type { Cluster } from '../cluster/cluster.js'
import { fetchOffsets } from '../ops/group-offsets.js'
import { EARLIEST, LATEST, listOffsets } from '../ops/list-offsets.js'
import { partitionKey, startAt, type PartitionState } from './partition-state.js'
import type { ConsumerOptions, StartOffset } from './types.js'

/**
 * Turns start offsets, committed offsets (OffsetFetch, with a group) and
 * the reset policy (ListOffsets) into fetch positions for the partitions
 * that have none. A partition sought or paused meanwhile (its epoch moved)
 * keeps its new state.
 */
export async function resolvePositions (cluster: Cluster, partitions: ReadonlyMap<string, PartitionState>, groupId: string | undefined, autoOffsetReset: ConsumerOptions['autoOffsetReset'], readCommitted: boolean): Promise<void> {

  const unresolved = [...partitions.values()].filter(s => s.position === undefined && !s.paused)
  if (unresolved.length === 0) return
  const epochs = new Map(unresolved.map(s => [s, s.epoch]))
  const needCommitted = unresolved.filter(s => s.start === undefined && s.consumed === undefined && groupId !== undefined)
  if (needCommitted.length > 0) {
    const committed = await fetchOffsets(cluster, groupId!, needCommitted)
    for (const c of committed) {
      const s = partitions.get(partitionKey(c.topic, c.partition))
      if (s !== undefined && s.epoch === epochs.get(s) && c.offset >= 0n) startAt(s, c.offset)
    }
  }
  const byTime = unresolved.filter(s => s.position === undefined).map(s => {
    const start = s.start ?? autoOffsetReset ?? 'earliest'
    if (start === 'none') throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `no position for ${s.topic}-${s.partition} and autoOffsetReset is 'none'`)
    return { s, start }
  })
  for (const { s, start } of byTime) {
    if (typeof start === 'bigint' || typeof start === 'number') startAt(s, BigInt(start))
  }
  const queries = byTime.filter(({ s }) => s.position === undefined)
  if (queries.length === 0) return
  const timestampOf = (start: Exclude<StartOffset, bigint | number>): bigint => {
    if (start === 'latest') return LATEST
    if (start === 'earliest') return EARLIEST
    return BigInt(start.timestamp instanceof Date ? start.timestamp.getTime() : start.timestamp)
  }
  const asked = queries.map(({ s, start }) => ({ topic: s.topic, partition: s.partition, timestamp: timestampOf(start as Exclude<StartOffset, bigint | number>) }))
  const answers = await listOffsets(cluster, asked, readCommitted ? 1 : 0)
  // No record at or after the time: Kafka answers -1, and the consumer starts at the log end.
  const past = asked.filter((q, i) => q.timestamp >= 0n && answers[i]!.offset < 0n)
  const ends = past.length > 0 ? await listOffsets(cluster, past.map(q => ({ ...q, timestamp: LATEST })), readCommitted ? 1 : 0) : []
  queries.forEach(({ s }, i) => {
    if (s.epoch !== epochs.get(s)) return
    const offset = answers[i]!.offset >= 0n ? answers[i]!.offset : ends[past.indexOf(asked[i]!)]!.offset
    startAt(s, offset)
  })
}
