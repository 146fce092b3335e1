// OffsetForLeaderEpoch (key 23), v2-4 (v0-1 were removed in Kafka 4 by KIP-896).
// v2: current_leader_epoch (KIP-320). v3: replica_id, so consumers may ask
// (KIP-320 log truncation detection). v4: flexible.
//
// The end offset of the requested epoch from the log's leader epoch cache
// (KIP-101, KIP-279): the start offset of the next larger epoch, or the log
// end offset for the latest epoch; UNDEFINED (-1, -1) for an epoch the log
// has never had or an empty log. Single node: the current epoch is 0.
import { ErrorCode } from '@tributary/protocol'
import { OffsetForLeaderEpochApi } from '@tributary/protocol/apis/offset-for-leader-epoch'
import { LEADER_EPOCH } from '../partitions/partition.js'
import { defineHandler } from './define.js'

export default defineHandler({
  api: OffsetForLeaderEpochApi,
  minVersion: 2,
  maxVersion: 4,
  async handle (req, ctx) {
    const image = ctx.broker.metadata.image()
    return {
      throttleTimeMs: 0,
      topics: await Promise.all(req.topics.map(async t => ({
        topic: t.topic,
        partitions: await Promise.all(t.partitions.map(async part => {
          const out = (errorCode: number, leaderEpoch = -1, endOffset = -1n): { errorCode: number, partition: number, leaderEpoch: number, endOffset: bigint } =>
            ({ errorCode, partition: part.partition, leaderEpoch, endOffset })
          const p = image.topics.has(t.topic) ? await ctx.broker.replicas?.getAsync(t.topic, part.partition) : undefined
          if (p === undefined) return out(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
          if (part.currentLeaderEpoch > LEADER_EPOCH) return out(ErrorCode.UNKNOWN_LEADER_EPOCH)
          const r = p.log.endOffsetForEpoch(part.leaderEpoch)
          return out(ErrorCode.NONE, r.epoch, r.endOffset)
        }))
      })))
    }
  }
})
