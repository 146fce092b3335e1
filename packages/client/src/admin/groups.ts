import { KafkaError } from '@tributary/protocol'
import { ConsumerGroupDescribeApi, type ConsumerGroupDescribeResponseAssignment } from '@tributary/protocol/apis/consumer-group-describe'
import { DeleteGroupsApi } from '@tributary/protocol/apis/delete-groups'
import { DescribeGroupsApi } from '@tributary/protocol/apis/describe-groups'
import { ListGroupsApi } from '@tributary/protocol/apis/list-groups'
import type { Cluster } from '../cluster/cluster.js'
import { decodeAssignment } from '../consumer/groups/consumer-protocol.js'
import type { TopicPartition } from '../consumer/types.js'

export interface ListedGroup { groupId: string, protocolType: string, state: string, type: string, coordinator: number }

/** ListGroups at every broker (each lists the groups it coordinates), merged. */
export async function listGroups (cluster: Cluster, opts: { states?: string[], types?: string[] } = {}): Promise<ListedGroup[]> {
  await cluster.retry('Metadata', async () => await cluster.refreshMetadata([]))
  const out: ListedGroup[] = []
  for (const nodeId of cluster.metadata.brokers.keys()) {
    const res = await cluster.retry('ListGroups', async () => await cluster.send(nodeId, ListGroupsApi, { statesFilter: opts.states ?? [], typesFilter: opts.types ?? [] }))
    if (res.errorCode !== 0) throw KafkaError.fromCode(res.errorCode, `ListGroups at broker ${nodeId}`)
    for (const g of res.groups) out.push({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState, type: g.groupType, coordinator: nodeId })
  }
  return out.sort((a, b) => a.groupId.localeCompare(b.groupId))
}

/** DeleteGroups at each group's coordinator; a group with members gives NON_EMPTY_GROUP. */
export async function deleteGroups (cluster: Cluster, groupIds: readonly string[]): Promise<void> {
  for (const groupId of groupIds) {
    await cluster.retry(`DeleteGroups '${groupId}'`, async () => {
      const res = await cluster.send(await cluster.coordinator(groupId), DeleteGroupsApi, { groupsNames: [groupId] })
      for (const r of res.results) if (r.errorCode !== 0) throw KafkaError.fromCode(r.errorCode, `delete group '${r.groupId}'`)
    })
  }
}

export interface GroupMemberDescription {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  /** Decoded for consumer groups (protocol type 'consumer'); empty otherwise. */
  assignment: TopicPartition[]
}

export interface GroupDescription {
  groupId: string
  /** Kafka's group states: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead. */
  state: string
  protocolType: string
  /** The assignor the group chose (e.g. 'range'). */
  protocol: string
  members: GroupMemberDescription[]
}

/** DescribeGroups (classic groups) at each group's coordinator. */
export async function describeGroups (cluster: Cluster, groupIds: readonly string[]): Promise<GroupDescription[]> {
  const out: GroupDescription[] = []
  for (const groupId of groupIds) {
    const res = await cluster.retry(`DescribeGroups '${groupId}'`, async () => {
      const r = await cluster.send(await cluster.coordinator(groupId), DescribeGroupsApi, { groups: [groupId] })
      for (const g of r.groups) if (g.errorCode !== 0) throw KafkaError.fromCode(g.errorCode, `describe group '${g.groupId}'`)
      return r
    })
    for (const g of res.groups) {
      out.push({
        groupId: g.groupId,
        state: g.groupState,
        protocolType: g.protocolType,
        protocol: g.protocolData,
        members: g.members.map(m => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          assignment: g.protocolType === 'consumer' ? safeAssignment(m.memberAssignment) : []
        }))
      })
    }
  }
  return out
}

/** A member's assignment bytes come from whichever client led the group: unreadable ones show as empty. */
function safeAssignment (buf: Buffer): TopicPartition[] {
  try {
    return decodeAssignment(buf)
  } catch {
    return []
  }
}

export interface ConsumerGroupMemberDescription {
  memberId: string
  instanceId: string | null
  memberEpoch: number
  clientId: string
  clientHost: string
  subscribedTopicNames: string[]
  /** What the member owns now, and what the coordinator is moving it to. */
  assignment: TopicPartition[]
  targetAssignment: TopicPartition[]
}

export interface ConsumerGroupDescription {
  groupId: string
  /** KIP-848 states: empty, assigning, reconciling, stable, dead. */
  state: string
  groupEpoch: number
  assignmentEpoch: number
  assignor: string
  members: ConsumerGroupMemberDescription[]
}

function partitionsOf (a: ConsumerGroupDescribeResponseAssignment): TopicPartition[] {
  return a.topicPartitions.flatMap(t => t.partitions.map(partition => ({ topic: t.topicName, partition })))
}

/** ConsumerGroupDescribe (KIP-848 groups) at each group's coordinator. */
export async function describeConsumerGroups (cluster: Cluster, groupIds: readonly string[]): Promise<ConsumerGroupDescription[]> {
  const out: ConsumerGroupDescription[] = []
  for (const groupId of groupIds) {
    const res = await cluster.retry(`ConsumerGroupDescribe '${groupId}'`, async () => {
      const r = await cluster.send(await cluster.coordinator(groupId), ConsumerGroupDescribeApi, { groupIds: [groupId] })
      for (const g of r.groups) if (g.errorCode !== 0) throw KafkaError.fromCode(g.errorCode, `describe consumer group '${g.groupId}': ${g.errorMessage ?? KafkaError.fromCode(g.errorCode).message}`)
      return r
    })
    for (const g of res.groups) {
      out.push({
        groupId: g.groupId,
        state: g.groupState,
        groupEpoch: g.groupEpoch,
        assignmentEpoch: g.assignmentEpoch,
        assignor: g.assignorName,
        members: g.members.map(m => ({
          memberId: m.memberId,
          instanceId: m.instanceId,
          memberEpoch: m.memberEpoch,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscribedTopicNames: m.subscribedTopicNames,
          assignment: partitionsOf(m.assignment),
          targetAssignment: partitionsOf(m.targetAssignment)
        }))
      })
    }
  }
  return out
}
