// What the transactional handlers share: the coordinator shard of a
// transactional id, and Kafka's downgrade of PRODUCER_FENCED for clients
// that predate it (KIP-588).
import { ErrorCode } from '@tributary/protocol'
import type { TxnShard } from '../transactions/shard.js'
import type { RequestContext } from './define.js'

export function txnShardFor (ctx: RequestContext, transactionalId: string): { shard: TxnShard, errorCode?: undefined } | { shard?: undefined, errorCode: number } {
  const txns = ctx.broker.transactions
  if (txns === undefined) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
  return txns.shardFor(transactionalId)
}

/**
 * KIP-588: PRODUCER_FENCED is answered only to versions that know it
 * (InitProducerId v4+, AddPartitionsToTxn/AddOffsetsToTxn/EndTxn v2+,
 * TxnOffsetCommit v3+); older ones get INVALID_PRODUCER_EPOCH, as
 * Kafka's KafkaApis does.
 */
export function fencedFor (code: number, version: number, firstVersion: number): number {
  return code === ErrorCode.PRODUCER_FENCED && version < firstVersion ? ErrorCode.INVALID_PRODUCER_EPOCH : code
}

/** Errors of a failed coordinator write: Kafka answers them with a retriable coordinator error. */
export function writeFailure (ctx: RequestContext, err: unknown): number {
  ctx.broker.log.warn({ err: (err as Error).message }, 'transaction coordinator write failed')
  return ErrorCode.NOT_COORDINATOR
}
