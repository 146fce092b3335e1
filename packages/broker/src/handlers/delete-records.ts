// DeleteRecords (key 21), v0-2. v1: same as v0. v2: flexible.
//
// Moves each partition's log start offset forward (Kafka's
// deleteRecordsOnLocalLog): offset -1 means the high watermark; an offset
// above the high watermark or below -1 is OFFSET_OUT_OF_RANGE; an offset at
// or below the log start changes nothing. The low watermark in the answer
// is the log start offset afterwards. Whole segments below it are removed
// by the log.
import { ErrorCode } from '@tributary/protocol'
import { DeleteRecordsApi } from '@tributary/protocol/apis/delete-records'
import { kafkaCodeOf } from '../partitions/errors.js'
import { defineHandler } from './define.js'

export default defineHandler({
  api: DeleteRecordsApi,
  minVersion: 0,
  maxVersion: 2,
  async handle (req, ctx) {
    const image = ctx.broker.metadata.image()
    const topics = await Promise.all(req.topics.map(async t => ({
      name: t.name,
      partitions: await Promise.all(t.partitions.map(async part => {
        const out = (errorCode: number, lowWatermark = -1n): { partitionIndex: number, lowWatermark: bigint, errorCode: number } =>
          ({ partitionIndex: part.partitionIndex, lowWatermark, errorCode })
        const p = image.topics.has(t.name) ? await ctx.broker.replicas?.getAsync(t.name, part.partitionIndex) : undefined
        if (p === undefined) return out(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
        const target = part.offset === -1n ? p.highWatermark : part.offset
        if (target < 0n || target > p.highWatermark) return out(ErrorCode.OFFSET_OUT_OF_RANGE, p.logStartOffset)
        try {
          await p.log.advanceLogStartOffset(target)
          p.wake()
          return out(ErrorCode.NONE, p.logStartOffset)
        } catch (err) {
          return out(kafkaCodeOf(err), p.logStartOffset)
        }
      }))
    })))
    return { throttleTimeMs: 0, topics }
  }
})
