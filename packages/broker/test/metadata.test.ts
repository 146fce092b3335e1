import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ErrorCode, ZERO_UUID } from '@tributary/protocol'
import { MetadataApi } from '@tributary/protocol/apis'
import { startBroker } from '../src/index.js'
import { RawClient } from './raw-client.js'

test('Metadata describes the broker and auto-creates topics in every version', async () => {
  const broker = await startBroker({ port: 0, 'num.partitions': 3 })
  const c = await RawClient.connect(broker.port)
  try {
    for (let v = 0; v <= 12; v++) {
      const name = `topic-v${v}`
      const res = await c.request(MetadataApi, v, { topics: [{ name }] })
      assert.deepEqual(res.brokers.map(b => [b.nodeId, b.host, b.port]), [[1, '127.0.0.1', broker.port]], `v${v}`)
      if (v >= 1) assert.equal(res.controllerId, 1)
      if (v >= 2) assert.equal(res.clusterId, broker.clusterId)
      assert.equal(res.topics.length, 1)
      const t = res.topics[0]!
      assert.equal(t.errorCode, ErrorCode.NONE)
      assert.equal(t.name, name)
      if (v >= 10) assert.notEqual(t.topicId, ZERO_UUID)
      assert.deepEqual(t.partitions.map(p => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes]), [0, 1, 2].map(i => [i, 1, [1], [1]]))
    }
    // v1+: null means every topic; v0: an empty list means every topic.
    const all = await c.request(MetadataApi, 12, { topics: null })
    assert.equal(all.topics.length, 13)
    const v0 = await c.request(MetadataApi, 0, { topics: [] })
    assert.equal(v0.topics.length, 13)
    const none = await c.request(MetadataApi, 12, { topics: [] })
    assert.equal(none.topics.length, 0)
  } finally {
    c.close()
    await broker.close()
  }
})

test('Metadata errors: illegal names, auto-creation off, unknown topic ids', async () => {
  const broker = await startBroker({ port: 0, 'auto.create.topics.enable': false })
  const c = await RawClient.connect(broker.port)
  try {
    const res = await c.request(MetadataApi, 12, {
      topics: [{ name: 'missing' }, { name: 'bad/name' }, { name: 'x'.repeat(250) }, { name: null, topicId: '0a0b0c0d-0000-4000-8000-000000000001' }]
    })
    assert.deepEqual(res.topics.map(t => t.errorCode), [
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.UNKNOWN_TOPIC_ID
    ])
    const noAuto = await c.request(MetadataApi, 12, { topics: [{ name: 'missing' }], allowAutoTopicCreation: true })
    assert.equal(noAuto.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  } finally {
    c.close()
    await broker.close()
  }
})

test('a client may refuse auto-creation (v4+ allow_auto_topic_creation=false)', async () => {
  const broker = await startBroker({ port: 0 })
  const c = await RawClient.connect(broker.port)
  try {
    const res = await c.request(MetadataApi, 9, { topics: [{ name: 'not-created' }], allowAutoTopicCreation: false })
    assert.equal(res.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const all = await c.request(MetadataApi, 9, { topics: null })
    assert.equal(all.topics.length, 0)
  } finally {
    c.close()
    await broker.close()
  }
})

test('topics, their ids and the cluster id survive a restart; lookup by topic id works', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-meta-'))
  try {
    const first = await startBroker({ port: 0, dataDir: dir, 'num.partitions': 2 })
    let id: string
    {
      const c = await RawClient.connect(first.port)
      const res = await c.request(MetadataApi, 12, { topics: [{ name: 'durable' }] })
      id = res.topics[0]!.topicId
      c.close()
    }
    const clusterId = first.clusterId
    await first.close()
    const second = await startBroker({ port: 0, dataDir: dir })
    const c = await RawClient.connect(second.port)
    try {
      assert.equal(second.clusterId, clusterId)
      const res = await c.request(MetadataApi, 12, { topics: [{ name: null, topicId: id }] })
      assert.equal(res.topics[0]!.errorCode, ErrorCode.NONE)
      assert.equal(res.topics[0]!.name, 'durable')
      assert.equal(res.topics[0]!.partitions.length, 2)
    } finally {
      c.close()
      await second.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('duplicate names are answered once; internal topics get their own partition count', async () => {
  const broker = await startBroker({ port: 0, 'offsets.topic.num.partitions': 5, 'transaction.state.log.num.partitions': 4 })
  const c = await RawClient.connect(broker.port)
  try {
    const res = await c.request(MetadataApi, 4, { topics: [{ name: 'dup' }, { name: 'dup' }, { name: '__consumer_offsets' }, { name: '__transaction_state' }] })
    assert.deepEqual(res.topics.map(t => [t.name, t.isInternal, t.partitions.length]), [
      ['dup', false, 1], ['__consumer_offsets', true, 5], ['__transaction_state', true, 4]
    ])
    const collide = await c.request(MetadataApi, 12, { topics: [{ name: 'a.b' }, { name: 'a_b' }] })
    assert.deepEqual(collide.topics.map(t => t.errorCode), [ErrorCode.NONE, ErrorCode.INVALID_TOPIC_EXCEPTION])
  } finally {
    c.close()
    await broker.close()
  }
})

test('concurrent auto-creation of one topic creates it once', async () => {
  const broker = await startBroker({ port: 0 })
  const clients = await Promise.all([0, 1, 2, 3].map(() => RawClient.connect(broker.port)))
  try {
    const results = await Promise.all(clients.map(c => c.request(MetadataApi, 12, { topics: [{ name: 'race' }] })))
    const ids = new Set(results.map(r => r.topics[0]!.topicId))
    assert.equal(ids.size, 1)
    assert.ok(results.every(r => r.topics[0]!.errorCode === ErrorCode.NONE))
  } finally {
    for (const c of clients) c.close()
    await broker.close()
  }
})
