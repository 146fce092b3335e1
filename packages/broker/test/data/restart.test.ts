import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeRecordBatch, splitBatches } from '@tributary/protocol'
import { startBroker } from '../../src/index.js'
import { RawClient } from '../raw-client.js'
import { createTopics } from '../admin/helpers.js'
import { batch, fetch, kv, produceOk } from './helpers.js'

test('data, high watermark and log start survive a restart; deleting the topic removes its logs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-restart-'))
  try {
    let broker = await startBroker({ port: 0, dataDir: dir })
    let c = await RawClient.connect(broker.port)
    await createTopics(c, [{ name: 't', partitions: 2 }])
    await produceOk(c, 't', 1, batch([kv('a', '1'), kv('b', '2')]))
    c.close()
    await broker.close()
    broker = await startBroker({ port: 0, dataDir: dir })
    c = await RawClient.connect(broker.port)
    try {
      const p = await fetch(c, 't', 1, 0n)
      assert.equal(p.highWatermark, 2n)
      const recs = (await decodeRecordBatch(splitBatches(p.records!).batches[0]!)).records
      assert.deepEqual(recs.map(r => r.value!.toString()), ['1', '2'])
      assert.equal(await produceOk(c, 't', 1, batch([kv('c', '3')])), 2n)
      assert.equal((await fetch(c, 't', 0, 0n)).highWatermark, 0n, 'the empty partition has a log after restart')
    } finally {
      c.close()
      await broker.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
