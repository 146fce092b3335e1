// DescribeProducers (key 61), v0 (KIP-664): the active producers of each
// requested partition, from the partition's producer state: id, epoch, last
// sequence and last timestamp (of its last batch), the coordinator epoch of
// its last transaction marker (-1 before any) and the first offset of its
// open transaction (-1 when none).
// A partition this broker does not host: UNKNOWN_TOPIC_OR_PARTITION (the
// topic exists elsewhere or not at all; single node, both mean "not here").
import { ErrorCode, type Input } from '@tributary/protocol'
import {
  DescribeProducersApi, type DescribeProducersResponse, type DescribeProducersResponsePartitionResponse
} from '@tributary/protocol/apis/describe-producers'
import { defineHandler } from './define.js'

type PartitionOut = Input<DescribeProducersResponsePartitionResponse>

export default defineHandler({
  api: DescribeProducersApi,
  minVersion: 0,
  maxVersion: 0,
  async handle (req, ctx): Promise<Input<DescribeProducersResponse>> {
    const image = ctx.broker.metadata.image()
    const topics = await Promise.all(req.topics.map(async t => ({
      name: t.name,
      partitions: await Promise.all(t.partitionIndexes.map(async (index): Promise<PartitionOut> => {
        const p = image.topics.has(t.name) ? await ctx.broker.replicas?.getAsync(t.name, index) : undefined
        if (p === undefined) {
          return { partitionIndex: index, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.', activeProducers: [] }
        }
        const activeProducers = [...p.producers.all()].map(e => ({
          producerId: e.producerId,
          producerEpoch: e.producerEpoch,
          lastSequence: e.batches[e.batches.length - 1]?.lastSeq ?? -1,
          lastTimestamp: e.lastTimestamp,
          coordinatorEpoch: e.coordinatorEpoch,
          currentTxnStartOffset: e.currentTxnFirstOffset
        }))
        return { partitionIndex: index, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers }
      }))
    })))
    return { throttleTimeMs: 0, topics }
  }
})
