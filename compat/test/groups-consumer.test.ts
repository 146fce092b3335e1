// KIP-848 consumer groups (ConsumerGroupHeartbeat) driven by real clients:
// @platformatic/kafka (groupProtocol 'consumer') and
// @confluentinc/kafka-javascript (librdkafka 2.15, group.protocol=consumer).
// Members join and split the partitions, a third joins, one leaves and one
// is killed; a sampler checks all along that no partition is owned by two
// members at once, and every message is consumed and committed. The group is
// read back with ConsumerGroupDescribe and ListGroups over the raw protocol.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Kafka, logLevel } from 'kafkajs'
import { ErrorCode } from '@tributary/protocol'
import { ConsumerGroupDescribeApi, ListGroupsApi, OffsetFetchApi } from '@tributary/protocol/apis'
import { silentKafkaJsLogCreator, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'
import { makeMember, type ClientName, type Member } from './helpers/group-members.js'
import { RawClient } from './helpers/raw-client.js'

const T = 30_000
const PARTITIONS = 6
const PER_PARTITION = 5
const SESSION_TIMEOUT_MS = 6000
const CHILD = fileURLToPath(new URL('./helpers/group-members.js', import.meta.url))

async function waitFor (what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 25_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** Samples the members' own views every 20 ms and remembers any partition two of them claimed at once. */
class OwnershipSampler {
  readonly violations: string[] = []
  readonly members = new Set<{ name: string, assignment: () => string[] }>()
  private readonly timer: NodeJS.Timeout
  constructor () {
    this.timer = setInterval(() => {
      const owner = new Map<string, string>()
      for (const m of this.members) {
        for (const p of m.assignment()) {
          const prev = owner.get(p)
          if (prev !== undefined) this.violations.push(`${p} owned by ${prev} and ${m.name}`)
          owner.set(p, m.name)
        }
      }
    }, 20)
  }

  stop (): void { clearInterval(this.timer) }
}

/** A member in a child process, to be killed without leaving. */
class ChildMember {
  private current: string[] = []
  readonly name: string
  constructor (readonly child: ChildProcess, name: string) {
    this.name = name
    let buf = ''
    child.stdout!.on('data', (b: Buffer) => {
      buf += b.toString('utf8')
      let i: number
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i); buf = buf.slice(i + 1)
        try { this.current = JSON.parse(line).assignment } catch {}
      }
    })
    child.stderr!.on('data', () => {})
  }

  assignment (): string[] { return this.current }
  kill (): void { this.child.kill('SIGKILL'); this.current = [] }
}

