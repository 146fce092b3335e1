import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CONFIG_DEFINITIONS } from '../../src/config/definitions.js'
import { loadConfig } from '../../src/config/load.js'
import { ConfigSource } from '../../src/config/types.js'
import { assertConfigError, propertiesFile } from './helpers.js'

describe('describe()', () => {
  it('lists every key with value, source, flags and synonyms', () => {
    const entries = loadConfig().describe()
    assert.deepEqual(entries.map(e => e.name), CONFIG_DEFINITIONS.map(d => d.name))
    const partitions = entries.find(e => e.name === 'num.partitions')!
    assert.deepEqual(partitions, {
      name: 'num.partitions',
      value: '1',
      source: ConfigSource.DEFAULT_CONFIG,
      isDefault: true,
      isSensitive: false,
      readOnly: true,
      type: 'int',
      documentation: partitions.documentation,
      synonyms: [{ name: 'num.partitions', value: '1', source: ConfigSource.DEFAULT_CONFIG }]
    })
  })

  it('reports static values and dynamic-capable keys', () => {
    const [entry] = loadConfig({ flags: { 'min.insync.replicas': '2' } }).describe(['min.insync.replicas'])
    assert.equal(entry!.value, '2')
    assert.equal(entry!.source, ConfigSource.STATIC_BROKER_CONFIG)
    assert.equal(entry!.isDefault, false)
    assert.equal(entry!.readOnly, false)
    assert.deepEqual(entry!.synonyms, [
      { name: 'min.insync.replicas', value: '2', source: ConfigSource.STATIC_BROKER_CONFIG },
      { name: 'min.insync.replicas', value: '1', source: ConfigSource.DEFAULT_CONFIG }
    ])
  })

  it('lists synonyms source by source and starts at the key itself, as Kafka does', () => {
    const file = propertiesFile('log.retention.ms=1000\nlog.retention.hours=5\n')
    const config = loadConfig({ file })
    const [ms, hours] = config.describe(['log.retention.ms', 'log.retention.hours'])
    assert.equal(ms!.value, '1000')
    assert.deepEqual(ms!.synonyms, [
      { name: 'log.retention.ms', value: '1000', source: ConfigSource.STATIC_BROKER_CONFIG },
      { name: 'log.retention.hours', value: '5', source: ConfigSource.STATIC_BROKER_CONFIG },
      { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG }
    ])
    assert.equal(hours!.value, '5')
    assert.deepEqual(hours!.synonyms.map(s => s.name), ['log.retention.hours', 'log.retention.hours'])
  })

  it('shows an unset primary as null, like Kafka, while explain() gives the effective value', () => {
    const config = loadConfig({ flags: { 'log.retention.hours': '24' } })
    const [ms] = config.describe(['log.retention.ms'])
    assert.equal(ms!.value, null)
    assert.equal(ms!.source, ConfigSource.DEFAULT_CONFIG)
    assert.equal(config.explain('log.retention.ms').text, '86400000')
    assert.equal(config.explain('log.retention.ms').from, 'log.retention.hours')
  })

  it('layers dynamic values over static ones, and refuses read-only keys', () => {
    const base = loadConfig({ flags: { 'min.insync.replicas': '2' } })
    const dynamic = base.withDynamicConfig({ 'min.insync.replicas': '3' })
    assert.equal(dynamic.getInt('min.insync.replicas'), 3)
    const [entry] = dynamic.describe(['min.insync.replicas'])
    assert.equal(entry!.source, ConfigSource.DYNAMIC_BROKER_CONFIG)
    assert.deepEqual(entry!.synonyms.map(s => s.source), [
      ConfigSource.DYNAMIC_BROKER_CONFIG, ConfigSource.STATIC_BROKER_CONFIG, ConfigSource.DEFAULT_CONFIG
    ])
    assertConfigError(() => base.withDynamicConfig({ 'num.partitions': '3' }), 'Cannot update num.partitions dynamically')
    assertConfigError(() => base.withDynamicConfig({ listeners: 'PLAINTEXT://:1' }, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG),
      'Cannot set listeners as a cluster default')
  })

  it('keeps name precedence across sources: a static ms beats a dynamic hours', () => {
    const config = loadConfig({ flags: { 'log.retention.ms': '1000' } }).withDynamicConfig({ 'log.retention.hours': '1' })
    assert.equal(config.getLong('log.retention.ms'), 1000n)
  })
})
