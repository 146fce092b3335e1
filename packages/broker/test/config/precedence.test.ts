import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfig } from '../../src/config/load.js'
import { envVarName, flagName } from '../../src/config/sources.js'
import { CONFIG_DEFINITIONS } from '../../src/config/definitions.js'
import { ConfigSource } from '../../src/config/types.js'
import { assertConfigError, propertiesFile } from './helpers.js'

describe('input precedence', () => {
  const file = propertiesFile([
    'num.partitions=2',
    'default.replication.factor=2',
    'min.insync.replicas=2',
    'message.max.bytes=2000000'
  ].join('\n'))
  const env = {
    TRIBUTARY_DEFAULT_REPLICATION_FACTOR: '3',
    TRIBUTARY_MIN_INSYNC_REPLICAS: '3',
    TRIBUTARY_MESSAGE_MAX_BYTES: '3000000'
  }
  const flags = { 'min.insync.replicas': '4', 'message.max.bytes': '4000000' }
  const overrides = { 'message.max.bytes': 5000000 }

  it('is defaults < file < env < flags < overrides', () => {
    const config = loadConfig({ file, env, flags, overrides })
    assert.equal(config.getInt('socket.request.max.bytes'), 104857600)
    assert.equal(config.getInt('num.partitions'), 2)
    assert.equal(config.getInt('default.replication.factor'), 3)
    assert.equal(config.getInt('min.insync.replicas'), 4)
    assert.equal(config.getInt('message.max.bytes'), 5000000)
  })

  it('records the source and the input of each value', () => {
    const config = loadConfig({ file, env, flags, overrides })
    assert.equal(config.source('socket.request.max.bytes'), ConfigSource.DEFAULT_CONFIG)
    assert.equal(config.source('num.partitions'), ConfigSource.STATIC_BROKER_CONFIG)
    assert.equal(config.explain('num.partitions').where, `${file}:1`)
    assert.equal(config.explain('default.replication.factor').where, 'TRIBUTARY_DEFAULT_REPLICATION_FACTOR')
    assert.equal(config.explain('min.insync.replicas').where, '--min-insync-replicas')
    assert.equal(config.explain('message.max.bytes').where, 'overrides')
  })

  it('reads raw argv flags, with --config and --key=value', () => {
    const config = loadConfig({
      argv: ['--config', file, '--log-dirs', '/tmp/t', '--node-id=7', '--listeners', 'PLAINTEXT://127.0.0.1:19092', '--delete-topic-enable', '--num-partitions', '9']
    })
    assert.deepEqual(config.logDirs, ['/tmp/t'])
    assert.equal(config.nodeId, 7)
    assert.deepEqual(config.listeners, [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 19092, securityProtocol: 'PLAINTEXT' }])
    assert.equal(config.getBoolean('delete.topic.enable'), true)
    assert.equal(config.getInt('num.partitions'), 9)
    assert.equal(config.getInt('default.replication.factor'), 2, 'the --config file is read')
  })

  it('takes a negative number as a flag value', () => {
    assert.equal(loadConfig({ argv: ['--log-retention-bytes', '-1'] }).getLong('log.retention.bytes'), -1n)
  })

  it('rejects unknown flags, stray arguments and missing values', () => {
    assertConfigError(() => loadConfig({ argv: ['--log-dirz', '/tmp'] }), "Unknown option '--log-dirz'")
    assertConfigError(() => loadConfig({ argv: ['start'] }), "Unexpected argument 'start'")
    assertConfigError(() => loadConfig({ argv: ['--num-partitions'] }), "Option '--num-partitions' needs a value")
    assertConfigError(() => loadConfig({ flags: { 'log.dirz': '/tmp' } }), "Unknown option '--log-dirz'")
    assertConfigError(() => loadConfig({ overrides: { 'log.dirz': '/tmp' } }), "Unknown configuration 'log.dirz'")
  })

  it('warns about unknown keys in a file and goes on', () => {
    const path = propertiesFile('num.partitions=3\nzookeeper.connect=localhost:2181\n')
    const config = loadConfig({ file: path })
    assert.equal(config.getInt('num.partitions'), 3)
    assert.deepEqual(config.warnings, [`Ignoring unknown configuration 'zookeeper.connect' (from ${path}:2)`])
  })

  it('fails clearly when the file is missing or malformed', () => {
    assertConfigError(() => loadConfig({ file: '/nonexistent/server.properties' }),
      'Cannot read configuration file /nonexistent/server.properties: no such file')
    const bad = propertiesFile('a=1\nb=\\uZZZZ')
    assertConfigError(() => loadConfig({ file: bad }), `Malformed \\uXXXX escape at line 2 of ${bad}`)
  })

  it('ignores unrelated and empty environment variables', () => {
    const config = loadConfig({ env: { TRIBUTARY_NOT_A_KEY: 'x', PATH: '/bin', TRIBUTARY_NUM_PARTITIONS: '' } })
    assert.equal(config.getInt('num.partitions'), 1)
    assert.deepEqual(config.warnings, [])
  })

  it('does not read process.env unless asked', () => {
    process.env.TRIBUTARY_NUM_PARTITIONS = '12'
    try {
      assert.equal(loadConfig().getInt('num.partitions'), 1)
      assert.equal(loadConfig({ env: process.env }).getInt('num.partitions'), 12)
    } finally {
      delete process.env.TRIBUTARY_NUM_PARTITIONS
    }
  })

  it('validates only the value that wins', () => {
    const config = loadConfig({ env: { TRIBUTARY_NUM_PARTITIONS: 'abc' }, flags: { 'num.partitions': '4' } })
    assert.equal(config.getInt('num.partitions'), 4)
  })

  it('gives every key a distinct env var and flag name', () => {
    const envNames = new Set(CONFIG_DEFINITIONS.map(d => envVarName(d.name)))
    const flagNames = new Set(CONFIG_DEFINITIONS.map(d => flagName(d.name)))
    assert.equal(envNames.size, CONFIG_DEFINITIONS.length)
    assert.equal(flagNames.size, CONFIG_DEFINITIONS.length)
    assert.equal(envVarName('log.dirs'), 'TRIBUTARY_LOG_DIRS')
    assert.equal(flagName('log.dirs'), 'log-dirs')
  })

  it('adds overrides to a loaded config with withOverrides()', () => {
    const base = loadConfig({ flags: { 'num.partitions': '3' } })
    const derived = base.withOverrides({ 'num.partitions': 6, 'log.dirs': ['/a', '/b'] })
    assert.equal(base.getInt('num.partitions'), 3)
    assert.equal(derived.getInt('num.partitions'), 6)
    assert.deepEqual(derived.logDirs, ['/a', '/b'])
  })

  it('warns when a key without effect is set', () => {
    const config = loadConfig({ file: propertiesFile('num.network.threads=3\n') })
    assert.equal(config.warnings.length, 1)
    assert.match(config.warnings[0]!, /num\.network\.threads has no effect in Tributary/)
  })
})
