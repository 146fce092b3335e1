import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CONFIG_DEFINITIONS } from '../../src/config/definitions.js'
import { loadConfig } from '../../src/config/load.js'
import { parseValue, requirement } from '../../src/config/parse.js'
import { ConfigType, Importance, UpdateMode } from '../../src/config/types.js'
import type { ConfigDef } from '../../src/config/types.js'
import { assertConfigError } from './helpers.js'

const bad = (key: string, value: unknown) => () => loadConfig({ overrides: { [key]: value as string } })

describe('validation', () => {
  it('names the key, the value and the allowed range', () => {
    assertConfigError(bad('num.partitions', 'abc'),
      "Invalid value 'abc' for configuration num.partitions: must be an integer >= 1 (from overrides)")
    assertConfigError(bad('num.partitions', '0'), "Invalid value '0' for configuration num.partitions: must be an integer >= 1")
    assertConfigError(bad('num.partitions', 1.5), "Invalid value '1.5' for configuration num.partitions")
  })

  it('names where the value came from', () => {
    assertConfigError(() => loadConfig({ env: { TRIBUTARY_MESSAGE_MAX_BYTES: '-5' } }),
      "Invalid value '-5' for configuration message.max.bytes: must be an integer >= 0 (from TRIBUTARY_MESSAGE_MAX_BYTES)")
    assertConfigError(() => loadConfig({ argv: ['--socket-request-max-bytes', 'lots'] }), '(from --socket-request-max-bytes)')
  })

  it('lists the allowed values of enumerations', () => {
    assertConfigError(bad('compression.type', 'brotli'),
      'compression.type: must be one of: uncompressed, zstd, lz4, snappy, gzip, producer')
    assertConfigError(bad('log.message.timestamp.type', 'createtime'),
      'log.message.timestamp.type: must be one of: CreateTime, LogAppendTime')
    assertConfigError(bad('log.cleanup.policy', 'delete,forever'),
      "Invalid value 'delete,forever' for configuration log.cleanup.policy: must be a comma-separated list of: compact, delete")
  })

  it('checks the type range as well as the validator', () => {
    assertConfigError(bad('node.id', '2147483648'), 'node.id: must be an integer between 0 and 2147483647')
    assertConfigError(bad('offsets.topic.replication.factor', '40000'), 'must be an integer between 1 and 32767')
    assertConfigError(bad('log.retention.bytes', '9223372036854775808'),
      'must be an integer between -9223372036854775808 and 9223372036854775807')
    assertConfigError(bad('log.cleaner.min.cleanable.ratio', '1.5'), 'must be a number between 0 and 1')
    assertConfigError(bad('auto.create.topics.enable', 'yes'), 'auto.create.topics.enable: must be true or false')
    assertConfigError(bad('log.segment.bytes', '1000'), 'log.segment.bytes: must be an integer >= 1048576')
  })

  it('parses each type from text and from typed values', () => {
    const config = loadConfig({
      overrides: {
        'auto.create.topics.enable': 'FALSE',
        'log.cleaner.min.cleanable.ratio': '0.25',
        'log.cleanup.policy': ' compact , delete ',
        'log.retention.bytes': 1024n,
        'socket.send.buffer.bytes': -1,
        'message.max.bytes': ' 2048 ',
        'log.dirs': ['/x', ' /y ']
      }
    })
    assert.equal(config.getBoolean('auto.create.topics.enable'), false)
    assert.equal(config.getDouble('log.cleaner.min.cleanable.ratio'), 0.25)
    assert.deepEqual(config.getList('log.cleanup.policy'), ['compact', 'delete'])
    assert.equal(config.getLong('log.retention.bytes'), 1024n)
    assert.equal(config.getInt('socket.send.buffer.bytes'), -1)
    assert.equal(config.getInt('message.max.bytes'), 2048)
    assert.deepEqual(config.logDirs, ['/x', '/y'])
  })

  it('rejects empty and duplicate log directories', () => {
    assertConfigError(bad('log.dirs', ''), 'log.dirs: must name at least one directory')
    assertConfigError(bad('log.dirs', '/a,,/b'), 'must not contain an empty directory name')
    assertConfigError(bad('log.dirs', '/a,/a'), 'must not name a directory twice')
    assertConfigError(bad('log.dirs', '/a,/a/'), 'log.dirs names the same directory twice')
  })

  it('checks cluster.id and max.connections.per.ip.overrides', () => {
    assert.equal(loadConfig({ overrides: { 'cluster.id': 'MkU3OEVBNTcwNTJENDM2Qg' } }).clusterId, 'MkU3OEVBNTcwNTJENDM2Qg')
    assertConfigError(bad('cluster.id', 'my-cluster'), 'cluster.id: must be 16 bytes in URL-safe base64')
    const config = loadConfig({ overrides: { 'max.connections.per.ip.overrides': '127.0.0.1:5, ::1:7' } })
    assert.deepEqual(config.maxConnectionsPerIpOverrides, { '127.0.0.1': 5, '::1': 7 })
    assertConfigError(bad('max.connections.per.ip.overrides', 'host'), "entry 'host' is not of the form host:count")
  })

  it('has a valid default for every key, and Kafka\'s defaults', () => {
    for (const def of CONFIG_DEFINITIONS) {
      if (def.default !== null) parseValue(def, def.default)
    }
    const config = loadConfig()
    const expected: Record<string, unknown> = {
      'num.partitions': 1,
      'default.replication.factor': 1,
      'auto.create.topics.enable': true,
      'socket.request.max.bytes': 104857600,
      'max.connections': 2147483647,
      'connections.max.idle.ms': 600000n,
      'message.max.bytes': 1048588,
      'log.segment.bytes': 1073741824,
      'log.retention.bytes': -1n,
      'log.retention.check.interval.ms': 300000n,
      'log.index.interval.bytes': 4096,
      'log.flush.interval.messages': 9223372036854775807n,
      'min.insync.replicas': 1,
      'unclean.leader.election.enable': false,
      'offsets.topic.num.partitions': 50,
      'offsets.topic.replication.factor': 3,
      'offsets.retention.minutes': 10080,
      'group.initial.rebalance.delay.ms': 3000,
      'group.min.session.timeout.ms': 6000,
      'group.max.session.timeout.ms': 1800000,
      'transaction.state.log.num.partitions': 50,
      'delete.topic.enable': true,
      'compression.type': 'producer',
      'listeners': 'PLAINTEXT://:9092'
    }
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(config.get(key as never), value, key)
    }
    assert.deepEqual(config.getList('log.cleanup.policy'), ['delete'])
  })

  it('describes requirements for every type', () => {
    const def = (type: ConfigType, extra: Partial<ConfigDef> = {}): ConfigDef => ({
      name: 'x', type, default: null, importance: Importance.LOW, updateMode: UpdateMode.READ_ONLY, doc: '', group: '', ...extra
    })
    assert.equal(requirement(def(ConfigType.INT)), 'must be an integer between -2147483648 and 2147483647')
    assert.equal(requirement(def(ConfigType.LONG, { validator: { kind: 'range', min: 0, max: 10 } })), 'must be an integer between 0 and 10')
    assert.equal(requirement(def(ConfigType.CLASS)), 'must be a fully qualified class name')
    assert.equal(parseValue(def(ConfigType.CLASS), ' org.example.Policy '), 'org.example.Policy')
    assertConfigError(() => parseValue(def(ConfigType.CLASS), 'not a class'), 'must be a fully qualified class name')
  })

  it('never shows a password in an error', () => {
    const secret = { name: 'ssl.key.password', type: ConfigType.PASSWORD, default: null, importance: Importance.HIGH, updateMode: UpdateMode.PER_BROKER, doc: '', group: '', validator: { kind: 'oneOf', values: ['x'] } } as const
    assertConfigError(() => parseValue(secret, 'hunter2'), "Invalid value '[hidden]' for configuration ssl.key.password")
  })
})
