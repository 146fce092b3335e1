// AddOffsetsToTxn (key 25), v0-4. v1: same as v0. v2: PRODUCER_FENCED
// (KIP-588). v3: flexible. v4: TRANSACTION_ABORTABLE (KIP-890).
//
// The group's partition of `__consumer_offsets` joins the transaction, so
// that EndTxn writes a marker there and the offsets of TxnOffsetCommit
// become visible with the transaction's records.
import { ErrorCode, type Input } from '@tributary/protocol'
import { AddOffsetsToTxnApi, type AddOffsetsToTxnResponse } from '@tributary/protocol/apis/add-offsets-to-txn'
import { CONSUMER_OFFSETS_TOPIC } from '../topics/internal-topics.js'
import { defineHandler } from './define.js'
import { fencedFor, txnShardFor, writeFailure } from './txn-route.js'

export default defineHandler({
  api: AddOffsetsToTxnApi,
  minVersion: 0,
  maxVersion: 4,
  async handle (req, ctx): Promise<Input<AddOffsetsToTxnResponse>> {
    const answer = (errorCode: number): Input<AddOffsetsToTxnResponse> => ({ throttleTimeMs: 0, errorCode: fencedFor(errorCode, ctx.version, 2) })
    const lookup = txnShardFor(ctx, req.transactionalId)
    if (lookup.shard === undefined) return answer(lookup.errorCode)
    const groups = ctx.broker.groups
    if (groups === undefined) return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    const topic = await groups.ensureTopic()
    if ('errorCode' in topic) return answer(topic.errorCode)
    const partition = groups.partitionOf(req.groupId)
    if (partition === undefined) return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    try {
      return answer(await lookup.shard.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, [{ topic: CONSUMER_OFFSETS_TOPIC, partition }]))
    } catch (err) {
      return answer(writeFailure(ctx, err))
    }
  }
})
