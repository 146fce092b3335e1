import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfig } from '../../src/config/load.js'
import { ConfigSource } from '../../src/config/types.js'
import { assertConfigError, propertiesFile } from './helpers.js'

const HOUR = 3_600_000n

describe('synonyms', () => {
  it('defaults log.retention.ms from log.retention.hours (168)', () => {
    const config = loadConfig()
    assert.equal(config.getLong('log.retention.ms'), 168n * HOUR)
    const why = config.explain('log.retention.ms')
    assert.equal(why.source, ConfigSource.DEFAULT_CONFIG)
    assert.equal(why.from, 'log.retention.hours')
  })

  it('ranks ms over minutes over hours', () => {
    const hours = { 'log.retention.hours': '2' }
    const minutes = { 'log.retention.minutes': '30' }
    const ms = { 'log.retention.ms': '1234' }
    assert.equal(loadConfig({ flags: hours }).getLong('log.retention.ms'), 2n * HOUR)
    assert.equal(loadConfig({ flags: { ...hours, ...minutes } }).getLong('log.retention.ms'), 30n * 60_000n)
    assert.equal(loadConfig({ flags: { ...hours, ...minutes, ...ms } }).getLong('log.retention.ms'), 1234n)
  })

  it('ranks by name, not by input: a file ms beats a flag hours', () => {
    const file = propertiesFile('log.retention.ms=5000\n')
    const config = loadConfig({ file, flags: { 'log.retention.hours': '1' } })
    assert.equal(config.getLong('log.retention.ms'), 5000n)
    assert.equal(config.explain('log.retention.ms').from, 'log.retention.ms')
    assert.deepEqual(config.warnings, [
      `log.retention.hours=1 (from --log-retention-hours) is ignored: log.retention.ms (from ${file}:1) takes precedence`
    ])
  })

  it('turns any negative retention into -1 (no limit), as Kafka does', () => {
    assert.equal(loadConfig({ flags: { 'log.retention.hours': '-1' } }).getLong('log.retention.ms'), -1n)
    assert.equal(loadConfig({ flags: { 'log.retention.minutes': '-5' } }).getLong('log.retention.ms'), -1n)
  })

  it('resolves log.roll.ms from log.roll.hours', () => {
    assert.equal(loadConfig().getLong('log.roll.ms'), 168n * HOUR)
    assert.equal(loadConfig({ flags: { 'log.roll.hours': '1' } }).getLong('log.roll.ms'), HOUR)
    assert.equal(loadConfig({ flags: { 'log.roll.hours': '1', 'log.roll.ms': '60000' } }).getLong('log.roll.ms'), 60000n)
  })

  it('falls back from log.flush.interval.ms to the scheduler interval', () => {
    assert.equal(loadConfig().getLong('log.flush.interval.ms'), 9223372036854775807n)
    assert.equal(loadConfig().getLongAsNumber('log.flush.interval.ms'), Number.MAX_SAFE_INTEGER)
    assert.equal(loadConfig({ flags: { 'log.flush.interval.ms': '1000' } }).getLongAsNumber('log.flush.interval.ms'), 1000)
  })

  it('prefers log.dirs over log.dir, and splits either on commas', () => {
    assert.deepEqual(loadConfig().logDirs, ['/tmp/tributary-logs'])
    assert.deepEqual(loadConfig({ flags: { 'log.dir': '/a, /b' } }).logDirs, ['/a', '/b'])
    assert.deepEqual(loadConfig({ flags: { 'log.dir': '/a', 'log.dirs': '/c,/d' } }).logDirs, ['/c', '/d'])
  })

  it('makes relative log dirs absolute against the working directory', () => {
    assert.deepEqual(loadConfig({ flags: { 'log.dirs': 'data' } }).logDirs, [`${process.cwd()}/data`])
  })

  it('treats broker.id as node.id, and requires them to agree when both are set', () => {
    assert.equal(loadConfig().nodeId, 1)
    assert.equal(loadConfig({ flags: { 'broker.id': '4' } }).nodeId, 4)
    assert.equal(loadConfig({ flags: { 'broker.id': '4' } }).getInt('broker.id'), 4)
    assert.equal(loadConfig({ flags: { 'node.id': '5' } }).getInt('broker.id'), 5)
    assert.equal(loadConfig({ flags: { 'node.id': '5', 'broker.id': '5' } }).nodeId, 5)
    assertConfigError(() => loadConfig({ flags: { 'node.id': '5' }, overrides: { 'broker.id': 6 } }),
      'node.id=5 (from --node-id) and broker.id=6 (from overrides) must be equal when both are set')
  })
})
