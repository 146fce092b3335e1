// EndTxn (key 26), v0-4. v1: same as v0. v2: PRODUCER_FENCED (KIP-588).
// v3: flexible. v4: TRANSACTION_ABORTABLE (KIP-890). v5 (KIP-890 part 2,
// epoch bump per transaction) is unstable in Kafka's definitions and not
// served.
//
// Commit or abort, as Kafka: the answer goes once PrepareCommit/PrepareAbort
// is durable; markers then go to every partition of the transaction in the
// background, then CompleteCommit/CompleteAbort (transactions/shard.ts).
import { type Input } from '@tributary/protocol'
import { EndTxnApi, type EndTxnResponse } from '@tributary/protocol/apis/end-txn'
import { defineHandler } from './define.js'
import { fencedFor, txnShardFor, writeFailure } from './txn-route.js'

export default defineHandler({
  api: EndTxnApi,
  minVersion: 0,
  maxVersion: 4,
  async handle (req, ctx): Promise<Input<EndTxnResponse>> {
    const answer = (errorCode: number): Input<EndTxnResponse> => ({ throttleTimeMs: 0, errorCode: fencedFor(errorCode, ctx.version, 2), producerId: -1n, producerEpoch: -1 })
    const lookup = txnShardFor(ctx, req.transactionalId)
    if (lookup.shard === undefined) return answer(lookup.errorCode)
    try {
      return answer(await lookup.shard.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed))
    } catch (err) {
      return answer(writeFailure(ctx, err))
    }
  }
})
