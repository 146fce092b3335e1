import { ErrorCode } from '@tributary/protocol'
import type { BrokerState } from '../state.js'
import { topicNameProblem } from '../topics/topic-name.js'
import { type AdminResult, fail, ok } from './result.js'

/** Kafka's ConfigResource.Type ids, as DescribeConfigs and AlterConfigs carry them. */
export const ConfigResourceType = {
  UNKNOWN: 0,
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
  CLIENT_METRICS: 16,
  GROUP: 32
} as const

const TYPE_NAMES: Readonly<Record<number, string>> = {
  2: 'TOPIC', 4: 'BROKER', 8: 'BROKER_LOGGER', 16: 'CLIENT_METRICS', 32: 'GROUP'
}

export function resourceTypeName (type: number): string {
  return TYPE_NAMES[type] ?? 'UNKNOWN'
}

/** A config resource the broker can read or change. */
export type ConfigTarget =
  | { readonly kind: 'topic', readonly name: string }
  /** `resource` is the node id, or '' for the cluster-wide default. */
  | { readonly kind: 'broker', readonly resource: string }

/**
 * Resolves a (type, name) pair the way Kafka's ConfigHelper and
 * ConfigAdminManager do: a topic must have a legal name and exist; a
 * broker resource is '' (the cluster default) or this broker's id.
 * Broker loggers, groups and client metrics resources are not supported
 * yet and get INVALID_REQUEST with a message that says so.
 */
export function resolveConfigResource (broker: BrokerState, type: number, name: string): AdminResult<ConfigTarget> {
  const nodeId = broker.settings.nodeId
  switch (type) {
    case ConfigResourceType.TOPIC: {
      const problem = topicNameProblem(name)
      if (problem !== undefined) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, problem)
      if (!broker.metadata.image().topics.has(name)) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`)
      return ok({ kind: 'topic', name })
    }
    case ConfigResourceType.BROKER: {
      if (name === '') return ok({ kind: 'broker', resource: '' })
      const id = brokerId(name)
      if (!id.ok) return id
      if (id.value !== nodeId) return fail(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${nodeId} or empty string, but received ${name}`)
      return ok({ kind: 'broker', resource: String(nodeId) })
    }
    case ConfigResourceType.BROKER_LOGGER: {
      if (name === '') return fail(ErrorCode.INVALID_REQUEST, 'Broker id must not be empty')
      const id = brokerId(name)
      if (!id.ok) return id
      if (id.value !== nodeId) return fail(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${nodeId} but received ${name}`)
      return fail(ErrorCode.INVALID_REQUEST, 'Tributary does not support BROKER_LOGGER config resources yet: it logs through one logger whose level is set at startup')
    }
    case ConfigResourceType.GROUP:
    case ConfigResourceType.CLIENT_METRICS:
      return fail(ErrorCode.INVALID_REQUEST, `Tributary does not support ${resourceTypeName(type)} config resources yet`)
    default:
      return fail(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${type}`)
  }
}

function brokerId (name: string): AdminResult<number> {
  if (!/^-?\d+$/.test(name)) return fail(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${name}`)
  return ok(Number(name))
}
