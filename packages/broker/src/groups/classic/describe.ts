import type { ClassicGroup } from './group.js'
import { EMPTY_ASSIGNMENT, type DescribedGroup } from './types.js'

/** A group as DescribeGroups shows it: member metadata and the selected protocol only while Stable, as Kafka. */
export function describeClassicGroup (g: ClassicGroup): DescribedGroup {
  const stable = g.is('Stable')
  return {
    groupState: g.state,
    protocolType: g.protocolType ?? '',
    protocolData: stable ? g.protocolName ?? '' : '',
    members: [...g.members.values()].map(m => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: stable ? m.metadata(g.protocolName) : EMPTY_ASSIGNMENT,
      memberAssignment: m.assignment
    }))
  }
}
