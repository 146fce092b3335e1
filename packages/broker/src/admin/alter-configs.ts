import { ErrorCode } from '@tributary/protocol'
import { MetadataError } from '@tributary/metadata'
import { isConfigError, validateDynamicBrokerConfigs, validateTopicConfigs } from '../config/index.js'
import type { BrokerState } from '../state.js'
import type { ConfigTarget } from './config-resources.js'
import { type AdminResult, fail, ok } from './result.js'

/**
 * Applying a config change to a resource, shared by AlterConfigs (the whole
 * set is replaced) and IncrementalAlterConfigs (per-key operations). The
 * change is computed from the current set inside the metadata store's
 * change, so concurrent incremental edits do not lose each other's keys,
 * and validated as a whole before anything is written.
 */

/** An error a change computation raises with its own Kafka code. */
export class AdminError extends Error {
  constructor (readonly errorCode: number, message: string) {
    super(message)
    this.name = 'AdminError'
  }
}

/** Computes the new set of overrides (null: remove the key) from the current one. */
export type ConfigChange = (current: Readonly<Record<string, string>>) => Record<string, string | null>

function withoutNulls (values: Record<string, string | null>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(values)) if (v !== null) out[k] = v
  return out
}

/**
 * Topic values are validated like Kafka's LogConfig (INVALID_CONFIG);
 * broker values like its DynamicBrokerConfig, whose errors Kafka sends as
 * INVALID_REQUEST (KAFKA-13609).
 */
function mapError (target: ConfigTarget, err: unknown): AdminResult<void> {
  if (err instanceof AdminError) return fail(err.errorCode, err.message)
  if (isConfigError(err)) return fail(target.kind === 'topic' ? ErrorCode.INVALID_CONFIG : ErrorCode.INVALID_REQUEST, err.message)
  if (err instanceof MetadataError && err.code === 'TRIB_METADATA_UNKNOWN_TOPIC' && target.kind === 'topic') {
    return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${target.name}' does not exist.`)
  }
  throw err
}

export async function applyConfigChange (broker: BrokerState, target: ConfigTarget, change: ConfigChange, validateOnly: boolean): Promise<AdminResult<void>> {
  try {
    if (target.kind === 'topic') {
      const validate = (current: Readonly<Record<string, string>>): Record<string, string> =>
        validateTopicConfigs(broker.config.current(), withoutNulls(change(current)))
      if (validateOnly) {
        validate(broker.metadata.image().topics.get(target.name)?.configs ?? {})
      } else {
        await broker.metadata.alterTopicConfigs(target.name, validate)
        broker.log.info({ topic: target.name }, 'altered topic configs')
      }
    } else {
      const validate = (current: Readonly<Record<string, string>>): Record<string, string> =>
        validateDynamicBrokerConfigs(withoutNulls(change(current)))
      if (validateOnly) {
        validate(broker.metadata.image().brokerConfigs.get(target.resource) ?? {})
      } else {
        await broker.metadata.alterBrokerConfigs(target.resource, validate)
        broker.log.info({ resource: target.resource }, 'altered dynamic broker configs')
      }
    }
    return ok(undefined)
  } catch (err) {
    return mapError(target, err)
  }
}

/** The key names given more than once, which Kafka refuses per resource. */
export function duplicateKeys (names: readonly string[]): boolean {
  return new Set(names).size !== names.length
}
