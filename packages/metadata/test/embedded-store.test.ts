import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EmbeddedMetadataStore, MetadataError, MetaPropertiesError } from '../src/index.js'

async function withDir (fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-store-'))
  try { await fn(dir) } finally { await rm(dir, { recursive: true, force: true }) }
}

test('topics are created once, persist, and are deleted', () => withDir(async dir => {
  const store = await EmbeddedMetadataStore.open({ dir, nodeId: 3 })
  const seen: number[] = []
  store.onChange(image => seen.push(image.epoch))
  const t = await store.createTopic({ name: 'orders', assignments: [[3], [3]], configs: { 'cleanup.policy': 'compact' } })
  assert.equal(t.partitions.length, 2)
  assert.deepEqual(t.partitions.map(p => [p.index, p.leader, p.replicas, p.isr]), [[0, 3, [3], [3]], [1, 3, [3], [3]]])
  await assert.rejects(store.createTopic({ name: 'orders', assignments: [[3]] }), (e: MetadataError) => e.code === 'TRIB_METADATA_TOPIC_EXISTS')
  await assert.rejects(store.createTopic({ name: 'my.topic', assignments: [[3]] }).then(() => store.createTopic({ name: 'my_topic', assignments: [[3]] })),
    (e: MetadataError) => e.code === 'TRIB_METADATA_TOPIC_COLLISION')
  await store.createTopic({ name: 'gone', assignments: [[3]] })
  await store.deleteTopic('gone')
  await assert.rejects(store.deleteTopic('gone'), (e: MetadataError) => e.code === 'TRIB_METADATA_UNKNOWN_TOPIC')
  assert.deepEqual(seen, [1, 2, 3, 4])
  const clusterId = store.image().clusterId
  await store.close()

  const again = await EmbeddedMetadataStore.open({ dir, nodeId: 3 })
  const image = again.image()
  assert.equal(image.clusterId, clusterId)
  assert.equal(image.epoch, 4)
  assert.deepEqual([...image.topics.keys()].sort(), ['my.topic', 'orders'])
  assert.equal(image.topicsById.get(t.id)?.name, 'orders')
  assert.deepEqual(image.topics.get('orders')?.configs, { 'cleanup.policy': 'compact' })
  await again.close()
}))

test('meta.properties pins the cluster id and node id of a directory', () => withDir(async dir => {
  const store = await EmbeddedMetadataStore.open({ dir, nodeId: 1, clusterId: 'abcdefghijklmnopqrstuv' })
  await store.close()
  const text = await readFile(join(dir, 'meta.properties'), 'utf8')
  assert.match(text, /cluster\.id=abcdefghijklmnopqrstuv/)
  assert.match(text, /node\.id=1/)
  await assert.rejects(EmbeddedMetadataStore.open({ dir, nodeId: 2 }), MetaPropertiesError)
  await assert.rejects(EmbeddedMetadataStore.open({ dir, nodeId: 1, clusterId: 'another-cluster-id-000' }), MetaPropertiesError)
}))

test('a damaged snapshot stops startup with a message instead of losing topics', () => withDir(async dir => {
  const store = await EmbeddedMetadataStore.open({ dir, nodeId: 1 })
  await store.createTopic({ name: 'kept', assignments: [[1]] })
  await store.close()
  await writeFile(join(dir, 'tributary-metadata.json'), '{"version":1,"epo')
  await assert.rejects(EmbeddedMetadataStore.open({ dir, nodeId: 1 }), /cannot read metadata snapshot/)
}))

test('a closed store refuses changes', () => withDir(async dir => {
  const store = await EmbeddedMetadataStore.open({ dir, nodeId: 1 })
  await store.close()
  await assert.rejects(store.createTopic({ name: 'late', assignments: [[1]] }), (e: MetadataError) => e.code === 'TRIB_METADATA_CLOSED')
}))
