import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EmbeddedMetadataStore, type TopicImage } from '@tributary/metadata'
import { ErrorCode, ZERO_UUID } from '@tributary/protocol'
import { loadConfig } from '../../src/config/index.js'
import { DynamicBrokerConfig } from '../../src/config/dynamic.js'
import type { RequestContext } from '../../src/handlers/define.js'
import deleteTopics from '../../src/handlers/delete-topics.js'
import type { Logger } from '../../src/network/index.js'
import type { BrokerState } from '../../src/state.js'

const quiet: Logger = { child: () => quiet, debug () {}, info () {}, warn () {}, error () {} }

test('DeleteTopics calls onTopicDeleted with each deleted topic; a failing hook does not fail the deletion', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-hook-'))
  const metadata = await EmbeddedMetadataStore.open({ dir, nodeId: 1 })
  try {
    const config = loadConfig({ overrides: { 'log.dirs': dir } })
    const calls: string[] = []
    const broker: BrokerState = {
      settings: {
        nodeId: 1,
        rack: null,
        numPartitions: 1,
        defaultReplicationFactor: 1,
        autoCreateTopics: false,
        internalTopics: { 'offsets.topic.num.partitions': 1, 'offsets.topic.replication.factor': 1, 'transaction.state.log.num.partitions': 1, 'transaction.state.log.replication.factor': 1 }
      },
      config: new DynamicBrokerConfig(config, metadata, 1, quiet),
      metadata,
      log: quiet,
      advertised: new Map(),
      onTopicDeleted: async (t: TopicImage) => {
        calls.push(`${t.name}:${t.partitions.length}`)
        if (t.name === 'fails') throw new Error('disk gone')
      }
    }
    await metadata.createTopic({ name: 'ok', assignments: [[1], [1]] })
    await metadata.createTopic({ name: 'fails', assignments: [[1]] })
    const ctx = { broker, version: 6 } as unknown as RequestContext
    const res = await deleteTopics.handle({ topics: [{ name: 'ok', topicId: ZERO_UUID }, { name: 'fails', topicId: ZERO_UUID }], topicNames: [], timeoutMs: 0 }, ctx)
    assert.deepEqual(res!.responses!.map(r => [r!.name, r!.errorCode]), [['ok', ErrorCode.NONE], ['fails', ErrorCode.NONE]])
    assert.deepEqual(calls, ['ok:2', 'fails:1'])
    assert.equal(metadata.image().topics.size, 0)
  } finally {
    await metadata.close()
    await rm(dir, { recursive: true, force: true })
  }
})