function describeClient (client: ClientName, label: string): void {
  describe(`${label}: KIP-848 consumer group`, () => {
    let broker: TestBroker
    let raw: RawClient
    const topic = `kip848-${client}`
    const groupId = `g-${client}`
    const members: Member[] = []
    const children: ChildMember[] = []
    let sampler: OwnershipSampler

    const all = (): string[] => Array.from({ length: PARTITIONS }, (_, p) => `${topic}:${p}`)
    const union = (ms: Iterable<{ assignment: () => string[] }>): string[] => [...new Set([...ms].flatMap(m => m.assignment()))].sort()
    const describeGroup = async () => {
      const r = await raw.request(ConsumerGroupDescribeApi, 0, { groupIds: [groupId], includeAuthorizedOperations: false })
      return r.body.groups[0]!
    }

    before(async () => {
      broker = await startTestBroker({
        'num.partitions': PARTITIONS,
        'offsets.topic.num.partitions': 3,
        'group.consumer.heartbeat.interval.ms': 500,
        'group.consumer.session.timeout.ms': SESSION_TIMEOUT_MS
      })
      raw = await RawClient.connect(broker.host, broker.port)
      const kafka = new Kafka({ clientId: 'compat-kip848', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, logCreator: silentKafkaJsLogCreator })
      const admin = kafka.admin()
      await withTimeout(admin.connect(), T, 'connect')
      await withTimeout(admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] }), T, 'createTopics')
      await admin.disconnect()
      const producer = kafka.producer()
      await withTimeout(producer.connect(), T, 'connect')
      for (let p = 0; p < PARTITIONS; p++) {
        await withTimeout(producer.send({ topic, acks: -1, messages: Array.from({ length: PER_PARTITION }, (_, i) => ({ partition: p, value: `p${p}-m${i}` })) }), T, 'send')
      }
      await producer.disconnect()
      sampler = new OwnershipSampler()
    })

    after(async () => {
      sampler?.stop()
      for (const c of children) c.kill()
      for (const m of members) await withTimeout(m.close(), T, 'close').catch(() => {})
      raw?.close()
      await broker?.close()
    })

    test('two members split the partitions and consume every message; a third joins and gets its share', async () => {
      for (const name of ['m1', 'm2']) {
        const m = await withTimeout(makeMember(client, { bootstrap: broker.bootstrap, groupId, topics: [topic], name }), T, `${name} joins`)
        members.push(m)
        sampler.members.add(m)
      }
      await waitFor('two members owning 3 partitions each', () => members.every(m => m.assignment().length === 3) && union(members).length === PARTITIONS)
      assert.deepEqual(union(members), all())
      await waitFor('every message consumed', () => new Set(members.flatMap(m => [...m.seen])).size === PARTITIONS * PER_PARTITION)

      const m3 = await withTimeout(makeMember(client, { bootstrap: broker.bootstrap, groupId, topics: [topic], name: 'm3' }), T, 'm3 joins')
      members.push(m3)
      sampler.members.add(m3)
      await waitFor('three members owning 2 partitions each', () => members.every(m => m.assignment().length === 2) && union(members).length === PARTITIONS)
      assert.deepEqual(union(members), all())

      // The coordinator's view matches the clients' once the group is stable.
      await waitFor('a Stable group', async () => (await describeGroup()).groupState === 'Stable')
      const g = await describeGroup()
      assert.equal(g.errorCode, ErrorCode.NONE)
      assert.equal(g.members.length, 3)
      assert.equal(g.assignorName, 'uniform')
      assert.equal(g.assignmentEpoch, g.groupEpoch)
      for (const m of g.members) {
        assert.equal(m.memberEpoch, g.groupEpoch)
        assert.equal(m.assignment.topicPartitions.reduce((n, t) => n + t.partitions.length, 0), 2)
        assert.deepEqual(m.subscribedTopicNames, [topic])
      }
      const clientIds = g.members.map(m => m.clientId).sort()
      assert.deepEqual(clientIds, ['m1', 'm2', 'm3'])
      const listed = await raw.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: ['consumer'] })
      assert.deepEqual(listed.body.groups.map(x => [x.groupId, x.protocolType, x.groupState, x.groupType]), [[groupId, 'consumer', 'Stable', 'consumer']])
      assert.deepEqual(sampler.violations, [])
    })

    test('a member that leaves hands its partitions to the others', async () => {
      const m3 = members.pop()!
      sampler.members.delete(m3)
      await withTimeout(m3.close(), T, 'm3 leaves')
      await waitFor('two members owning 3 partitions each', () => members.every(m => m.assignment().length === 3) && union(members).length === PARTITIONS)
      await waitFor('the coordinator forgot m3', async () => {
        const g = await describeGroup()
        return g.members.length === 2 && g.groupState === 'Stable'
      })
      assert.deepEqual(sampler.violations, [])
    })

    test('a killed member is fenced after the session timeout and its partitions move', async () => {
      const child = new ChildMember(spawn(process.execPath, [CHILD, client, broker.bootstrap, groupId, topic], { stdio: ['ignore', 'pipe', 'pipe'] }), 'killed')
      children.push(child)
      sampler.members.add(child)
      await waitFor('the child owning 2 partitions', () => child.assignment().length === 2 && members.every(m => m.assignment().length === 2), 40_000)
      const killedAt = Date.now()
      child.kill()
      sampler.members.delete(child)
      await waitFor('the survivors owning every partition', () => members.every(m => m.assignment().length === 3) && union(members).length === PARTITIONS, SESSION_TIMEOUT_MS + 20_000)
      // Not before the session timeout: nobody else may take a live member's partitions.
      assert.ok(Date.now() - killedAt >= SESSION_TIMEOUT_MS - 1000, `moved after ${Date.now() - killedAt} ms`)
      const g = await describeGroup()
      assert.equal(g.members.length, 2)
      assert.deepEqual(sampler.violations, [])
    })

    test('the members committed what they consumed, with their member epochs', async () => {
      await waitFor('committed offsets at the end of every partition', async () => {
        const r = await raw.request(OffsetFetchApi, 8, { groups: [{ groupId, memberId: null, memberEpoch: -1, topics: [{ name: topic, partitionIndexes: Array.from({ length: PARTITIONS }, (_, p) => p) }] }], requireStable: false })
        const offsets = r.body.groups[0]!.topics[0]!.partitions.map(p => p.committedOffset)
        return offsets.every(o => o === BigInt(PER_PARTITION))
      })
      for (const m of members.splice(0)) await withTimeout(m.close(), T, 'close')
      await waitFor('an Empty group', async () => (await describeGroup()).groupState === 'Empty')
      assert.deepEqual(sampler.violations, [])
    })
  })
}

describeClient('platformatic', '@platformatic/kafka')
describeClient('confluent', '@confluentinc/kafka-javascript')

