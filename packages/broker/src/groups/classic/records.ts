// A classic group and its metadata record (records/group-metadata.ts,
// Kafka's GroupMetadataValue): what is written when a rebalance completes or
// the group empties, and the group a record rebuilds at load.
import type { GroupMetadataRecord, GroupMetadataValue } from '../records/index.js'
import { ClassicGroup } from './group.js'
import { ClassicMember } from './member.js'

/** The group's metadata record: its generation, protocol, leader and members with their assignments. */
export function groupRecord (group: ClassicGroup, assignments?: ReadonlyMap<string, Buffer>): GroupMetadataRecord {
  const value: GroupMetadataValue = {
    protocolType: group.protocolType ?? '',
    generation: group.generationId,
    protocol: group.protocolName,
    leader: group.leaderId,
    currentStateTimestamp: BigInt(group.stateTimestamp),
    members: [...group.members.values()].map(m => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      sessionTimeoutMs: m.sessionTimeoutMs,
      subscription: m.metadata(group.protocolName),
      assignment: assignments?.get(m.memberId) ?? m.assignment
    }))
  }
  return { kind: 'group', group: group.groupId, value }
}

/** A new group's first record: empty, generation 0, no protocol yet. */
export function newGroupRecord (group: ClassicGroup): GroupMetadataRecord {
  return { kind: 'group', group: group.groupId, value: { protocolType: group.protocolType ?? '', generation: 0, protocol: null, leader: null, currentStateTimestamp: BigInt(group.stateTimestamp), members: [] } }
}

/**
 * The group a record describes, as Kafka loads it: Stable with its members
 * (each supporting only the selected protocol, with the subscription it
 * joined with and the assignment it was given), or Empty without.
 */
export function groupFromRecord (groupId: string, value: GroupMetadataValue, now: number): ClassicGroup {
  const group = new ClassicGroup(groupId, now, {
    state: value.members.length === 0 ? 'Empty' : 'Stable',
    generationId: value.generation,
    protocolType: value.protocolType === '' ? null : value.protocolType,
    protocolName: value.protocol,
    leaderId: value.leader
  })
  if (value.currentStateTimestamp >= 0n) group.stateTimestamp = Number(value.currentStateTimestamp)
  for (const m of value.members) {
    const protocols = [{ name: value.protocol ?? '', metadata: m.subscription }]
    group.add(new ClassicMember(m.memberId, m.groupInstanceId, m.clientId, m.clientHost, m.rebalanceTimeoutMs, m.sessionTimeoutMs, value.protocolType, protocols, m.assignment))
  }
  // add() sets the protocol type from the first member and may pick a leader; the record is authoritative.
  group.protocolType = value.protocolType === '' ? null : value.protocolType
  group.leaderId = value.leader !== null && group.has(value.leader) ? value.leader : group.leaderId
  group.subscribedTopics = group.computeSubscribedTopics()
  return group
}
