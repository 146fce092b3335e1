// DescribeLogDirs through a real third-party client: @platformatic/kafka's
// Admin.describeLogDirs (DescribeLogDirs v4, one request per broker), after
// data is written with kcat. kafka-python 2.0.2, confluent-kafka-python
// 1.7.0 and kafkajs have no DescribeLogDirs call.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { isAbsolute } from 'node:path'
import { Admin } from '@platformatic/kafka'
import { runOk, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'

const T = 30_000

describe('@platformatic/kafka describeLogDirs', () => {
  let broker: TestBroker
  let admin: Admin | undefined
  const call = <R>(p: Promise<R>, what: string): Promise<R> => withTimeout(p, T, what)

  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 2 })
    admin = new Admin({ clientId: 'tributary-compat', bootstrapBrokers: [broker.bootstrap], retries: 0, timeout: 10_000 })
  })
  after(async () => {
    if (admin !== undefined) await call(admin.close(), 'close')
    await broker?.close()
  })

  async function sizes (topics: Array<{ name: string, partitions: number[] }>): Promise<Record<string, bigint>> {
    const res = await call(admin!.describeLogDirs({ topics }), 'describeLogDirs')
    assert.equal(res.length, 1, 'one broker')
    assert.equal(res[0]!.broker, 1)
    assert.equal(res[0]!.results.length, 1, 'one log dir')
    const [dir] = res[0]!.results
    assert.ok(isAbsolute(dir!.logDir), dir!.logDir)
    assert.ok(dir!.totalBytes > 0n && dir!.usableBytes > 0n && dir!.usableBytes <= dir!.totalBytes, `${dir!.totalBytes} ${dir!.usableBytes}`)
    const out: Record<string, bigint> = {}
    for (const t of dir!.topics) {
      for (const p of t.partitions) {
        assert.deepEqual([p.offsetLag, p.isFutureKey], [0n, false])
        out[`${t.name}-${p.partitionIndex}`] = p.partitionSize
      }
    }
    return out
  }

  test('partition sizes grow with kcat writes; unknown topics and partitions are left out', async () => {
    await call(admin!.createTopics({ topics: ['logdirs'], partitions: 2, replicas: 1 }), 'createTopics')
    const wanted = [{ name: 'logdirs', partitions: [0, 1, 7] }, { name: 'missing', partitions: [0] }]
    assert.deepEqual(await sizes(wanted), { 'logdirs-0': 0n, 'logdirs-1': 0n })
    await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', 'logdirs', '-p', '1', '-K:'], { input: 'k1:v1\nk2:v2\n', timeoutMs: T })
    const after = await sizes(wanted)
    assert.equal(after['logdirs-0'], 0n)
    assert.ok(after['logdirs-1']! > 0n, String(after['logdirs-1']))
    assert.deepEqual(Object.keys(await sizes([{ name: 'logdirs', partitions: [1] }])), ['logdirs-1'])
  })
})