describe('@confluentinc/kafka-javascript: a regex subscription (SubscribedTopicRegex, ConsumerGroupHeartbeat v1)', () => {
  let broker: TestBroker
  let member: Member | undefined
  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 2, 'offsets.topic.num.partitions': 3, 'group.consumer.heartbeat.interval.ms': 500 })
  })
  after(async () => {
    if (member !== undefined) await withTimeout(member.close(), T, 'close').catch(() => {})
    await broker?.close()
  })

  test('matches whole topic names, and picks up a topic created later', async () => {
    const kafka = new Kafka({ clientId: 'compat-kip848-rx', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, logCreator: silentKafkaJsLogCreator })
    const admin = kafka.admin()
    await withTimeout(admin.connect(), T, 'connect')
    try {
      await withTimeout(admin.createTopics({ topics: ['rx-a', 'rx-b', 'other-rx-a'].map(t => ({ topic: t, numPartitions: 2 })) }), T, 'createTopics')
      member = await withTimeout(makeMember('confluent', { bootstrap: broker.bootstrap, groupId: 'g-rx', topics: [/^rx-.*/], name: 'rx' }), T, 'join')
      await waitFor('rx-a and rx-b assigned', () => member!.assignment().join(',') === 'rx-a:0,rx-a:1,rx-b:0,rx-b:1')
      await withTimeout(admin.createTopics({ topics: [{ topic: 'rx-c', numPartitions: 1 }] }), T, 'createTopics')
      await waitFor('rx-c assigned too', () => member!.assignment().join(',') === 'rx-a:0,rx-a:1,rx-b:0,rx-b:1,rx-c:0')
    } finally {
      await admin.disconnect()
    }
  })
})

describe('@confluentinc/kafka-javascript: a static member (group.instance.id) restarts without moving partitions', () => {
  let broker: TestBroker
  let raw: RawClient
  const members: Member[] = []
  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 4, 'offsets.topic.num.partitions': 3, 'group.consumer.heartbeat.interval.ms': 500 })
    raw = await RawClient.connect(broker.host, broker.port)
  })
  after(async () => {
    for (const m of members) await withTimeout(m.close(), T, 'close').catch(() => {})
    raw?.close()
    await broker?.close()
  })

  test('leaving with epoch -2 keeps its partitions; the next instance gets them back in the same group epoch', async () => {
    const kafka = new Kafka({ clientId: 'compat-kip848-static', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, logCreator: silentKafkaJsLogCreator })
    const admin = kafka.admin()
    await withTimeout(admin.connect(), T, 'connect')
    await withTimeout(admin.createTopics({ topics: [{ topic: 'st', numPartitions: 4 }] }), T, 'createTopics')
    await admin.disconnect()
    const describeGroup = async () => (await raw.request(ConsumerGroupDescribeApi, 0, { groupIds: ['g-static'], includeAuthorizedOperations: false })).body.groups[0]!
    const s1 = await withTimeout(makeMember('confluent', { bootstrap: broker.bootstrap, groupId: 'g-static', topics: ['st'], name: 's1', instanceId: 'instance-1' }), T, 's1 joins')
    const d = await withTimeout(makeMember('confluent', { bootstrap: broker.bootstrap, groupId: 'g-static', topics: ['st'], name: 'd' }), T, 'd joins')
    members.push(d)
    await waitFor('two members owning 2 partitions each', () => s1.assignment().length === 2 && d.assignment().length === 2)
    await waitFor('a Stable group', async () => (await describeGroup()).groupState === 'Stable')
    const before = await describeGroup()
    const mine = s1.assignment()
    assert.equal(before.members.find(m => m.clientId === 's1')!.instanceId, 'instance-1')

    await withTimeout(s1.close(), T, 's1 closes')
    await waitFor('s1 at epoch -2', async () => (await describeGroup()).members.find(m => m.instanceId === 'instance-1')?.memberEpoch === -2)
    // Nobody takes the partitions of a static member that is away.
    await new Promise(resolve => setTimeout(resolve, 1500))
    assert.equal(d.assignment().length, 2)
    assert.equal((await describeGroup()).groupEpoch, before.groupEpoch)

    const s2 = await withTimeout(makeMember('confluent', { bootstrap: broker.bootstrap, groupId: 'g-static', topics: ['st'], name: 's2', instanceId: 'instance-1' }), T, 's2 joins')
    members.push(s2)
    await waitFor('the new instance owning the same partitions', () => s2.assignment().join(',') === mine.join(','))
    const afterRejoin = await describeGroup()
    assert.equal(afterRejoin.groupEpoch, before.groupEpoch)
    assert.deepEqual(afterRejoin.members.map(m => m.clientId).sort(), ['d', 's2'])
    assert.equal(d.assignment().length, 2)
  })
})
