import { KafkaError } from '@tributary/protocol'
import { DeleteGroupsApi } from '@tributary/protocol/apis/delete-groups'
import { ListGroupsApi } from '@tributary/protocol/apis/list-groups'
import type { Cluster } from '../cluster/cluster.js'

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
