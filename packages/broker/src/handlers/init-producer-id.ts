// InitProducerId (key 22), v0-5. v1: same as v0 (throttle on quota).
// v2: flexible. v3: producer_id and producer_epoch, for KIP-360 epoch bumps.
// v4: PRODUCER_FENCED replaced by INVALID_PRODUCER_EPOCH (KIP-588). v5: KIP-890.
//
// Idempotent producers (transactional_id null): as Kafka's
// TransactionCoordinator, every request gets a new producer id with epoch 0,
// whatever producer id and epoch it carries. Bumping the epoch of an
// idempotent producer after an error is done by the client itself (KIP-360:
// the idempotent producer increments its epoch locally and only asks for a
// new id when the epoch would overflow), so the broker never bumps it.
//
// A request (v3+) with only one of producer_id and producer_epoch set is
// INVALID_REQUEST, as is an empty transactional id (Kafka's KafkaApis and
// TransactionCoordinator checks).
//
// Transactional producers (transactional_id non-null) go to the
// transaction coordinator (transactions/shard.ts): a new producer id for a
// new transactional id, else the epoch bumped (fencing the previous
// producer). An ongoing transaction is aborted with a fencing epoch and
// answered CONCURRENT_TRANSACTIONS, as while markers are pending; the
// client retries. transaction_timeout_ms must
// be positive and at most transaction.max.timeout.ms, else
// INVALID_TRANSACTION_TIMEOUT. Before v4, PRODUCER_FENCED is answered as
// INVALID_PRODUCER_EPOCH (KIP-588).
import { ErrorCode, type Input } from '@tributary/protocol'
import { InitProducerIdApi, type InitProducerIdResponse } from '@tributary/protocol/apis/init-producer-id'
import { defineHandler, type RequestContext } from './define.js'
import { fencedFor, txnShardFor, writeFailure } from './txn-route.js'

function failed (errorCode: number): Input<InitProducerIdResponse> {
  return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 }
}

async function transactional (transactionalId: string, timeoutMs: number, producerId: bigint, producerEpoch: number, ctx: RequestContext): Promise<Input<InitProducerIdResponse>> {
  const txns = ctx.broker.transactions
  if (txns === undefined) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE)
  if (timeoutMs <= 0 || timeoutMs > txns.settings.maxTimeoutMs) return failed(ErrorCode.INVALID_TRANSACTION_TIMEOUT)
  const lookup = txnShardFor(ctx, transactionalId)
  if (lookup.shard === undefined) return failed(lookup.errorCode)
  try {
    const r = await lookup.shard.initProducerId(transactionalId, timeoutMs, producerId, producerEpoch)
    return { throttleTimeMs: 0, errorCode: fencedFor(r.errorCode, ctx.version, 4), producerId: r.producerId, producerEpoch: r.producerEpoch }
  } catch (err) {
    return failed(writeFailure(ctx, err))
  }
}

export default defineHandler({
  api: InitProducerIdApi,
  minVersion: 0,
  maxVersion: 5,
  async handle (req, ctx): Promise<Input<InitProducerIdResponse>> {
    if ((req.producerId === -1n) !== (req.producerEpoch === -1)) return failed(ErrorCode.INVALID_REQUEST)
    if (req.transactionalId === '') return failed(ErrorCode.INVALID_REQUEST)
    if (req.transactionalId !== null) return await transactional(req.transactionalId, req.transactionTimeoutMs, req.producerId, req.producerEpoch, ctx)
    const ids = ctx.broker.producerIds
    if (ids === undefined) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    try {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: await ids.generate(), producerEpoch: 0 }
    } catch (err) {
      // Kafka answers a failed block allocation with COORDINATOR_LOAD_IN_PROGRESS (retriable), and UNKNOWN_SERVER_ERROR when ids are exhausted.
      ctx.broker.log.error({ err: (err as Error).message }, 'producer id allocation failed')
      return failed((err as { code?: string }).code === 'TRIB_METADATA_PRODUCER_IDS_EXHAUSTED' ? ErrorCode.UNKNOWN_SERVER_ERROR : ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
    }
  }
})
