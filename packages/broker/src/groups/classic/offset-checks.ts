import { ErrorCode } from '@tributary/protocol'
import type { CommitMember } from '../group-manager.js'
import type { ClassicGroup } from './group.js'

/**
 * Kafka's ClassicGroup.validateOffsetCommit, for OffsetCommit (Kafka skips
 * the CompletingRebalance check for TxnOffsetCommit): ErrorCode.NONE or the
 * code the commit gets. `group` is undefined when the group does not exist.
 */
export function validateClassicOffsetCommit (group: ClassicGroup | undefined, member: CommitMember, transactional = false): number {
  const generation = member.generationIdOrMemberEpoch
  // No group: a commit from outside any group is accepted (a "simple" group); one claiming a generation is not.
  if (group === undefined) return generation < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION
  if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE
  if (generation < 0 && group.is('Empty')) return ErrorCode.NONE
  if (generation >= 0 || member.memberId !== '' || member.groupInstanceId !== null) {
    const code = group.validateMember(member.memberId, member.groupInstanceId)
    if (code !== ErrorCode.NONE) return code
    if (generation !== group.generationId) return ErrorCode.ILLEGAL_GENERATION
  } else if (!group.is('Empty')) {
    // A commit without member id or generation (OffsetCommit v0) only goes to a group without members.
    return ErrorCode.UNKNOWN_MEMBER_ID
  }
  // The member has its generation from JoinGroup but no assignment yet: it should commit again after SyncGroup.
  if (!transactional && group.is('CompletingRebalance')) return ErrorCode.REBALANCE_IN_PROGRESS
  return ErrorCode.NONE
}
