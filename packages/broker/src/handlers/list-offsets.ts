// ListOffsets (key 2), v1-10 (v0, with its list of old-style offsets, was removed in Kafka 4 by KIP-896).
// v1: one offset per partition. v2: isolation_level (KIP-98). v4: current
// leader epoch in, leader epoch out (KIP-320). v6: flexible. v7: -3 max
// timestamp (KIP-734). v8: -4 earliest local (KIP-405). v9: -5 earliest
// pending upload (KIP-1005). v10: timeout_ms.
//
// -2: log start offset; -1: high watermark (read_uncommitted) or last stable
// offset (read_committed); -3: the record with the largest timestamp; -4: as
// -2 (no tiered storage); -5: nothing pending upload without tiered storage,
// so offset -1. Otherwise the first offset with a timestamp >= the one
// given, below the fetchable bound, or -1 if none (as Kafka's
// fetchOffsetForTimestamp). Single node: leader epoch 0.
import { ErrorCode, type Input } from '@tributary/protocol'
import { ListOffsetsApi, type ListOffsetsRequestListOffsetsPartition, type ListOffsetsResponseListOffsetsPartitionResponse } from '@tributary/protocol/apis/list-offsets'
import { kafkaCodeOf } from '../partitions/errors.js'
import { LEADER_EPOCH, type Partition } from '../partitions/partition.js'
import { defineHandler } from './define.js'

type Out = Input<ListOffsetsResponseListOffsetsPartitionResponse>

const LATEST = -1n
const EARLIEST = -2n
const MAX_TIMESTAMP = -3n
const EARLIEST_LOCAL = -4n
const EARLIEST_PENDING_UPLOAD = -5n

function failed (partitionIndex: number, errorCode: number): Out {
  return { partitionIndex, errorCode, timestamp: -1n, offset: -1n, leaderEpoch: -1, oldStyleOffsets: [] }
}

async function lookup (p: Partition, req: ListOffsetsRequestListOffsetsPartition, readCommitted: boolean): Promise<Out> {
  const found = (offset: bigint, timestamp = -1n): Out =>
    ({ partitionIndex: req.partitionIndex, errorCode: ErrorCode.NONE, timestamp, offset, leaderEpoch: offset < 0n ? -1 : LEADER_EPOCH, oldStyleOffsets: [] })
  const bound = readCommitted ? p.lastStableOffset : p.highWatermark
  switch (req.timestamp) {
    case EARLIEST:
    case EARLIEST_LOCAL:
      return found(p.logStartOffset)
    case LATEST:
      return found(bound)
    case EARLIEST_PENDING_UPLOAD:
      return found(-1n)
    case MAX_TIMESTAMP: {
      const max = await p.log.maxTimestampOffset()
      return max === null ? found(-1n) : found(max.offset, max.timestamp)
    }
    default: {
      if (req.timestamp < 0n) return failed(req.partitionIndex, ErrorCode.INVALID_REQUEST)
      const hit = await p.log.offsetForTimestamp(req.timestamp)
      return hit === null || hit.offset >= bound ? found(-1n) : found(hit.offset, hit.timestamp)
    }
  }
}

export default defineHandler({
  api: ListOffsetsApi,
  minVersion: 1,
  maxVersion: 10,
  async handle (req, ctx) {
    const image = ctx.broker.metadata.image()
    const readCommitted = req.isolationLevel === 1
    const topics = await Promise.all(req.topics.map(async t => ({
      name: t.name,
      partitions: await Promise.all(t.partitions.map(async part => {
        const p = image.topics.has(t.name) ? await ctx.broker.replicas?.getAsync(t.name, part.partitionIndex) : undefined
        if (p === undefined) return failed(part.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
        if (part.currentLeaderEpoch > LEADER_EPOCH) return failed(part.partitionIndex, ErrorCode.UNKNOWN_LEADER_EPOCH)
        try {
          const out = await lookup(p, part, readCommitted)
          // The leader epoch is in the response from v4 (KIP-320).
          return ctx.version >= 4 ? out : { ...out, leaderEpoch: -1 }
        } catch (err) {
          return failed(part.partitionIndex, kafkaCodeOf(err))
        }
      }))
    })))
    return { throttleTimeMs: 0, topics }
  }
})
