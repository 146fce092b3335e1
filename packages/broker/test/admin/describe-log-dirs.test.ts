import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, isAbsolute } from 'node:path'
import { ErrorCode } from '@tributary/protocol'
import { DescribeLogDirsApi } from '@tributary/protocol/apis'
import type { DescribeLogDirsResponse } from '@tributary/protocol/apis/describe-log-dirs'
import { createTopics, withBroker } from './helpers.js'
import { batch, kv, produceOk } from '../data/helpers.js'

const TIMEOUT = { timeout: 30_000 }

/** topic-partition -> size, over every directory of the response. */
function sizes (res: DescribeLogDirsResponse): Map<string, bigint> {
  const out = new Map<string, bigint>()
  for (const d of res.results) {
    for (const t of d.topics) for (const p of t.partitions) out.set(`${t.name}-${p.partitionIndex}`, p.partitionSize)
  }
  return out
}

async function withDirs (n: number, fn: (dirs: string[]) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'tributary-logdirs-'))
  try {
    await fn(Array.from({ length: n }, (_, i) => join(root, `d${i}`)))
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

test('DescribeLogDirs v0-4: every partition, sizes grow with produce, lag 0, v4 byte totals', TIMEOUT, () =>
  withDirs(1, dirs => withBroker({ dataDir: dirs[0]! }, async c => {
    await createTopics(c, [{ name: 'a', partitions: 2 }, { name: 'b', partitions: 1 }])
    const before = await c.request(DescribeLogDirsApi, 4, { topics: null })
    assert.equal(before.results.length, 1)
    assert.equal(sizes(before).get('a-0'), 0n)
    await produceOk(c, 'a', 0, batch([kv('k', 'v'.repeat(100))]))
    await produceOk(c, 'a', 0, batch([kv('k', 'w'.repeat(100))]))
    await produceOk(c, 'b', 0, batch([kv('k', 'x')]))
    for (let v = 0; v <= 4; v++) {
      const res = await c.request(DescribeLogDirsApi, v, { topics: null })
      assert.equal(res.throttleTimeMs, 0)
      assert.equal(res.errorCode, ErrorCode.NONE)
      assert.equal(res.results.length, 1, `v${v}`)
      const [dir] = res.results
      assert.equal(dir!.errorCode, ErrorCode.NONE)
      assert.equal(dir!.logDir, dirs[0])
      assert.ok(isAbsolute(dir!.logDir))
      assert.deepEqual(dir!.topics.map(t => [t.name, t.partitions.map(p => p.partitionIndex).sort()]).sort(), [['a', [0, 1]], ['b', [0]]])
      for (const t of dir!.topics) {
        for (const p of t.partitions) assert.deepEqual([p.offsetLag, p.isFutureKey], [0n, false])
      }
      const s = sizes(res)
      assert.ok(s.get('a-0')! > 200n, `v${v}: a-0 is ${s.get('a-0')}`)
      assert.ok(s.get('a-0')! > s.get('b-0')!, `v${v}`)
      assert.ok(s.get('b-0')! > 0n, `v${v}`)
      assert.equal(s.get('a-1'), 0n, `v${v}`)
      if (v >= 4) {
        assert.ok(dir!.totalBytes > 0n, `total ${dir!.totalBytes}`)
        assert.ok(dir!.usableBytes > 0n && dir!.usableBytes <= dir!.totalBytes, `usable ${dir!.usableBytes}`)
      } else {
        assert.deepEqual([dir!.totalBytes, dir!.usableBytes], [-1n, -1n], 'not in the response before v4')
      }
    }
    const grown = sizes(await c.request(DescribeLogDirsApi, 2, { topics: null }))
    await produceOk(c, 'b', 0, batch([kv('k', 'y')]))
    const after = sizes(await c.request(DescribeLogDirsApi, 2, { topics: null }))
    assert.ok(after.get('b-0')! > grown.get('b-0')!)
    assert.equal(after.get('a-0'), grown.get('a-0'))
  })))

test('DescribeLogDirs filters by topic and partition; unknown ones are left out; empty list: no topics', TIMEOUT, () =>
  withBroker({}, async c => {
    await createTopics(c, [{ name: 'a', partitions: 3 }, { name: 'b', partitions: 1 }])
    await produceOk(c, 'a', 2, batch([kv('k', 'v')]))
    for (const v of [1, 3]) {
      const res = await c.request(DescribeLogDirsApi, v, {
        topics: [{ topic: 'a', partitions: [2, 0, 9] }, { topic: 'missing', partitions: [0] }]
      })
      const topics = res.results.flatMap(d => d.topics)
      assert.deepEqual(topics.map(t => [t.name, t.partitions.map(p => p.partitionIndex).sort()]), [['a', [0, 2]]], `v${v}`)
      assert.ok(sizes(res).get('a-2')! > 0n)
      const none = await c.request(DescribeLogDirsApi, v, { topics: [] })
      assert.equal(none.results.length, 1, 'the directories are still listed')
      assert.deepEqual(none.results[0]!.topics, [])
    }
  }))

test('DescribeLogDirs with two log dirs, one of them unreadable: KAFKA_STORAGE_ERROR for it', TIMEOUT, () =>
  withDirs(2, dirs => withBroker({ dataDir: dirs.join(',') }, async c => {
    await createTopics(c, [{ name: 't', partitions: 2 }])
    const res = await c.request(DescribeLogDirsApi, 4, { topics: null })
    assert.deepEqual(res.results.map(d => [d.logDir, d.errorCode]), [[dirs[0], 0], [dirs[1], 0]])
    assert.deepEqual(res.results.map(d => d.topics.flatMap(t => t.partitions.map(p => `${t.name}-${p.partitionIndex}`))).sort(), [['t-0'], ['t-1']])
    // Moved away and back: the open logs keep their files.
    await rename(dirs[1]!, `${dirs[1]!}.away`)
    try {
      const offline = await c.request(DescribeLogDirsApi, 4, { topics: null })
      const [ok, bad] = offline.results
      assert.equal(ok!.errorCode, ErrorCode.NONE)
      assert.ok(ok!.totalBytes > 0n)
      assert.deepEqual(bad, { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir: dirs[1], topics: [], totalBytes: -1n, usableBytes: -1n })
    } finally {
      await rename(`${dirs[1]!}.away`, dirs[1]!)
    }
  })))
