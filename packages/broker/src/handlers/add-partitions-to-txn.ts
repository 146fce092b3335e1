// AddPartitionsToTxn (key 24), v0-5. v1: same as v0. v2: PRODUCER_FENCED
// (KIP-588). v3: flexible. v4: batched transactions and verify_only, a
// broker-to-coordinator form (KIP-890 part 1). v5: TRANSACTION_ABORTABLE.
//
// Partitions join the producer's transaction, which starts on the first;
// the state record is durable before the answer. Partitions of unknown
// topics get UNKNOWN_TOPIC_OR_PARTITION and the others of the request
// OPERATION_NOT_ATTEMPTED, as Kafka's KafkaApis does.
import { ErrorCode, type Input } from '@tributary/protocol'
import {
  AddPartitionsToTxnApi, type AddPartitionsToTxnRequestAddPartitionsToTxnTopic, type AddPartitionsToTxnResponse,
  type AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult
} from '@tributary/protocol/apis/add-partitions-to-txn'
import type { TopicPartition } from '../transactions/shard.js'
import { defineHandler, type RequestContext } from './define.js'
import { fencedFor, txnShardFor, writeFailure } from './txn-route.js'

type TopicResult = Input<AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult>

interface One { transactionalId: string, producerId: bigint, producerEpoch: number, verifyOnly: boolean, topics: AddPartitionsToTxnRequestAddPartitionsToTxnTopic[] }

function results (topics: AddPartitionsToTxnRequestAddPartitionsToTxnTopic[], codeOf: (tp: TopicPartition) => number): TopicResult[] {
  return topics.map(t => ({ name: t.name, resultsByPartition: t.partitions.map(p => ({ partitionIndex: p, partitionErrorCode: codeOf({ topic: t.name, partition: p }) })) }))
}

async function addOne (ctx: RequestContext, r: One): Promise<TopicResult[]> {
  const lookup = txnShardFor(ctx, r.transactionalId)
  if (lookup.shard === undefined) return results(r.topics, () => lookup.errorCode)
  const shard = lookup.shard
  if (r.verifyOnly) return results(r.topics, tp => shard.verify(r.transactionalId, r.producerId, r.producerEpoch, tp))
  const image = ctx.broker.metadata.image()
  const unknown = (tp: TopicPartition): boolean => {
    const t = image.topics.get(tp.topic)
    return t === undefined || tp.partition < 0 || tp.partition >= t.partitions.length
  }
  const all = r.topics.flatMap(t => t.partitions.map(p => ({ topic: t.name, partition: p })))
  if (all.some(unknown)) return results(r.topics, tp => unknown(tp) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED)
  let code: number
  try {
    code = await shard.addPartitions(r.transactionalId, r.producerId, r.producerEpoch, all)
  } catch (err) {
    code = writeFailure(ctx, err)
  }
  const answered = fencedFor(code, ctx.version, 2)
  return results(r.topics, () => answered)
}

export default defineHandler({
  api: AddPartitionsToTxnApi,
  minVersion: 0,
  maxVersion: 5,
  async handle (req, ctx): Promise<Input<AddPartitionsToTxnResponse>> {
    if (ctx.version < 4) {
      const topics = await addOne(ctx, { transactionalId: req.v3AndBelowTransactionalId, producerId: req.v3AndBelowProducerId, producerEpoch: req.v3AndBelowProducerEpoch, verifyOnly: false, topics: req.v3AndBelowTopics })
      return { throttleTimeMs: 0, resultsByTopicV3AndBelow: topics }
    }
    const resultsByTransaction = await Promise.all(req.transactions.map(async t => ({ transactionalId: t.transactionalId, topicResults: await addOne(ctx, t) })))
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction }
  }
})
