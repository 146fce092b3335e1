// Reconciliation of one member towards its target assignment (Kafka's
// CurrentAssignmentBuilder, KIP-848). A member first gives up what it must
// (partitions pending revocation, at its current epoch); only once it
// reports them gone does it move on, and it is given a partition only when
// no other member holds it any more (unreleased partitions wait). So no
// partition is ever owned by two members, and the member epoch advances to
// the target assignment epoch as the member converges.
import { EMPTY_ASSIGNMENT, assignmentOf, ownsAnyOf, sameAssignment, type Assignment, type OwnedPartitions } from './assignment.js'

/** Kafka's MemberState (with its byte values in records). */
export type MemberState = 'stable' | 'unrevoked_partitions' | 'unreleased_partitions'
export const MEMBER_STATE_CODES: Readonly<Record<MemberState, number>> = { unrevoked_partitions: 1, unreleased_partitions: 2, stable: 3 }

/** The current-assignment half of a member (Kafka's ConsumerGroupCurrentMemberAssignment record). */
export interface CurrentAssignment {
  memberEpoch: number
  previousMemberEpoch: number
  state: MemberState
  assigned: Assignment
  pendingRevocation: Assignment
}

export const INITIAL_ASSIGNMENT: CurrentAssignment = { memberEpoch: 0, previousMemberEpoch: 0, state: 'stable', assigned: EMPTY_ASSIGNMENT, pendingRevocation: EMPTY_ASSIGNMENT }

export interface ReconcileInput {
  current: CurrentAssignment
  targetEpoch: number
  target: Assignment
  /** Topic ids the member subscribes to now; partitions of other topics are revoked. */
  subscribedTopicIds: ReadonlySet<string>
  hasSubscriptionChanged: boolean
  /** The partitions the member reports in this heartbeat, null if it did not. */
  owned: OwnedPartitions
  /** The epoch of the member holding a partition (assigned or pending revocation), -1 if none. */
  partitionEpoch: (topicId: string, partition: number) => number
}

export function isReconciledTo (c: CurrentAssignment, epoch: number): boolean {
  return c.state === 'stable' && c.memberEpoch === epoch
}

function withEpoch (c: CurrentAssignment, memberEpoch: number, changes: Partial<CurrentAssignment>): CurrentAssignment {
  // Kafka's updateMemberEpoch: the previous epoch is the one the member had
  // (kept as is when the epoch does not move, so an unchanged member stays
  // the same object and writes no record).
  const next: CurrentAssignment = { ...c, ...changes, memberEpoch, previousMemberEpoch: memberEpoch === c.memberEpoch ? c.previousMemberEpoch : c.memberEpoch }
  return sameCurrent(c, next) ? c : next
}

export function sameCurrent (a: CurrentAssignment, b: CurrentAssignment): boolean {
  return a.memberEpoch === b.memberEpoch && a.previousMemberEpoch === b.previousMemberEpoch && a.state === b.state &&
    sameAssignment(a.assigned, b.assigned) && sameAssignment(a.pendingRevocation, b.pendingRevocation)
}

/** The member's next current assignment; `input.current` itself when nothing changes. */
export function reconcile (input: ReconcileInput): CurrentAssignment {
  const c = input.current
  if (!input.hasSubscriptionChanged && isReconciledTo(c, input.targetEpoch)) return c
  switch (c.state) {
    case 'stable':
      if (c.memberEpoch !== input.targetEpoch) return computeNext(input, c.memberEpoch)
      if (input.hasSubscriptionChanged) return dropUnsubscribed(input, c.memberEpoch)
      return c
    case 'unrevoked_partitions':
      if (ownsAnyOf(input.owned, c.pendingRevocation)) {
        return input.hasSubscriptionChanged ? dropUnsubscribed(input, c.memberEpoch) : c
      }
      return computeNext(input, c.memberEpoch)
    case 'unreleased_partitions':
      return computeNext(input, c.memberEpoch)
  }
}

/** The member changed its subscription: partitions of topics it left are revoked now. */
function dropUnsubscribed (input: ReconcileInput, memberEpoch: number): CurrentAssignment {
  const c = input.current
  const kept: Array<[string, readonly number[]]> = []
  const revoke: Array<[string, Iterable<number>]> = [...c.pendingRevocation]
  let removed = false
  for (const [t, ps] of c.assigned) {
    if (input.subscribedTopicIds.has(t)) kept.push([t, ps])
    else { revoke.push([t, ps]); removed = true }
  }
  if (!removed) return c
  const pendingRevocation = assignmentOf(revoke)
  if (pendingRevocation.size > 0 && ownsAnyOf(input.owned, pendingRevocation)) {
    return withEpoch(c, memberEpoch, { state: 'unrevoked_partitions', assigned: assignmentOf(kept), pendingRevocation })
  }
  return withEpoch(c, memberEpoch, { assigned: assignmentOf(kept) })
}

function computeNext (input: ReconcileInput, memberEpoch: number): CurrentAssignment {
  const c = input.current
  let unreleased = false
  const assigned: Array<[string, number[]]> = []
  const revoke: Array<[string, number[]]> = []
  const toAssign: Array<[string, number[]]> = []
  const topicIds = new Set([...input.target.keys(), ...c.assigned.keys()])
  for (const t of topicIds) {
    const target = new Set(input.subscribedTopicIds.has(t) ? input.target.get(t) ?? [] : [])
    const current = c.assigned.get(t) ?? []
    // Kept = current ∩ target; revoked = current − kept; to assign = target − kept − held by others.
    const kept = current.filter(p => target.has(p))
    const keptSet = new Set(kept)
    const revoked = current.filter(p => !keptSet.has(p))
    const wanted: number[] = []
    for (const p of target) {
      if (keptSet.has(p)) continue
      if (input.partitionEpoch(t, p) !== -1) { unreleased = true; continue }
      wanted.push(p)
    }
    if (kept.length > 0) assigned.push([t, kept])
    if (revoked.length > 0) revoke.push([t, revoked])
    if (wanted.length > 0) toAssign.push([t, wanted])
  }
  if (revoke.length > 0) {
    // Revoke first, at the current epoch; nothing new until the member confirms.
    return withEpoch(c, memberEpoch, { state: 'unrevoked_partitions', assigned: assignmentOf(assigned), pendingRevocation: assignmentOf(revoke) })
  }
  const next = assignmentOf([...assigned, ...toAssign])
  return withEpoch(c, input.targetEpoch, { state: unreleased ? 'unreleased_partitions' : 'stable', assigned: next, pendingRevocation: EMPTY_ASSIGNMENT })
}
