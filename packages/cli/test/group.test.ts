import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka } from 'kafkajs'
import { runOk, silentKafkaJsLogCreator, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'
import { cli, cliOk, removeHome, rows } from './helpers/cli.js'

// `tributary group ...`: a kafkajs member is the live consumer the CLI
// describes; kafkajs' admin reads back the offsets `seek --execute` wrote.
describe('tributary group', () => {
  let broker: TestBroker
  let kafka: Kafka
  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 1, 'group.initial.rebalance.delay.ms': 0 })
    kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'cli-test', logCreator: silentKafkaJsLogCreator })
    await cliOk(broker.bootstrap, ['topic', 'create', 'events', '-p', '2'])
    await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', 'events', '-p', '0'], { input: 'a\nb\nc\nd\n' })
    await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', 'events', '-p', '1'], { input: 'e\nf\n' })
  })
  after(async () => { await broker.close(); removeHome() })

  async function committed (groupId: string): Promise<Record<number, string>> {
    const admin = kafka.admin()
    await admin.connect()
    try {
      const [t] = await admin.fetchOffsets({ groupId, topics: ['events'] })
      return Object.fromEntries(t!.partitions.map(p => [p.partition, p.offset]))
    } finally { await admin.disconnect() }
  }

  test('describe shows a live kafkajs member, its assignment and the lag per partition; list shows the group', async () => {
    await cliOk(broker.bootstrap, ['consume', 'events', '-g', 'live', '-o', 'beginning', '-n', '1'])
    const consumer = kafka.consumer({ groupId: 'live', sessionTimeout: 6000, heartbeatInterval: 500 })
    await consumer.connect()
    try {
      await consumer.subscribe({ topic: 'events' })
      let joined!: () => void
      const isJoined = new Promise<void>(resolve => { joined = resolve })
      consumer.on(consumer.events.GROUP_JOIN, () => joined())
      // Never processes a record: the lag stays what the CLI committed.
      await consumer.run({ autoCommit: false, eachMessage: async () => { await new Promise(resolve => setTimeout(resolve, 60_000)) } })
      await withTimeout(isJoined, 15_000, 'kafkajs join')
      await consumer.pause([{ topic: 'events' }])
      const r = await cliOk(broker.bootstrap, ['group', 'describe', 'live'])
      const t = rows(r.stdout)
      assert.deepEqual(t[0], ['GROUP', 'COORDINATOR', 'STATE', 'TYPE', 'PROTOCOL', 'MEMBERS', 'TOTAL-LAG'])
      assert.deepEqual(t[1]!.slice(0, 6), ['live', '1', 'Stable', 'classic', 'RoundRobinAssigner', '1'])
      assert.deepEqual(t[3]!, ['MEMBER-ID', 'CLIENT-ID', 'HOST', 'ASSIGNMENT'])
      assert.deepEqual(t[4]!.slice(1), ['cli-test', t[4]![2]!, 'events:0,1'])
      assert.match(t[4]![0]!, /^cli-test-/)
      const j = JSON.parse((await cliOk(broker.bootstrap, ['group', 'describe', 'live', '--format', 'json'])).stdout) as { members: Array<{ clientId: string }>, partitions: Array<{ partition: number, currentOffset: number | null, logEndOffset: number, lag: number | null, clientId: string | null }> }
      assert.equal(j.members.length, 1)
      assert.equal(j.members[0]!.clientId, 'cli-test')
      const byPartition = Object.fromEntries(j.partitions.map(p => [p.partition, p]))
      assert.equal(byPartition[0]!.logEndOffset, 4)
      assert.equal(byPartition[1]!.logEndOffset, 2)
      assert.ok(j.partitions.every(p => p.clientId === 'cli-test'), 'both partitions are assigned to the kafkajs member')
      // The CLI printed one record from partition 0 or 1 and committed it.
      const committedLag = j.partitions.filter(p => p.currentOffset !== null)
      assert.equal(committedLag.length, 1)
      assert.equal(committedLag[0]!.currentOffset, 1)
      assert.equal(committedLag[0]!.lag, committedLag[0]!.logEndOffset - 1)
      const internal = rows((await cliOk(broker.bootstrap, ['topic', 'list', '--internal'])).stdout).map(r => r[0])
      assert.ok(internal.includes('__consumer_offsets'))
      assert.ok(!rows((await cliOk(broker.bootstrap, ['topic', 'list'])).stdout).some(r => r[0] === '__consumer_offsets'))
      const list = await cliOk(broker.bootstrap, ['group', 'list'])
      assert.ok(rows(list.stdout).some(row => row[0] === 'live' && row[1] === 'Stable'))
      // An active group's offsets cannot be reset, nor the group deleted.
      const seek = await cli(broker.bootstrap, ['group', 'seek', 'live', '--to', 'earliest', '--execute'])
      assert.equal(seek.code, 1)
      assert.match(seek.stderr, /has 1 active member\(s\)[^\n]*\n {2}hint: stop its consumers/)
      const del = await cli(broker.bootstrap, ['group', 'delete', 'live'])
      assert.equal(del.code, 1)
      assert.match(del.stdout, /live\s+NON_EMPTY_GROUP/)
    } finally {
      await consumer.disconnect()
    }
  })

  test('seek: dry run by default, then earliest, latest, an offset, a timestamp and a shift with --execute', async () => {
    await cliOk(broker.bootstrap, ['consume', 'events', '-g', 'reset', '-o', 'beginning', '-e'])
    assert.deepEqual(await committed('reset'), { 0: '4', 1: '2' })
    const dry = await cliOk(broker.bootstrap, ['group', 'seek', 'reset', '--to', 'earliest'])
    assert.deepEqual(rows(dry.stdout), [['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'NEW-OFFSET'], ['reset', 'events', '0', '4', '0'], ['reset', 'events', '1', '2', '0']])
    assert.match(dry.stderr, /dry run: nothing changed; add --execute to apply/)
    assert.deepEqual(await committed('reset'), { 0: '4', 1: '2' }, 'the dry run changed nothing')
    await cliOk(broker.bootstrap, ['group', 'seek', 'reset', '--to', 'earliest', '--execute'])
    assert.deepEqual(await committed('reset'), { 0: '0', 1: '0' })
    await cliOk(broker.bootstrap, ['group', 'seek', 'reset', '--shift-by', '3', '--execute'])
    assert.deepEqual(await committed('reset'), { 0: '3', 1: '2' }, 'shifts stay within the log')
    await cliOk(broker.bootstrap, ['group', 'seek', 'reset', '--to', '1', '--topic', 'events:1', '--execute'])
    assert.deepEqual(await committed('reset'), { 0: '3', 1: '1' })
    await cliOk(broker.bootstrap, ['group', 'seek', 'reset', '--shift-by', '-2', '--execute', '--topic', 'events:0'])
    assert.deepEqual(await committed('reset'), { 0: '1', 1: '1' })
    await cliOk(broker.bootstrap, ['group', 'seek', 'reset', '--to', 'latest', '--execute'])
    assert.deepEqual(await committed('reset'), { 0: '4', 1: '2' })
    const future = Date.now() + 3_600_000
    const j = JSON.parse((await cliOk(broker.bootstrap, ['group', 'seek', 'reset', '--to', '@0', '--format', 'json', '--execute'])).stdout) as { executed: boolean, offsets: Array<{ partition: number, newOffset: number }> }
    assert.equal(j.executed, true)
    assert.deepEqual(j.offsets.map(o => o.newOffset), [0, 0], 'every record is after time 0')
    await cliOk(broker.bootstrap, ['group', 'seek', 'reset', '--to', `@${future}`, '--execute'])
    assert.deepEqual(await committed('reset'), { 0: '4', 1: '2' }, 'a time after the last record is the log end')
    // The group reads from where seek put it.
    await cliOk(broker.bootstrap, ['group', 'seek', 'reset', '--to', '3', '--topic', 'events:0', '--execute'])
    const rest = await cliOk(broker.bootstrap, ['consume', 'events', '-g', 'reset', '-e'])
    assert.equal(rest.stdout, 'd\n')
    const bad = await cli(broker.bootstrap, ['group', 'seek', 'reset'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /exactly one of --to or --shift-by/)
  })

  test('delete removes an inactive group; kafkajs no longer lists it; unknown groups are reported', async () => {
    const r = await cliOk(broker.bootstrap, ['group', 'delete', 'reset'])
    assert.deepEqual(rows(r.stdout), [['GROUP', 'STATUS'], ['reset', 'OK']])
    const admin = kafka.admin()
    await admin.connect()
    try {
      const { groups } = await admin.listGroups()
      assert.ok(!groups.some(g => g.groupId === 'reset'))
    } finally { await admin.disconnect() }
    const missing = await cli(broker.bootstrap, ['group', 'describe', 'reset'])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /group 'reset' does not exist\n {2}hint: list groups with `tributary group list`/)
  })
})
