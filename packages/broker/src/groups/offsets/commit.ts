// Offset commits (Kafka's OffsetMetadataManager.commitOffset), shared by
// OffsetCommit and, with the exactly-once issue, TxnOffsetCommit.
import type { MetadataImage } from '@tributary/metadata'
import { ErrorCode } from '@tributary/protocol'
import { GroupWriteError, type CommitMember } from '../group-manager.js'
import type { OffsetRecord } from '../records/index.js'
import type { GroupShard } from '../shard.js'

export interface PartitionCommit {
  topic: string
  partition: number
  offset: bigint
  leaderEpoch: number
  metadata: string | null
}

export interface CommitOptions {
  /** OffsetCommit v2-v4 retention_time_ms, or -1n. */
  retentionTimeMs: bigint
  apiVersion: number
  /** TxnOffsetCommit: the offsets are written in the producer's transaction and stay pending until its marker. */
  transaction?: { producerId: bigint, producerEpoch: number }
}

/** An error for the whole request (every partition gets it), or NONE. */
export function validateCommit (shard: GroupShard, groupId: string, member: CommitMember, apiVersion: number, transactional = false): number {
  const type = shard.groupType(groupId)
  if (type === undefined) {
    // A commit from outside any group (generation -1, the "simple" commit of
    // assign()-based consumers and admin tools) creates the group's offsets.
    // A member commit to a group that does not exist is stale: before v9
    // clients understand only ILLEGAL_GENERATION (KIP-848 added the new code).
    if (member.generationIdOrMemberEpoch < 0 && member.memberId === '') return ErrorCode.NONE
    return apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION
  }
  return shard.manager(type)!.validateOffsetCommit(groupId, member, apiVersion, transactional)
}

/**
 * Validates each partition, writes the offsets as one batch and answers
 * with a code per partition once they are durable. Partitions of unknown
 * topics get UNKNOWN_TOPIC_OR_PARTITION (as KafkaApis filters them) and too
 * long metadata OFFSET_METADATA_TOO_LARGE; the others share the write's fate.
 */
export async function commitOffsets (shard: GroupShard, image: MetadataImage, groupId: string, commits: PartitionCommit[], options: CommitOptions): Promise<number[]> {
  const codes = new Array<number>(commits.length).fill(ErrorCode.NONE)
  const records: OffsetRecord[] = []
  const written: number[] = []
  const now = BigInt(shard.now())
  const expire = options.retentionTimeMs >= 0n ? now + options.retentionTimeMs : -1n
  commits.forEach((c, i) => {
    const topic = image.topics.get(c.topic)
    if (topic === undefined || c.partition < 0 || c.partition >= topic.partitions.length) { codes[i] = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION; return }
    const metadata = c.metadata ?? ''
    if (Buffer.byteLength(metadata) > shard.settings.offsetMetadataMaxBytes) { codes[i] = ErrorCode.OFFSET_METADATA_TOO_LARGE; return }
    records.push({
      kind: 'offset',
      group: groupId,
      topic: c.topic,
      partition: c.partition,
      value: { offset: c.offset, leaderEpoch: c.leaderEpoch, metadata, commitTimestamp: now, expireTimestamp: expire }
    })
    written.push(i)
  })
  try {
    if (options.transaction === undefined) await shard.write(records)
    else await shard.writeTransactional(records, options.transaction.producerId, options.transaction.producerEpoch)
  } catch (err) {
    const code = err instanceof GroupWriteError ? err.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR
    for (const i of written) codes[i] = code
  }
  return codes
}
