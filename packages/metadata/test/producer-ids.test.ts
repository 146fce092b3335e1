import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EmbeddedMetadataStore, type MetadataError } from '../src/index.js'

async function withDir (fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-pid-'))
  try { await fn(dir) } finally { await rm(dir, { recursive: true, force: true }) }
}

test('producer id blocks are disjoint, consecutive and never handed out again after a restart', () => withDir(async dir => {
  const store = await EmbeddedMetadataStore.open({ dir, nodeId: 1 })
  const a = await store.allocateProducerIds(1000)
  const [b, c] = await Promise.all([store.allocateProducerIds(1000), store.allocateProducerIds(5)])
  assert.deepEqual(a, { firstId: 0n, count: 1000 })
  assert.deepEqual(b, { firstId: 1000n, count: 1000 })
  assert.deepEqual(c, { firstId: 2000n, count: 5 })
  await store.close()
  const again = await EmbeddedMetadataStore.open({ dir, nodeId: 1 })
  assert.deepEqual(await again.allocateProducerIds(1000), { firstId: 2005n, count: 1000 })
  await again.close()
}))

test('a block of fewer than one id is refused and changes nothing', () => withDir(async dir => {
  const store = await EmbeddedMetadataStore.open({ dir, nodeId: 1 })
  for (const bad of [0, -1, 1.5]) {
    await assert.rejects(store.allocateProducerIds(bad), (e: MetadataError) => e.code === 'TRIB_METADATA_INVALID_PRODUCER_ID_BLOCK')
  }
  assert.deepEqual(await store.allocateProducerIds(1), { firstId: 0n, count: 1 })
  await store.close()
}))
