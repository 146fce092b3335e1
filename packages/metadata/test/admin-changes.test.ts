import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EmbeddedMetadataStore, MetadataError } from '../src/index.js'

async function withDir (fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-store-admin-'))
  try { await fn(dir) } finally { await rm(dir, { recursive: true, force: true }) }
}

const code = (c: MetadataError['code']) => (e: unknown) => e instanceof MetadataError && e.code === c

test('partitions are added at the end, only as an increase, and persist', () => withDir(async dir => {
  const store = await EmbeddedMetadataStore.open({ dir, nodeId: 1 })
  const t = await store.createTopic({ name: 'grow', assignments: [[1], [1]] })
  const grown = await store.createPartitions('grow', 4, [[1], [1]])
  assert.equal(grown.id, t.id)
  assert.deepEqual(grown.partitions.map(p => [p.index, p.leader, p.replicas, p.isr]), [0, 1, 2, 3].map(i => [i, 1, [1], [1]]))
  await assert.rejects(store.createPartitions('grow', 4, []), code('TRIB_METADATA_INVALID_PARTITIONS'))
  await assert.rejects(store.createPartitions('grow', 3, []), /currently has 4 partition\(s\); 3 would not be an increase/)
  await assert.rejects(store.createPartitions('grow', 6, [[1]]), code('TRIB_METADATA_INVALID_PARTITIONS'))
  await assert.rejects(store.createPartitions('missing', 2, [[1]]), code('TRIB_METADATA_UNKNOWN_TOPIC'))
  await store.close()
  const again = await EmbeddedMetadataStore.open({ dir, nodeId: 1 })
  assert.equal(again.image().topics.get('grow')?.partitions.length, 4)
  await again.close()
}))

test('topics are deleted by id; unknown ids are refused', () => withDir(async dir => {
  const store = await EmbeddedMetadataStore.open({ dir, nodeId: 1 })
  const t = await store.createTopic({ name: 'by-id', assignments: [[1]] })
  await assert.rejects(store.deleteTopicById('00000000-0000-4000-8000-000000000000'), code('TRIB_METADATA_UNKNOWN_TOPIC_ID'))
  const deleted = await store.deleteTopicById(t.id)
  assert.equal(deleted.name, 'by-id')
  assert.equal(store.image().topics.size, 0)
  assert.equal(store.image().topicsById.size, 0)
  await assert.rejects(store.deleteTopicById(t.id), code('TRIB_METADATA_UNKNOWN_TOPIC_ID'))
  await store.close()
}))

test('topic configs are replaced through an update function, which may refuse without writing', () => withDir(async dir => {
  const store = await EmbeddedMetadataStore.open({ dir, nodeId: 1 })
  await store.createTopic({ name: 'cfg', assignments: [[1]], configs: { 'retention.ms': '1000' } })
  const epoch = store.image().epoch
  await assert.rejects(store.alterTopicConfigs('cfg', () => { throw new Error('refused') }), /refused/)
  assert.equal(store.image().epoch, epoch, 'a refused update changes nothing')
  // Concurrent incremental edits each see the other's result.
  await Promise.all([
    store.alterTopicConfigs('cfg', c => ({ ...c, 'cleanup.policy': 'compact' })),
    store.alterTopicConfigs('cfg', c => ({ ...c, 'segment.ms': '60000' }))
  ])
  assert.deepEqual(store.image().topics.get('cfg')?.configs, { 'retention.ms': '1000', 'cleanup.policy': 'compact', 'segment.ms': '60000' })
  await assert.rejects(store.alterTopicConfigs('nope', c => c), code('TRIB_METADATA_UNKNOWN_TOPIC'))
  await store.close()
  const again = await EmbeddedMetadataStore.open({ dir, nodeId: 1 })
  assert.deepEqual(again.image().topics.get('cfg')?.configs, { 'retention.ms': '1000', 'cleanup.policy': 'compact', 'segment.ms': '60000' })
  await again.close()
}))

test('dynamic broker configs persist per resource; an empty set removes the resource', () => withDir(async dir => {
  const store = await EmbeddedMetadataStore.open({ dir, nodeId: 1 })
  assert.equal(store.image().brokerConfigs.size, 0)
  await store.alterBrokerConfigs('1', () => ({ 'log.retention.ms': '5000' }))
  await store.alterBrokerConfigs('', c => ({ ...c, 'log.cleanup.policy': 'compact' }))
  await store.alterBrokerConfigs('', c => ({ ...c, 'min.insync.replicas': '2' }))
  assert.deepEqual(Object.fromEntries(store.image().brokerConfigs), {
    1: { 'log.retention.ms': '5000' },
    '': { 'log.cleanup.policy': 'compact', 'min.insync.replicas': '2' }
  })
  await store.close()
  const again = await EmbeddedMetadataStore.open({ dir, nodeId: 1 })
  assert.deepEqual(again.image().brokerConfigs.get(''), { 'log.cleanup.policy': 'compact', 'min.insync.replicas': '2' })
  await again.alterBrokerConfigs('1', () => ({}))
  assert.equal(again.image().brokerConfigs.has('1'), false)
  await again.close()
}))

test('a snapshot written before broker configs existed still loads', () => withDir(async dir => {
  const store = await EmbeddedMetadataStore.open({ dir, nodeId: 1 })
  await store.createTopic({ name: 'old', assignments: [[1]] })
  await store.close()
  const path = join(dir, 'tributary-metadata.json')
  const snapshot = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>
  delete snapshot.brokerConfigs
  await writeFile(path, JSON.stringify(snapshot))
  const again = await EmbeddedMetadataStore.open({ dir, nodeId: 1 })
  assert.deepEqual([...again.image().topics.keys()], ['old'])
  assert.equal(again.image().brokerConfigs.size, 0)
  await again.close()
}))
