// DescribeTransactions (key 65), v0 (KIP-664): the coordinator's state of
// each transactional id: state name, timeout, start time, producer id and
// epoch, partitions of the ongoing transaction. An id this coordinator
// does not know is TRANSACTIONAL_ID_NOT_FOUND; one whose partition is
// elsewhere or loading is NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS.
import { ErrorCode, type Input } from '@tributary/protocol'
import { DescribeTransactionsApi, type DescribeTransactionsResponse, type DescribeTransactionsResponseTransactionState } from '@tributary/protocol/apis/describe-transactions'
import { defineHandler } from './define.js'
import { txnShardFor } from './txn-route.js'

type StateOut = Input<DescribeTransactionsResponseTransactionState>

export default defineHandler({
  api: DescribeTransactionsApi,
  minVersion: 0,
  maxVersion: 0,
  handle (req, ctx): Input<DescribeTransactionsResponse> {
    const transactionStates = req.transactionalIds.map((id): StateOut => {
      const failed = (errorCode: number): StateOut => ({ errorCode, transactionalId: id, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [] })
      const lookup = txnShardFor(ctx, id)
      if (lookup.shard === undefined) return failed(lookup.errorCode)
      const m = lookup.shard.txns.get(id)
      if (m === undefined || m.state === 'Dead') return failed(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND)
      const byTopic = new Map<string, number[]>()
      for (const tp of m.partitions.values()) {
        const list = byTopic.get(tp.topic) ?? []
        list.push(tp.partition)
        byTopic.set(tp.topic, list)
      }
      return {
        errorCode: ErrorCode.NONE,
        transactionalId: id,
        transactionState: m.state,
        transactionTimeoutMs: m.timeoutMs,
        transactionStartTimeMs: BigInt(m.startTimestamp),
        producerId: m.producerId,
        producerEpoch: m.producerEpoch,
        topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }))
      }
    })
    return { throttleTimeMs: 0, transactionStates }
  }
})
