import { ErrorCode, KafkaError } from '@tributary/protocol'
import { AddOffsetsToTxnApi } from '@tributary/protocol/apis/add-offsets-to-txn'
import { AddPartitionsToTxnApi } from '@tributary/protocol/apis/add-partitions-to-txn'
import { EndTxnApi } from '@tributary/protocol/apis/end-txn'
import { InitProducerIdApi } from '@tributary/protocol/apis/init-producer-id'
import { TxnOffsetCommitApi } from '@tributary/protocol/apis/txn-offset-commit'
import { CoordinatorType, type Cluster } from '../cluster/cluster.js'
import { ProducerFencedError, isFencingError } from '../errors.js'
import type { ConsumerGroupMetadata, OffsetToCommit } from '../ops/group-offsets.js'

export interface ProducerEpoch { producerId: bigint, producerEpoch: number }

/**
 * The producer's requests to its transaction coordinator (and, for
 * TxnOffsetCommit, to the group coordinator). Each is retried with backoff
 * on retriable errors, among them CONCURRENT_TRANSACTIONS (the coordinator
 * still finishes an earlier step), COORDINATOR_LOAD_IN_PROGRESS and
 * NOT_COORDINATOR (the cluster forgets the coordinator and looks it up
 * again); a fencing error becomes a ProducerFencedError.
 */
export class TxnCoordinatorClient {
  constructor (private readonly cluster: Cluster, readonly transactionalId: string, private readonly timeoutMs: number) {}

  async initProducerId (): Promise<ProducerEpoch> {
    return await this.call('InitProducerId', async node => {
      const r = await this.cluster.send(node, InitProducerIdApi, { transactionalId: this.transactionalId, transactionTimeoutMs: this.timeoutMs, producerId: -1n, producerEpoch: -1 })
      this.check(r.errorCode, 'InitProducerId')
      return { producerId: r.producerId, producerEpoch: r.producerEpoch }
    })
  }

  /** AddPartitionsToTxn in its client form (v0-3): one request for every partition new to the transaction. */
  async addPartitions (pid: ProducerEpoch, partitions: ReadonlyArray<{ topic: string, partition: number }>): Promise<void> {
    const byTopic = new Map<string, number[]>()
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition])
    await this.call('AddPartitionsToTxn', async node => {
      const r = await this.cluster.send(node, AddPartitionsToTxnApi, {
        v3AndBelowTransactionalId: this.transactionalId,
        v3AndBelowProducerId: pid.producerId,
        v3AndBelowProducerEpoch: pid.producerEpoch,
        v3AndBelowTopics: [...byTopic].map(([name, ps]) => ({ name, partitions: ps }))
      })
      // OPERATION_NOT_ATTEMPTED only accompanies the partition that failed: report that one.
      let worst = 0
      for (const t of r.resultsByTopicV3AndBelow) {
        for (const p of t.resultsByPartition) {
          if (p.partitionErrorCode !== 0 && (worst === 0 || worst === ErrorCode.OPERATION_NOT_ATTEMPTED)) worst = p.partitionErrorCode
        }
      }
      this.check(worst, 'AddPartitionsToTxn')
    })
  }

  async addOffsets (pid: ProducerEpoch, groupId: string): Promise<void> {
    await this.call('AddOffsetsToTxn', async node => {
      const r = await this.cluster.send(node, AddOffsetsToTxnApi, { transactionalId: this.transactionalId, ...pid, groupId })
      this.check(r.errorCode, 'AddOffsetsToTxn')
    })
  }

  /** TxnOffsetCommit goes to the group's coordinator: the offsets become visible with the transaction's marker. */
  async commitOffsets (pid: ProducerEpoch, groupId: string, offsets: readonly OffsetToCommit[], member: ConsumerGroupMetadata = {}): Promise<void> {
    const byTopic = new Map<string, OffsetToCommit[]>()
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o])
    await this.cluster.retry(`TxnOffsetCommit for group '${groupId}'`, async () => {
      const node = await this.cluster.coordinator(groupId, CoordinatorType.GROUP)
      const r = await this.cluster.send(node, TxnOffsetCommitApi, {
        transactionalId: this.transactionalId,
        groupId,
        ...pid,
        generationId: member.generationId ?? -1,
        memberId: member.memberId ?? '',
        groupInstanceId: member.groupInstanceId ?? null,
        topics: [...byTopic].map(([name, ps]) => ({
          name,
          partitions: ps.map(p => ({ partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: p.leaderEpoch ?? -1, committedMetadata: p.metadata ?? null }))
        }))
      })
      for (const t of r.topics) for (const p of t.partitions) this.check(p.errorCode, `TxnOffsetCommit of ${t.name}-${p.partitionIndex} for group '${groupId}'`)
    })
  }

  async endTxn (pid: ProducerEpoch, commit: boolean): Promise<void> {
    await this.call(commit ? 'EndTxn(commit)' : 'EndTxn(abort)', async node => {
      const r = await this.cluster.send(node, EndTxnApi, { transactionalId: this.transactionalId, ...pid, committed: commit })
      this.check(r.errorCode, commit ? 'EndTxn(commit)' : 'EndTxn(abort)')
    })
  }

  private async call<T> (what: string, fn: (node: number) => Promise<T>): Promise<T> {
    return await this.cluster.retry(`${what} for transactional id '${this.transactionalId}'`, async () => {
      return await fn(await this.cluster.coordinator(this.transactionalId, CoordinatorType.TRANSACTION))
    })
  }

  private check (code: number, what: string): void {
    if (code === 0) return
    const err = KafkaError.fromCode(code, `${what} for transactional id '${this.transactionalId}'`)
    if (isFencingError(err)) throw new ProducerFencedError(`transactional id '${this.transactionalId}' was taken over by a newer producer (${err.name} in ${what}); close this producer`, err)
    throw err
  }
}
