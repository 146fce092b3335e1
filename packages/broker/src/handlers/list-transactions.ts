// ListTransactions (key 66), v0-1 (KIP-664). v1: duration_filter (KIP-994).
//
// The transactional ids of every loaded `__transaction_state` partition of
// this broker, filtered as Kafka's TransactionStateManager does: by state
// name (names Kafka does not know are echoed in unknown_state_filters and
// match nothing), by producer id, and (v1) to transactions running longer
// than duration_filter ms. COORDINATOR_LOAD_IN_PROGRESS while a partition
// is still being replayed.
import { ErrorCode, type Input } from '@tributary/protocol'
import { ListTransactionsApi, type ListTransactionsResponse } from '@tributary/protocol/apis/list-transactions'
import { stateIds, type TxnState } from '../transactions/state.js'
import { defineHandler } from './define.js'

export default defineHandler({
  api: ListTransactionsApi,
  minVersion: 0,
  maxVersion: 1,
  handle (req, ctx): Input<ListTransactionsResponse> {
    const known = new Set(Object.keys(stateIds))
    const unknownStateFilters = req.stateFilters.filter(s => !known.has(s))
    const states = new Set(req.stateFilters.filter(s => known.has(s)) as TxnState[])
    const txns = ctx.broker.transactions
    if (txns === undefined) return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, unknownStateFilters, transactionStates: [] }
    if (txns.isLoading()) return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, unknownStateFilters, transactionStates: [] }
    // Every requested state is unknown: nothing can match.
    if (req.stateFilters.length > 0 && states.size === 0) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates: [] }
    const producerIds = new Set(req.producerIdFilters)
    const duration = ctx.version >= 1 ? req.durationFilter : -1n
    const now = BigInt(Date.now())
    const transactionStates = []
    for (const shard of txns.activeShards()) {
      for (const m of shard.txns.values()) {
        if (m.state === 'Dead') continue
        if (states.size > 0 && !states.has(m.state)) continue
        if (producerIds.size > 0 && !producerIds.has(m.producerId)) continue
        if (duration >= 0n && now - BigInt(m.startTimestamp) <= duration) continue
        transactionStates.push({ transactionalId: m.transactionalId, producerId: m.producerId, transactionState: m.state })
      }
    }
    transactionStates.sort((a, b) => a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0)
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates }
  }
})
