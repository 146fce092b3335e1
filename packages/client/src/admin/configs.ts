import { KafkaError } from '@tributary/protocol'
import { AlterConfigsApi } from '@tributary/protocol/apis/alter-configs'
import { DescribeConfigsApi } from '@tributary/protocol/apis/describe-configs'
import { IncrementalAlterConfigsApi } from '@tributary/protocol/apis/incremental-alter-configs'
import type { Cluster } from '../cluster/cluster.js'

/** Kafka's ConfigResource.Type codes. */
export const ResourceType = { topic: 2, broker: 4, brokerLogger: 8, clientMetrics: 16, group: 32 } as const
export type ResourceTypeName = keyof typeof ResourceType

/** Kafka's ConfigEntry.ConfigSource codes, by name (what rpk prints in its SOURCE column). */
export const CONFIG_SOURCES = ['UNKNOWN', 'DYNAMIC_TOPIC_CONFIG', 'DYNAMIC_BROKER_CONFIG', 'DYNAMIC_DEFAULT_BROKER_CONFIG', 'STATIC_BROKER_CONFIG', 'DEFAULT_CONFIG', 'DYNAMIC_BROKER_LOGGER_CONFIG', 'CLIENT_METRICS_CONFIG', 'GROUP_CONFIG'] as const

export interface ConfigResource { type: ResourceTypeName, name: string }

export interface ConfigEntry {
  name: string
  value: string | null
  readOnly: boolean
  isDefault: boolean
  source: string
  isSensitive: boolean
}

export interface ResourceConfigs extends ConfigResource { configs: ConfigEntry[] }

/** Broker resources are answered by that broker; others by any. */
function target (r: ConfigResource): number | 'any' {
  return r.type === 'broker' || r.type === 'brokerLogger' ? (r.name === '' ? 'any' : Number(r.name)) : 'any'
}

function groupByTarget<T extends ConfigResource> (resources: readonly T[]): Map<number | 'any', T[]> {
  const m = new Map<number | 'any', T[]>()
  for (const r of resources) {
    const t = target(r)
    const l = m.get(t) ?? []
    l.push(r)
    m.set(t, l)
  }
  return m
}

function typeName (code: number): ResourceTypeName {
  return (Object.entries(ResourceType).find(([, c]) => c === code)?.[0] ?? 'topic') as ResourceTypeName
}

export async function describeConfigs (cluster: Cluster, resources: ReadonlyArray<ConfigResource & { keys?: string[] }>): Promise<ResourceConfigs[]> {
  const out: ResourceConfigs[] = []
  for (const [node, rs] of groupByTarget(resources)) {
    const res = await cluster.retry('DescribeConfigs', async () => await cluster.send(node, DescribeConfigsApi, {
      resources: rs.map(r => ({ resourceType: ResourceType[r.type], resourceName: r.name, configurationKeys: r.keys ?? null })),
      includeSynonyms: false,
      includeDocumentation: false
    }))
    for (const r of res.results) {
      if (r.errorCode !== 0) throw KafkaError.fromCode(r.errorCode, `describe configs of ${typeName(r.resourceType)} '${r.resourceName}': ${r.errorMessage ?? KafkaError.fromCode(r.errorCode).message}`)
      out.push({
        type: typeName(r.resourceType),
        name: r.resourceName,
        configs: r.configs.map(c => ({ name: c.name, value: c.value, readOnly: c.readOnly, isDefault: c.isDefault || c.configSource === 5, source: CONFIG_SOURCES[c.configSource] ?? 'UNKNOWN', isSensitive: c.isSensitive }))
      })
    }
  }
  return out
}

function check (responses: ReadonlyArray<{ errorCode: number, errorMessage: string | null, resourceType: number, resourceName: string }>, what: string): void {
  for (const r of responses) {
    if (r.errorCode !== 0) throw KafkaError.fromCode(r.errorCode, `${what} of ${typeName(r.resourceType)} '${r.resourceName}': ${r.errorMessage ?? KafkaError.fromCode(r.errorCode).message}`)
  }
}

/** AlterConfigs: replaces the whole dynamic config set of each resource (keys left out revert to defaults). */
export async function alterConfigs (cluster: Cluster, resources: ReadonlyArray<ConfigResource & { configs: Record<string, string> }>, validateOnly = false): Promise<void> {
  for (const [node, rs] of groupByTarget(resources)) {
    const res = await cluster.retry('AlterConfigs', async () => await cluster.send(node, AlterConfigsApi, {
      resources: rs.map(r => ({ resourceType: ResourceType[r.type], resourceName: r.name, configs: Object.entries(r.configs).map(([name, value]) => ({ name, value })) })),
      validateOnly
    }))
    check(res.responses, 'alter configs')
  }
}

/** IncrementalAlterConfigs operations (KIP-339). */
export const ConfigOperation = { set: 0, delete: 1, append: 2, subtract: 3 } as const
export interface ConfigChange { name: string, op: keyof typeof ConfigOperation, value?: string | null }

export async function incrementalAlterConfigs (cluster: Cluster, resources: ReadonlyArray<ConfigResource & { changes: ConfigChange[] }>, validateOnly = false): Promise<void> {
  for (const [node, rs] of groupByTarget(resources)) {
    const res = await cluster.retry('IncrementalAlterConfigs', async () => await cluster.send(node, IncrementalAlterConfigsApi, {
      resources: rs.map(r => ({
        resourceType: ResourceType[r.type],
        resourceName: r.name,
        configs: r.changes.map(c => ({ name: c.name, configOperation: ConfigOperation[c.op], value: c.value ?? null }))
      })),
      validateOnly
    }))
    check(res.responses, 'incremental alter configs')
  }
}
