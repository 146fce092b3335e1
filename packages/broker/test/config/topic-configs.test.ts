import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  DYNAMIC_BROKER_KEYS, TOPIC_CONFIG_DEFINITIONS, effectiveTopicConfigs, findDefinition, loadConfig, validateDynamicBrokerConfigs, validateTopicConfigs
} from '../../src/config/index.js'
import { formatValue } from '../../src/config/parse.js'
import { assertConfigError } from './helpers.js'

test('each topic key\'s own default equals its broker key\'s default, as in Kafka', () => {
  const config = loadConfig()
  const fresh = effectiveTopicConfigs(config, {})
  for (const def of TOPIC_CONFIG_DEFINITIONS) {
    assert.equal(formatValue(def, fresh.get(def.name) ?? null), def.default, def.name)
    if (def.serverDefault !== undefined) assert.ok(findDefinition(def.serverDefault) !== undefined, `${def.name} -> ${def.serverDefault}`)
  }
  assert.equal(TOPIC_CONFIG_DEFINITIONS.length, 34)
})

test('effective topic configs: override > broker setting (through its synonyms) > default, typed', () => {
  const config = loadConfig({ overrides: { 'log.retention.minutes': 30, 'log.roll.hours': 2, 'message.max.bytes': 5000 } })
  const values = effectiveTopicConfigs(config, { 'retention.bytes': '1024', 'cleanup.policy': 'compact,delete' })
  assert.equal(values.get('retention.ms'), 1_800_000n)
  assert.equal(values.get('segment.ms'), 7_200_000n)
  assert.equal(values.get('max.message.bytes'), 5000)
  assert.equal(values.get('retention.bytes'), 1024n)
  assert.deepEqual(values.get('cleanup.policy'), ['compact', 'delete'])
  assert.equal(values.get('remote.storage.enable'), false)
  assert.equal(values.get('flush.ms'), 9223372036854775807n, 'log.flush.interval.ms falls back to the scheduler interval')
})

test('topic overrides are validated and normalised', () => {
  const config = loadConfig()
  assert.deepEqual(validateTopicConfigs(config, { 'cleanup.policy': ' compact , delete ', 'min.cleanable.dirty.ratio': '1' }),
    { 'cleanup.policy': 'compact,delete', 'min.cleanable.dirty.ratio': '1.0' })
  assertConfigError(() => validateTopicConfigs(config, { 'log.retention.ms': '1' }), 'Unknown topic config name: log.retention.ms')
  assertConfigError(() => validateTopicConfigs(config, { 'compression.gzip.level': '12' }), 'compression.gzip.level', '1 to 9, or -1')
  assertConfigError(() => validateTopicConfigs(config, { 'leader.replication.throttled.replicas': '0:1,x' }), '[partitionId]:[brokerId]')
  assert.deepEqual(validateTopicConfigs(config, { 'leader.replication.throttled.replicas': '*' }), { 'leader.replication.throttled.replicas': '*' })
  assertConfigError(() => validateTopicConfigs(config, { 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' }),
    'conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)')
  assert.deepEqual(validateTopicConfigs(config, { 'max.compaction.lag.ms': '5' }), { 'max.compaction.lag.ms': '5' }, 'the default min lag is 0')
})

test('dynamic broker keys: the topic defaults Kafka can change at runtime', () => {
  for (const k of ['log.retention.ms', 'log.retention.hours', 'log.cleanup.policy', 'message.max.bytes', 'log.roll.jitter.hours', 'compression.type']) assert.ok(DYNAMIC_BROKER_KEYS.has(k), k)
  for (const k of ['log.flush.scheduler.interval.ms', 'num.partitions', 'max.connections', 'log.dirs']) assert.ok(!DYNAMIC_BROKER_KEYS.has(k), k)
  assert.deepEqual(validateDynamicBrokerConfigs({ 'log.retention.ms': ' 100 ' }), { 'log.retention.ms': '100' })
  assertConfigError(() => validateDynamicBrokerConfigs({ 'no.such.key': '1' }), 'Unknown broker config: no.such.key')
  assertConfigError(() => validateDynamicBrokerConfigs({ 'log.dirs': '/x', 'node.id': '2' }), 'Cannot update these configs dynamically: log.dirs, node.id')
  assertConfigError(() => validateDynamicBrokerConfigs({ 'max.connections': '5' }), 'Tributary cannot update these configs dynamically yet')
})
