import { test } from 'node:test'
import assert from 'node:assert/strict'
import { newClusterId } from '@tributary/metadata'
import { isValidClusterId } from '../../src/config/cluster-id.js'
import { isConfigError } from '../../src/config/errors.js'
import { loadConfig } from '../../src/config/load.js'

test('generated cluster ids are valid cluster.id values', () => {
  for (let i = 0; i < 200; i++) {
    const id = newClusterId()
    assert.ok(isValidClusterId(id), id)
    assert.ok(!id.startsWith('-'), id)
  }
  assert.ok(!isValidClusterId('too-short'))
})

test('cluster.id is validated at load time', () => {
  assert.throws(() => loadConfig({ overrides: { 'cluster.id': 'not an id' } }), (err: unknown) => isConfigError(err) && /cluster\.id/.test((err as Error).message))
  const id = newClusterId()
  assert.equal(loadConfig({ overrides: { 'cluster.id': id } }).clusterId, id)
})
