import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ErrorCode, ZERO_UUID } from '@tributary/protocol'
import { CreatePartitionsApi, DeleteTopicsApi, DescribeConfigsApi, IncrementalAlterConfigsApi, MetadataApi } from '@tributary/protocol/apis'
import { createTopics, withBroker } from './helpers.js'

test('topics, partitions added later, topic configs, dynamic broker configs and deletions survive a restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-admin-'))
  try {
    let ids: string[] = []
    await withBroker({ dataDir: dir }, async c => {
      ids = await createTopics(c, [{ name: 'kept', partitions: 2, configs: { 'cleanup.policy': 'compact' } }, { name: 'dropped' }])
      const grown = await c.request(CreatePartitionsApi, 3, { topics: [{ name: 'kept', count: 5, assignments: null }], validateOnly: false })
      assert.equal(grown.results[0]!.errorCode, ErrorCode.NONE)
      const altered = await c.request(IncrementalAlterConfigsApi, 1, {
        resources: [
          { resourceType: 2, resourceName: 'kept', configs: [{ name: 'retention.ms', configOperation: 0, value: '1234' }] },
          { resourceType: 4, resourceName: '', configs: [{ name: 'log.segment.bytes', configOperation: 0, value: '2097152' }] }
        ],
        validateOnly: false
      })
      assert.deepEqual(altered.responses.map(r => r.errorCode), [ErrorCode.NONE, ErrorCode.NONE])
      const deleted = await c.request(DeleteTopicsApi, 6, { topics: [{ name: 'dropped', topicId: ZERO_UUID }] })
      assert.equal(deleted.responses[0]!.errorCode, ErrorCode.NONE)
    })
    await withBroker({ dataDir: dir }, async c => {
      const md = await c.request(MetadataApi, 12, { topics: null })
      assert.deepEqual(md.topics.map(t => [t.name, t.topicId, t.partitions.length]), [['kept', ids[0], 5]])
      const res = await c.request(DescribeConfigsApi, 4, {
        resources: [{ resourceType: 2, resourceName: 'kept', configurationKeys: ['cleanup.policy', 'retention.ms', 'segment.bytes'] }],
        includeSynonyms: false
      })
      assert.deepEqual(res.results[0]!.configs.map(e => [e.name, e.value, e.configSource]), [
        ['cleanup.policy', 'compact', 1],
        ['retention.ms', '1234', 1],
        ['segment.bytes', '2097152', 3]
      ])
    })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
