// AlterConfigs (key 33), v0-2: the legacy API that replaces the whole set
// of a resource's dynamic configs (keys left out are removed).
// v1 is v0 (responses before throttling). v2: flexible.
// TOPIC: the overrides of one topic, validated as a whole
// (INVALID_CONFIG). BROKER: this broker's id, or '' for the cluster-wide
// default; only the keys config/dynamic.ts lists can change at runtime,
// others are refused with INVALID_REQUEST as Kafka refuses read-only keys.
// Checks and messages follow Kafka's ConfigAdminManager and
// ConfigurationControlManager. Changes are durable and survive restarts.
import { ErrorCode, type Input } from '@tributary/protocol'
import {
  AlterConfigsApi,
  type AlterConfigsRequestAlterConfigsResource,
  type AlterConfigsResponseAlterConfigsResourceResponse
} from '@tributary/protocol/apis/alter-configs'
import { applyConfigChange, duplicateKeys } from '../admin/alter-configs.js'
import { resolveConfigResource } from '../admin/config-resources.js'
import type { BrokerState } from '../state.js'
import { defineHandler } from './define.js'

type Result = Input<AlterConfigsResponseAlterConfigsResourceResponse>

async function alter (broker: BrokerState, resource: AlterConfigsRequestAlterConfigsResource, validateOnly: boolean): Promise<Result> {
  const base = { resourceType: resource.resourceType, resourceName: resource.resourceName }
  const done = (errorCode: number, errorMessage: string | null): Result => ({ ...base, errorCode, errorMessage })
  if (duplicateKeys(resource.configs.map(c => c.name))) return done(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys')
  const nulls = resource.configs.filter(c => c.value === null).map(c => c.name)
  if (nulls.length > 0) return done(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${nulls.join(', ')}`)
  const target = resolveConfigResource(broker, resource.resourceType, resource.resourceName)
  if (!target.ok) return done(target.errorCode, target.message)
  const replacement = Object.fromEntries(resource.configs.map(c => [c.name, c.value]))
  const applied = await applyConfigChange(broker, target.value, () => replacement, validateOnly)
  return applied.ok ? done(ErrorCode.NONE, null) : done(applied.errorCode, applied.message)
}

export default defineHandler({
  api: AlterConfigsApi,
  minVersion: 0,
  maxVersion: 2,
  async handle (req, ctx) {
    const key = (r: AlterConfigsRequestAlterConfigsResource): string => `${r.resourceType}:${r.resourceName}`
    const counts = new Map<string, number>()
    for (const r of req.resources) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1)
    const responses: Result[] = []
    for (const r of req.resources) {
      if (counts.get(key(r))! > 1) {
        // Kafka answers each duplicate entry with INVALID_REQUEST and applies none of them.
        responses.push({ resourceType: r.resourceType, resourceName: r.resourceName, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate resource.' })
      } else {
        responses.push(await alter(ctx.broker, r, req.validateOnly))
      }
    }
    return { throttleTimeMs: 0, responses }
  }
})
