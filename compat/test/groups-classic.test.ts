// Kafka's classic consumer group protocol (JoinGroup, SyncGroup, Heartbeat,
// LeaveGroup, DescribeGroups) driven by real consumers: kafkajs,
// confluent-kafka-python (librdkafka, eager and cooperative-sticky),
// kafka-python and @platformatic/kafka. After every rebalance each partition
// of the topic must be owned by exactly one member; crashed members lose
// their partitions after their session timeout; a restarted static member
// gets its partitions back without the others rebalancing.
import { after, before, beforeEach, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import diagnostics_channel from 'node:diagnostics_channel'
import { Consumer as PlatformaticConsumer } from '@platformatic/kafka'
import { Kafka, logLevel, type Consumer } from 'kafkajs'
import { silentKafkaJsLogCreator, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'
import { CONFLUENT_MEMBER, KAFKA_PYTHON_MEMBER, PythonMember, splitsExactly } from './helpers/groups-python.js'

const T = 30_000
const PARTITIONS = 6
const API_NAMES: Record<number, string> = { 11: 'JoinGroup', 12: 'Heartbeat', 13: 'LeaveGroup', 14: 'SyncGroup' }

/** The group API versions the clients of the current test sent (from the broker's request diagnostics channel). */
const seen = new Set<string>()
diagnostics_channel.subscribe('tributary:request:start', (msg: unknown) => {
  const { apiKey, version } = msg as { apiKey: number, version: number }
  const name = API_NAMES[apiKey]
  if (name !== undefined) seen.add(`${name} v${version}`)
})
function maxVersion (api: string): number {
  return Math.max(-1, ...[...seen].filter(s => s.startsWith(api + ' ')).map(s => Number(s.split(' v')[1])))
}

/** The partitions of `topic` in a consumer-protocol assignment (ConsumerProtocolAssignment, any version). */
function assignedPartitions (buf: Buffer, topic: string): number[] {
  if (buf.length < 6) return []
  let o = 2
  const topics = buf.readInt32BE(o); o += 4
  const out: number[] = []
  for (let i = 0; i < topics; i++) {
    const len = buf.readInt16BE(o); o += 2
    const name = buf.toString('utf8', o, o + len); o += len
    const n = buf.readInt32BE(o); o += 4
    for (let j = 0; j < n; j++) { const p = buf.readInt32BE(o); o += 4; if (name === topic) out.push(p) }
  }
  return out.sort((a, b) => a - b)
}

async function until (pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

describe('classic consumer groups with real clients', () => {
  let broker: TestBroker
  let kafka: Kafka
  const members: PythonMember[] = []
  const kafkajsConsumers: Consumer[] = []

  function python (name: string, script: string, args: string[]): PythonMember {
    const m = new PythonMember(name, script, args)
    members.push(m)
    return m
  }

  /** DescribeGroups through kafkajs: state and each member's partitions of `topic`. */
  async function describeGroup (groupId: string, topic: string): Promise<{ state: string, protocol: string, owned: number[][] }> {
    const admin = kafka.admin()
    await withTimeout(admin.connect(), T, 'admin connect')
    try {
      const { groups: [g] } = await withTimeout(admin.describeGroups([groupId]), T, 'describeGroups')
      return { state: g!.state, protocol: g!.protocol, owned: g!.members.map(m => assignedPartitions(m.memberAssignment, topic)) }
    } finally {
      await admin.disconnect()
    }
  }

  /** Waits until DescribeGroups shows the group Stable with `n` members splitting the topic exactly. */
  async function stableSplit (groupId: string, topic: string, n: number): Promise<number[][]> {
    let last: number[][] = []
    await until(async () => {
      const d = await describeGroup(groupId, topic)
      last = d.owned
      return d.state === 'Stable' && d.owned.length === n && splitsExactly(d.owned, PARTITIONS)
    }, T, `group ${groupId} Stable with ${n} members splitting ${topic}`)
    return last
  }

  before(async () => {
    broker = await startTestBroker({
      'num.partitions': PARTITIONS,
      'offsets.topic.num.partitions': 3,
      'group.initial.rebalance.delay.ms': 0,
      'group.min.session.timeout.ms': 1000
    })
    kafka = new Kafka({ clientId: 'compat-groups', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, logCreator: silentKafkaJsLogCreator, retry: { retries: 5 } })
    const admin = kafka.admin()
    await withTimeout(admin.connect(), T, 'admin connect')
    await withTimeout(admin.createTopics({ topics: ['kjs', 'eager', 'coop', 'crash', 'static', 'mixed'].map(topic => ({ topic, numPartitions: PARTITIONS })) }), T, 'createTopics')
    await admin.disconnect()
    const producer = kafka.producer()
    await withTimeout(producer.connect(), T, 'producer connect')
    await withTimeout(producer.send({ topic: 'kjs', acks: -1, messages: Array.from({ length: 60 }, (_, i) => ({ partition: i % PARTITIONS, value: `m${i}` })) }), T, 'send')
    await producer.disconnect()
  })

  beforeEach(() => { seen.clear() })

  after(async () => {
    await Promise.allSettled(members.map(async m => await m.kill()))
    await Promise.allSettled(kafkajsConsumers.map(async c => await withTimeout(c.disconnect(), T, 'disconnect')))
    await broker?.close()
  })

  test('kafkajs: two then three consumers split 6 partitions, each partition owned once after every rebalance, every message read once', async () => {
    const latest: Array<number[] | null> = []
    const consumed: string[] = []
    const start = async (i: number): Promise<Consumer> => {
      // A short fetch wait: kafkajs heartbeats (and so learns of a rebalance) between fetches.
      const c = kafka.consumer({ groupId: 'kjs-group', sessionTimeout: 10_000, heartbeatInterval: 500, rebalanceTimeout: 10_000, maxWaitTimeInMs: 500 })
      kafkajsConsumers.push(c)
      latest[i] = null
      c.on(c.events.GROUP_JOIN, e => { latest[i] = e.payload.memberAssignment.kjs ?? [] })
      await withTimeout(c.connect(), T, 'connect')
      await withTimeout(c.subscribe({ topic: 'kjs', fromBeginning: true }), T, 'subscribe')
      await withTimeout(c.run({ eachMessage: async ({ partition, message }) => { consumed.push(`${partition}:${message.value!.toString()}`) } }), T, 'run')
      return c
    }
    const live = (): number[][] => latest.filter((a): a is number[] => a !== null)
    await start(0)
    await start(1)
    await until(() => live().length === 2 && splitsExactly(live(), PARTITIONS), T, 'two kafkajs consumers split the topic')
    assert.deepEqual((await stableSplit('kjs-group', 'kjs', 2)).map(a => a.length).sort(), [3, 3])
    await start(2)
    await until(() => live().length === 3 && splitsExactly(live(), PARTITIONS) && live().every(a => a.length === 2), T, 'three kafkajs consumers split the topic')
    const described = await stableSplit('kjs-group', 'kjs', 3)
    assert.deepEqual(described.map(a => a.join(',')).sort(), live().map(a => a.join(',')).sort(), 'DescribeGroups shows what the members were given')
    assert.equal((await describeGroup('kjs-group', 'kjs')).protocol, 'RoundRobinAssigner')
    process.stderr.write(`kafkajs group API versions: ${[...seen].sort().join(', ')}\n`)
    await until(() => consumed.length >= 60, T, 'all 60 messages consumed')
    assert.deepEqual(new Set(consumed).size, 60)
    // The members commit with their generation (OffsetCommit checks it against the group): all 10 of each partition.
    const admin = kafka.admin()
    await withTimeout(admin.connect(), T, 'admin connect')
    try {
      await until(async () => {
        const [t] = await withTimeout(admin.fetchOffsets({ groupId: 'kjs-group', topics: ['kjs'] }), T, 'fetchOffsets')
        return t!.partitions.length === PARTITIONS && t!.partitions.every(p => p.offset === '10')
      }, T, 'committed offsets at the end of every partition')
    } finally {
      await admin.disconnect()
    }
    // One leaves (LeaveGroup): the other two take its partitions at once.
    await withTimeout(kafkajsConsumers[0]!.disconnect(), T, 'disconnect')
    latest[0] = null
    await until(() => splitsExactly(live(), PARTITIONS) && live().every(a => a.length === 3), T, 'two left after a LeaveGroup')
    await stableSplit('kjs-group', 'kjs', 2)
  })

  test('confluent-kafka-python (range): two then three member processes split the topic', async () => {
    const args = (): string[] => [broker.bootstrap, 'eager-group', 'eager', 'range', '', '10000']
    const a = python('eager-a', CONFLUENT_MEMBER, args())
    const b = python('eager-b', CONFLUENT_MEMBER, args())
    await until(() => splitsExactly([a.owned(), b.owned()], PARTITIONS), T, 'two librdkafka members split the topic')
    await stableSplit('eager-group', 'eager', 2)
    const c = python('eager-c', CONFLUENT_MEMBER, args())
    await until(() => splitsExactly([a.owned(), b.owned(), c.owned()], PARTITIONS) && c.owned().length === 2, T, 'three librdkafka members split the topic')
    const d = await stableSplit('eager-group', 'eager', 3)
    assert.deepEqual(d.map(x => x.join(',')).sort(), [a.owned(), b.owned(), c.owned()].map(x => x.join(',')).sort())
    assert.equal((await describeGroup('eager-group', 'eager')).protocol, 'range')
    // Eager: every member gave up everything before the new assignment (revoke, then assign).
    assert.ok(a.events.some(e => e.ev === 'revoke'))
    process.stderr.write(`librdkafka group API versions: ${[...seen].sort().join(', ')}\n`)
    await Promise.all([a.stop(), b.stop(), c.stop()])
    assert.equal((await describeGroup('eager-group', 'eager')).state, 'Empty')
  })

  test('confluent-kafka-python cooperative-sticky: a third member takes partitions only from the others, who keep the rest (KIP-429)', async () => {
    const args = (): string[] => [broker.bootstrap, 'coop-group', 'coop', 'cooperative-sticky', '', '10000']
    const a = python('coop-a', CONFLUENT_MEMBER, args())
    const b = python('coop-b', CONFLUENT_MEMBER, args())
    await until(() => splitsExactly([a.owned(), b.owned()], PARTITIONS), T, 'two cooperative members split the topic')
    await stableSplit('coop-group', 'coop', 2)
    const [beforeA, beforeB] = [a.owned(), b.owned()]
    const [markA, markB] = [a.events.length, b.events.length]
    const c = python('coop-c', CONFLUENT_MEMBER, args())
    await until(() => splitsExactly([a.owned(), b.owned(), c.owned()], PARTITIONS) && [a, b, c].every(m => m.owned().length === 2), T, 'three cooperative members split the topic')
    await stableSplit('coop-group', 'coop', 3)
    assert.equal((await describeGroup('coop-group', 'coop')).protocol, 'cooperative-sticky')
    for (const [m, before, mark] of [[a, beforeA, markA], [b, beforeB, markB]] as const) {
      // They keep what they keep: the new owned set is a subset of the old, nothing was revoked and handed back.
      assert.ok(m.owned().every(p => before.includes(p)), `${m.name} keeps a subset of ${before.join(',')}: ${m.owned().join(',')}`)
      const later = m.events.slice(mark)
      assert.ok(later.every(e => e.ev !== 'lost'), `${m.name} lost nothing`)
      assert.deepEqual(later.filter(e => e.ev === 'assign').flatMap(e => e.parts), [], `${m.name} got nothing new`)
      assert.deepEqual(later.filter(e => e.ev === 'revoke').flatMap(e => e.parts!).sort(), before.filter(p => !m.owned().includes(p)).sort(), `${m.name} revoked only what moved`)
    }
    assert.ok(c.owned().every(p => !a.owned().includes(p) && !b.owned().includes(p)))
    await Promise.all([a.stop(), b.stop(), c.stop()])
  })

  test('a member killed with SIGKILL loses its partitions to the other after its session timeout (6 s)', async () => {
    const args = (): string[] => [broker.bootstrap, 'crash-group', 'crash', 'range', '', '6000']
    const a = python('crash-a', CONFLUENT_MEMBER, args())
    const b = python('crash-b', CONFLUENT_MEMBER, args())
    await until(() => splitsExactly([a.owned(), b.owned()], PARTITIONS), T, 'two members split the topic')
    await stableSplit('crash-group', 'crash', 2)
    const killedAt = Date.now()
    await b.kill()
    await until(() => a.owned().length === PARTITIONS, T, 'the survivor owns every partition')
    const elapsed = Date.now() - killedAt
    assert.ok(elapsed >= 4500, `the partitions moved after the session timeout, not before (${elapsed} ms)`)
    assert.deepEqual(await stableSplit('crash-group', 'crash', 1), [[0, 1, 2, 3, 4, 5]])
    await a.stop()
  })

  test('a static member (group.instance.id) restarts and gets its partitions back, the other member does not rebalance (KIP-345)', async () => {
    const args = (instance: string): string[] => [broker.bootstrap, 'static-group', 'static', 'range', instance, '10000']
    const a = python('static-a', CONFLUENT_MEMBER, args('instance-a'))
    const b = python('static-b', CONFLUENT_MEMBER, args('instance-b'))
    await until(() => splitsExactly([a.owned(), b.owned()], PARTITIONS), T, 'two static members split the topic')
    const before = await stableSplit('static-group', 'static', 2)
    const ownedB = b.owned()
    const markA = a.events.length
    // A crash and a quick restart, well within the 10 s session timeout.
    await b.kill()
    const b2 = python('static-b2', CONFLUENT_MEMBER, args('instance-b'))
    await b2.waitFor(() => b2.owned().length > 0, T, 'the restarted member\'s assignment')
    assert.deepEqual(b2.owned(), ownedB, 'the same partitions as before the restart')
    // Several heartbeat intervals: a rebalance would have made the other member revoke (range is eager).
    await new Promise(resolve => setTimeout(resolve, 3000))
    assert.deepEqual(a.events.slice(markA), [], 'the other member saw no rebalance')
    const after = await stableSplit('static-group', 'static', 2)
    assert.deepEqual(after.map(x => x.join(',')).sort(), before.map(x => x.join(',')).sort(), 'the stored assignment is unchanged')
    assert.ok(maxVersion('JoinGroup') >= 5, `group.instance.id needs JoinGroup v5+: ${[...seen].join(', ')}`)
    await Promise.all([a.stop(), b2.stop()])
  })

  test('@platformatic/kafka and kafka-python consumers share a group (roundrobin) and split the topic', async () => {
    let platformaticOwned: number[] = []
    const consumer = new PlatformaticConsumer({ clientId: 'compat-platformatic', bootstrapBrokers: [broker.bootstrap], groupId: 'mixed-group', sessionTimeout: 10_000, heartbeatInterval: 500, rebalanceTimeout: 10_000, autocommit: false, retries: 5 })
    consumer.on('consumer:group:join', (p: { assignments?: Array<{ topic: string, partitions: number[] }> | null }) => {
      platformaticOwned = (p.assignments ?? []).filter(a => a.topic === 'mixed').flatMap(a => a.partitions).sort((x, y) => x - y)
    })
    let stream: Awaited<ReturnType<typeof consumer.consume>> | undefined
    try {
      stream = await withTimeout(consumer.consume({ topics: ['mixed'], mode: 'earliest' }), T, 'consume')
      stream.on('data', () => {})
      await until(() => platformaticOwned.length === PARTITIONS, T, '@platformatic/kafka alone owns every partition')
      const kp = python('kafka-python', KAFKA_PYTHON_MEMBER, [broker.bootstrap, 'mixed-group', 'mixed', '10000'])
      await until(() => splitsExactly([platformaticOwned, kp.owned()], PARTITIONS) && kp.owned().length === 3, T, 'the two clients split the topic')
      const d = await stableSplit('mixed-group', 'mixed', 2)
      assert.equal((await describeGroup('mixed-group', 'mixed')).protocol, 'roundrobin')
      assert.deepEqual(d.map(x => x.join(',')).sort(), [platformaticOwned, kp.owned()].map(x => x.join(',')).sort())
      process.stderr.write(`@platformatic/kafka + kafka-python group API versions: ${[...seen].sort().join(', ')}\n`)
      // kafka-python leaves: @platformatic/kafka gets everything back.
      await kp.stop()
      await until(() => platformaticOwned.length === PARTITIONS, T, '@platformatic/kafka owns every partition again')
      await stableSplit('mixed-group', 'mixed', 1)
    } finally {
      // The stream first: the consumer refuses to leave the group while a stream consumes.
      if (stream !== undefined) await withTimeout(stream.close(), T, 'stream close')
      await withTimeout(consumer.close(), T, 'close')
    }
  })
})
