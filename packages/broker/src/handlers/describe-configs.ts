// DescribeConfigs (key 32), v0-4.
// v0 reports is_default per entry; v1 replaces it with config_source and
// adds synonyms, sent when include_synonyms is set (KIP-226). v2 is v1
// (responses before throttling). v3: config_type and, with
// include_documentation, documentation (KIP-569). v4: flexible.
// Resources: TOPIC (2) with every topic config in effect, its source
// (1 = the topic's override, else the source of the broker key behind it)
// and synonyms; BROKER (4) for this broker's id with every broker key, or
// '' for the cluster-wide dynamic defaults only. Other types are refused
// per resource (see admin/config-resources.ts). Sensitive values are null.
import { ErrorCode, type Input } from '@tributary/protocol'
import {
  DescribeConfigsApi,
  type DescribeConfigsRequestDescribeConfigsResource,
  type DescribeConfigsResponseDescribeConfigsResult
} from '@tributary/protocol/apis/describe-configs'
import { CONFIG_SOURCE_CODE, CONFIG_TYPE_CODE, ConfigSource, describeTopicConfigs, type TopicConfigEntry } from '../config/index.js'
import { describeBrokerConfigs, describeClusterDefaultConfigs } from '../admin/broker-config-entries.js'
import { resolveConfigResource } from '../admin/config-resources.js'
import type { BrokerState } from '../state.js'
import { defineHandler, type RequestContext } from './define.js'

type Result = Input<DescribeConfigsResponseDescribeConfigsResult>

const DEFAULT_SOURCE = CONFIG_SOURCE_CODE[ConfigSource.DEFAULT_CONFIG]

function entries (broker: BrokerState, resource: DescribeConfigsRequestDescribeConfigsResource): { result: TopicConfigEntry[] } | { errorCode: number, message: string | null } {
  const target = resolveConfigResource(broker, resource.resourceType, resource.resourceName)
  if (!target.ok) return { errorCode: target.errorCode, message: target.message }
  const config = broker.config.current()
  const keys = resource.configurationKeys
  if (target.value.kind === 'topic') {
    const topic = broker.metadata.image().topics.get(target.value.name)!
    return { result: describeTopicConfigs(config, topic.configs, keys) }
  }
  if (target.value.resource === '') {
    return { result: describeClusterDefaultConfigs(config, broker.metadata.image().brokerConfigs.get('') ?? {}, keys) }
  }
  return { result: describeBrokerConfigs(config, keys) }
}

function describe (req: { includeSynonyms: boolean, includeDocumentation: boolean }, ctx: RequestContext, resource: DescribeConfigsRequestDescribeConfigsResource): Result {
  const base = { resourceType: resource.resourceType, resourceName: resource.resourceName }
  const found = entries(ctx.broker, resource)
  if (!('result' in found)) return { ...base, errorCode: found.errorCode, errorMessage: found.message, configs: [] }
  const withSynonyms = ctx.version >= 1 && req.includeSynonyms
  const withDocs = ctx.version >= 3 && req.includeDocumentation
  return {
    ...base,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    configs: found.result.map(e => ({
      name: e.name,
      value: e.value,
      readOnly: e.readOnly,
      // v0 has no source; Kafka derives is_default from it.
      ...(ctx.version === 0 ? { isDefault: e.source === DEFAULT_SOURCE } : {}),
      configSource: e.source,
      isSensitive: e.isSensitive,
      synonyms: withSynonyms ? e.synonyms.map(s => ({ ...s })) : [],
      configType: CONFIG_TYPE_CODE[e.type],
      documentation: withDocs ? e.documentation : null
    }))
  }
}

export default defineHandler({
  api: DescribeConfigsApi,
  minVersion: 0,
  maxVersion: 4,
  handle (req, ctx) {
    return { throttleTimeMs: 0, results: req.resources.map(r => describe(req, ctx, r)) }
  }
})
