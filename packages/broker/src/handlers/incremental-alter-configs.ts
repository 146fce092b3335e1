// IncrementalAlterConfigs (key 44), v0-1 (KIP-339). v1: flexible.
// Per key: SET (0), DELETE (1, back to the default), APPEND (2) and
// SUBTRACT (3) for list keys (cleanup.policy, the throttled replica
// lists, ...); APPEND to an unset key starts from its default, as in
// Kafka. The result is validated as a whole, then written (unless
// validate_only) in one durable metadata change, which sees any change
// made just before it. Resources and error codes as in AlterConfigs:
// INVALID_CONFIG for topic values, INVALID_REQUEST for broker values,
// unknown operations, null values and duplicate keys.
import { ErrorCode, type Input } from '@tributary/protocol'
import {
  IncrementalAlterConfigsApi,
  type IncrementalAlterConfigsRequestAlterConfigsResource,
  type IncrementalAlterConfigsRequestAlterableConfig,
  type IncrementalAlterConfigsResponseAlterConfigsResourceResponse
} from '@tributary/protocol/apis/incremental-alter-configs'
import { ConfigType, findDefinition, findTopicDefinition, type ConfigDef } from '../config/index.js'
import { AdminError, applyConfigChange, duplicateKeys } from '../admin/alter-configs.js'
import { resolveConfigResource, type ConfigTarget } from '../admin/config-resources.js'
import type { BrokerState } from '../state.js'
import { defineHandler } from './define.js'

type Result = Input<IncrementalAlterConfigsResponseAlterConfigsResourceResponse>
type Op = IncrementalAlterConfigsRequestAlterableConfig

const OP_NAMES = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'] as const
const DELETE = 1
const APPEND = 2

function parts (value: string | null | undefined): string[] {
  return (value ?? '').split(',').map(s => s.trim()).filter(s => s !== '')
}

/** Applies the operations to the current overrides (null removes a key). */
function applyOps (target: ConfigTarget, ops: readonly Op[], current: Readonly<Record<string, string>>): Record<string, string | null> {
  const next: Record<string, string | null> = { ...current }
  for (const op of ops) {
    switch (op.configOperation) {
      case 0: next[op.name] = op.value; break
      case DELETE: next[op.name] = null; break
      default: {
        const def: ConfigDef | undefined = target.kind === 'topic' ? findTopicDefinition(op.name) : findDefinition(op.name)
        if (def?.type !== ConfigType.LIST) {
          throw new AdminError(ErrorCode.INVALID_CONFIG, `Can't ${OP_NAMES[op.configOperation]!} to key ${op.name} because its type is not LIST.`)
        }
        const list = parts(next[op.name] ?? def.default)
        const given = parts(op.value)
        next[op.name] = op.configOperation === APPEND
          ? [...list, ...given.filter(v => !list.includes(v))].join(',')
          : list.filter(v => !given.includes(v)).join(',')
      }
    }
  }
  return next
}

async function alter (broker: BrokerState, resource: IncrementalAlterConfigsRequestAlterConfigsResource, validateOnly: boolean): Promise<Result> {
  const base = { resourceType: resource.resourceType, resourceName: resource.resourceName }
  const done = (errorCode: number, errorMessage: string | null): Result => ({ ...base, errorCode, errorMessage })
  const unknownOp = resource.configs.find(c => OP_NAMES[c.configOperation] === undefined)
  if (unknownOp !== undefined) return done(ErrorCode.INVALID_REQUEST, `Unknown operations type ${unknownOp.configOperation}`)
  if (duplicateKeys(resource.configs.map(c => c.name))) return done(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys')
  const nulls = resource.configs.filter(c => c.value === null && c.configOperation !== DELETE).map(c => c.name)
  if (nulls.length > 0) return done(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${nulls.join(', ')}`)
  const target = resolveConfigResource(broker, resource.resourceType, resource.resourceName)
  if (!target.ok) return done(target.errorCode, target.message)
  const applied = await applyConfigChange(broker, target.value, current => applyOps(target.value, resource.configs, current), validateOnly)
  return applied.ok ? done(ErrorCode.NONE, null) : done(applied.errorCode, applied.message)
}

export default defineHandler({
  api: IncrementalAlterConfigsApi,
  minVersion: 0,
  maxVersion: 1,
  async handle (req, ctx) {
    const key = (r: IncrementalAlterConfigsRequestAlterConfigsResource): string => `${r.resourceType}:${r.resourceName}`
    const counts = new Map<string, number>()
    for (const r of req.resources) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1)
    const responses: Result[] = []
    for (const r of req.resources) {
      responses.push(counts.get(key(r))! > 1
        ? { resourceType: r.resourceType, resourceName: r.resourceName, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate resource.' }
        : await alter(ctx.broker, r, req.validateOnly))
    }
    return { throttleTimeMs: 0, responses }
  }
})
