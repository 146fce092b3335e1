import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka } from 'kafkajs'
import { runOk, silentKafkaJsLogCreator, startTestBroker, type TestBroker } from '@tributary/testkit'
import { cli, cliOk, removeHome, rows } from './helpers/cli.js'

// `tributary topic ...` against an in-process broker; kcat and kafkajs
// read the results back so the CLI is not only checked against itself.
describe('tributary topic', () => {
  let broker: TestBroker
  let kafka: Kafka
  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 1 })
    kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'cli-test', logCreator: silentKafkaJsLogCreator })
  })
  after(async () => { await broker.close(); removeHome() })

  async function kcatPartitions (topic: string): Promise<number> {
    const r = await runOk('kcat', ['-b', broker.bootstrap, '-L', '-J', '-t', topic])
    const meta = JSON.parse(r.stdout) as { topics: Array<{ topic: string, partitions: unknown[] }> }
    return meta.topics.find(t => t.topic === topic)?.partitions.length ?? 0
  }

  test('create prints TOPIC STATUS; kcat sees the partitions; a second create fails with exit 1 unless --if-not-exists', async () => {
    const r = await cliOk(broker.bootstrap, ['topic', 'create', 'orders', 'payments', '-p', '3', '-c', 'retention.ms=60000'])
    assert.deepEqual(rows(r.stdout), [['TOPIC', 'STATUS'], ['orders', 'OK'], ['payments', 'OK']])
    assert.equal(await kcatPartitions('orders'), 3)
    const again = await cli(broker.bootstrap, ['topic', 'create', 'orders'])
    assert.equal(again.code, 1)
    assert.match(again.stdout, /orders\s+TOPIC_ALREADY_EXISTS/)
    const invalid = await cli(broker.bootstrap, ['topic', 'create', 'bad name!', 'fine', '-r', '1'])
    assert.equal(invalid.code, 1)
    assert.match(invalid.stdout, /bad name!\s+INVALID_TOPIC_EXCEPTION/)
    assert.match(invalid.stdout, /fine\s+OK/)
    const ok = await cli(broker.bootstrap, ['topic', 'create', 'orders', '--if-not-exists', '--format', 'json'])
    assert.equal(ok.code, 0)
    assert.deepEqual(JSON.parse(ok.stdout), [{ topic: 'orders', status: 'OK (exists)' }])
  })

  test('list as a table and as JSON', async () => {
    const r = await cliOk(broker.bootstrap, ['topic', 'list'])
    const t = rows(r.stdout)
    assert.deepEqual(t[0], ['NAME', 'PARTITIONS', 'REPLICAS'])
    assert.deepEqual(t.find(row => row[0] === 'orders'), ['orders', '3', '1'])
    const j = JSON.parse((await cliOk(broker.bootstrap, ['topic', 'ls', '--format', 'json'])).stdout) as Array<{ name: string, partitions: number }>
    assert.deepEqual(j.map(x => x.name).filter(n => !n.startsWith('__')), ['fine', 'orders', 'payments'])
  })

  test('describe shows summary, configs with their source, and partitions with offsets', async () => {
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic: 'orders', messages: [{ value: 'a', partition: 0 }, { value: 'b', partition: 0 }] })
    await producer.disconnect()
    const r = await cliOk(broker.bootstrap, ['topic', 'describe', 'orders'])
    assert.match(r.stdout, /^SUMMARY\n/)
    assert.match(r.stdout, /PARTITIONS\s+3/)
    assert.match(r.stdout, /retention\.ms\s+60000\s+DYNAMIC_TOPIC_CONFIG/)
    const j = JSON.parse((await cliOk(broker.bootstrap, ['topic', 'describe', 'orders', '--format', 'json'])).stdout) as { partitions: Array<{ partition: number, leader: number, highWatermark: number, logStartOffset: number }>, topicId: string }
    assert.equal(j.partitions.length, 3)
    assert.deepEqual(j.partitions[0], { ...j.partitions[0], partition: 0, leader: 1, highWatermark: 2, logStartOffset: 0 })
    const missing = await cli(broker.bootstrap, ['topic', 'describe', 'nope'])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /topic 'nope' does not exist\n {2}hint: list topics with `tributary topic list`/)
  })

  test('alter-config sets and removes keys; kafkajs reads them back', async () => {
    await cliOk(broker.bootstrap, ['topic', 'alter-config', 'payments', '--set', 'cleanup.policy=compact', '--set', 'retention.ms=1234'])
    await cliOk(broker.bootstrap, ['topic', 'alter-config', 'payments', '--delete', 'retention.ms'])
    const admin = kafka.admin()
    await admin.connect()
    try {
      const res = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'payments', configNames: ['cleanup.policy', 'retention.ms'] }] })
      const entries = Object.fromEntries(res.resources[0]!.configEntries.map(e => [e.configName, e.configValue]))
      assert.equal(entries['cleanup.policy'], 'compact')
      assert.equal(entries['retention.ms'], '604800000')
    } finally { await admin.disconnect() }
    const none = await cli(broker.bootstrap, ['topic', 'alter-config', 'payments'])
    assert.equal(none.code, 2)
    assert.match(none.stderr, /nothing to change/)
  })

  test('add-partitions adds N; kcat sees the new count', async () => {
    const r = await cliOk(broker.bootstrap, ['topic', 'add-partitions', 'payments', '-n', '2'])
    assert.deepEqual(rows(r.stdout)[1], ['payments', '3', '5'])
    assert.equal(await kcatPartitions('payments'), 5)
  })

  test('trim-prefix moves the log start offset; kafkajs sees the new low watermark', async () => {
    const r = await cliOk(broker.bootstrap, ['topic', 'trim-prefix', 'orders', '--offset', '1', '-p', '0'])
    assert.deepEqual(rows(r.stdout)[1], ['orders', '0', '1'])
    const admin = kafka.admin()
    await admin.connect()
    try {
      const offsets = await admin.fetchTopicOffsets('orders')
      assert.equal(offsets.find(o => o.partition === 0)!.low, '1')
    } finally { await admin.disconnect() }
    const bad = await cli(broker.bootstrap, ['topic', 'trim-prefix', 'orders', '--offset', 'x'])
    assert.equal(bad.code, 2)
  })

  test('delete reports per topic and exits 1 when one fails; kcat no longer lists it', async () => {
    const r = await cli(broker.bootstrap, ['topic', 'delete', 'payments', 'never-was'])
    assert.equal(r.code, 1)
    const t = rows(r.stdout)
    assert.deepEqual(t[1], ['payments', 'OK'])
    assert.match(t[2]![1]!, /^UNKNOWN_TOPIC_OR_PARTITION/)
    const meta = JSON.parse((await runOk('kcat', ['-b', broker.bootstrap, '-L', '-J'])).stdout) as { topics: Array<{ topic: string }> }
    assert.ok(!meta.topics.some(t => t.topic === 'payments'))
  })
})
