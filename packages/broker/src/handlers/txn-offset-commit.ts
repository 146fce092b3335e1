// TxnOffsetCommit (key 28), v0-4. v1: same as v0. v2: committed leader
// epoch. v3: group metadata (generation, member id, instance id, KIP-447)
// and PRODUCER_FENCED. v3+: flexible from 3.
//
// The offsets are written to the group's partition of `__consumer_offsets`
// in the producer's transaction and stay pending (OffsetFetch with
// require_stable answers UNSTABLE_OFFSET_COMMIT) until EndTxn's marker:
// visible on COMMIT, dropped on ABORT. The group's partition must have
// joined the transaction (AddOffsetsToTxn), else the producer is not in a
// transaction for it: Kafka's coordinator then answers INVALID_TXN_STATE
// (KIP-890 verification); the member checks are Kafka's transactional ones.
import { ErrorCode, type Input } from '@tributary/protocol'
import { TxnOffsetCommitApi, type TxnOffsetCommitResponse } from '@tributary/protocol/apis/txn-offset-commit'
import { commitOffsets, validateCommit, type PartitionCommit } from '../groups/offsets/commit.js'
import { CONSUMER_OFFSETS_TOPIC } from '../topics/internal-topics.js'
import { defineHandler } from './define.js'
import { fencedFor } from './txn-route.js'

export default defineHandler({
  api: TxnOffsetCommitApi,
  minVersion: 0,
  maxVersion: 4,
  async handle (req, ctx): Promise<Input<TxnOffsetCommitResponse>> {
    const answer = (codeAt: (topic: number, partition: number) => number): Input<TxnOffsetCommitResponse> => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t, ti) => ({ name: t.name, partitions: t.partitions.map((p, pi) => ({ partitionIndex: p.partitionIndex, errorCode: fencedFor(codeAt(ti, pi), ctx.version, 3) })) }))
    })
    if (req.groupId === '') return answer(() => ErrorCode.INVALID_GROUP_ID)
    const groups = ctx.broker.groups
    const lookup = groups?.shardFor(req.groupId) ?? { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
    if (lookup.shard === undefined) return answer(() => lookup.errorCode)
    const shard = lookup.shard
    // The producer's transaction must hold the group's partition (AddOffsetsToTxn) with this producer id and epoch.
    const txns = ctx.broker.transactions
    const txn = txns?.shardFor(req.transactionalId)
    if (txn?.shard !== undefined) {
      const code = txn.shard.verify(req.transactionalId, req.producerId, req.producerEpoch, { topic: CONSUMER_OFFSETS_TOPIC, partition: shard.partition })
      if (code !== ErrorCode.NONE) return answer(() => code)
    }
    const member = {
      memberId: ctx.version >= 3 ? req.memberId : '',
      generationIdOrMemberEpoch: ctx.version >= 3 ? req.generationId : -1,
      groupInstanceId: ctx.version >= 3 ? req.groupInstanceId : null
    }
    // Kafka accepts a transactional commit for a group that does not exist (it is created by the offsets).
    const groupError = shard.groupType(req.groupId) === undefined ? ErrorCode.NONE : validateCommit(shard, req.groupId, member, ctx.version, true)
    if (groupError !== ErrorCode.NONE) return answer(() => groupError)
    const commits: PartitionCommit[] = []
    for (const t of req.topics) {
      for (const p of t.partitions) {
        commits.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: ctx.version >= 2 ? p.committedLeaderEpoch : -1, metadata: p.committedMetadata })
      }
    }
    const codes = await commitOffsets(shard, ctx.broker.metadata.image(), req.groupId, commits, {
      retentionTimeMs: -1n,
      apiVersion: ctx.version,
      transaction: { producerId: req.producerId, producerEpoch: req.producerEpoch }
    })
    let i = 0
    const flat = req.topics.map(t => t.partitions.map(() => codes[i++]!))
    return answer((ti, pi) => flat[ti]![pi]!)
  }
})
