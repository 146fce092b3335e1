import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateClusterId, isValidClusterId } from '../../src/config/cluster-id.js'
import { isConfigError } from '../../src/config/errors.js'
import { loadConfig } from '../../src/config/load.js'
import { ensureMetaProperties } from '../../src/config/meta-properties.js'
import { parsePropertiesToMap } from '../../src/config/properties.js'
import { tempDir } from './helpers.js'

const rejectsConfig = async (p: Promise<unknown>, pattern: RegExp) => {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isConfigError(err))
    assert.match(err.message, pattern)
    return true
  })
}

describe('meta.properties and cluster.id', () => {
  it('generates Kafka-style cluster ids', () => {
    for (let i = 0; i < 200; i++) {
      const id = generateClusterId()
      assert.ok(isValidClusterId(id), id)
      assert.ok(!id.startsWith('-'))
    }
    assert.ok(!isValidClusterId('too-short'))
  })

  it('creates the file once and reads the same id afterwards', async () => {
    const dir = join(tempDir(), 'data')
    const config = loadConfig({ flags: { 'log.dirs': dir, 'node.id': '3' } })
    const first = await ensureMetaProperties(config)
    assert.equal(first.created, true)
    assert.ok(isValidClusterId(first.clusterId))
    const props = parsePropertiesToMap(readFileSync(join(dir, 'meta.properties'), 'utf8'))
    assert.equal(props.get('version'), '1')
    assert.equal(props.get('cluster.id'), first.clusterId)
    assert.equal(props.get('node.id'), '3')
    const second = await ensureMetaProperties(config)
    assert.equal(second.created, false)
    assert.equal(second.clusterId, first.clusterId)
  })

  it('uses a configured cluster.id and refuses a directory of another cluster or node', async () => {
    const dir = tempDir()
    const id = generateClusterId()
    const config = loadConfig({ flags: { 'log.dirs': dir, 'cluster.id': id } })
    assert.equal((await ensureMetaProperties(config)).clusterId, id)
    await rejectsConfig(ensureMetaProperties(config.withOverrides({ 'cluster.id': generateClusterId() })), /belongs to cluster/)
    await rejectsConfig(ensureMetaProperties(config.withOverrides({ 'node.id': 2 })), /belongs to node\.id 1, but this broker has node\.id 2/)
  })

  it('refuses an unknown layout', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'meta.properties'), 'version=0\nbroker.id=1\n')
    await rejectsConfig(ensureMetaProperties(loadConfig({ flags: { 'log.dirs': dir } })), /only version 1/)
  })
})
