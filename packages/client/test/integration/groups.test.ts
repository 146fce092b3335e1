// subscribe() with group membership against a real broker: classic groups
// (JoinGroup/SyncGroup/Heartbeat) and KIP-848 groups
// (ConsumerGroupHeartbeat), two of our members sharing a topic, a rebalance
// when one leaves, commits fenced by generation/epoch, and a classic group
// shared with kcat (librdkafka).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka, logLevel } from 'kafkajs'
import { Admin, Consumer, Producer, type ConsumerMessage } from '../../src/index.js'
import { runOk, startTestBroker, withTimeout, type TestBroker } from '../helpers/env.js'

const PARTITIONS = 4
const PER_PARTITION = 25

async function until (what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  await withTimeout((async () => { while (!cond()) await new Promise(resolve => setTimeout(resolve, 20)) })(), ms, what)
}

/** Reads in the background into `into` until the consumer closes. */
function drain (c: Consumer, into: ConsumerMessage[]): Promise<void> {
  return (async () => { for await (const m of c) into.push(m) })().catch(() => {})
}

const ids = (ms: ConsumerMessage[]): string[] => ms.map(m => m.value!.toString()).sort()

describe('consumer groups', () => {
  let broker: TestBroker
  before(async () => {
    broker = await startTestBroker({
      'num.partitions': 1,
      'group.initial.rebalance.delay.ms': 0,
      'group.consumer.heartbeat.interval.ms': 200,
      'group.consumer.session.timeout.ms': 3000,
      'group.consumer.min.session.timeout.ms': 1000
    })
    const admin = new Admin({ brokers: [broker.bootstrap] })
    try {
      for (const t of ['g-classic', 'g-848', 'g-kcat', 'g-regex-1']) await admin.createTopics([{ name: t, numPartitions: PARTITIONS }])
    } finally {
      await admin.close()
    }
    const producer = new Producer({ brokers: [broker.bootstrap] })
    try {
      for (const t of ['g-classic', 'g-848', 'g-kcat', 'g-regex-1']) {
        for (let p = 0; p < PARTITIONS; p++) {
          await producer.send({ topic: t, messages: Array.from({ length: PER_PARTITION }, (_, i) => ({ value: `${p}-${i}`, partition: p })) })
        }
      }
    } finally {
      await producer.close()
    }
  })
  after(async () => { await broker?.close() })

  const all = Array.from({ length: PARTITIONS }, (_, p) => Array.from({ length: PER_PARTITION }, (_, i) => `${p}-${i}`)).flat().sort()

  for (const groupProtocol of ['classic', 'consumer'] as const) {
    test(`${groupProtocol} protocol: two members split the partitions, read every record once, and one takes over when the other leaves`, async () => {
      const topic = groupProtocol === 'classic' ? 'g-classic' : 'g-848'
      const groupId = `group-${groupProtocol}`
      const opts = { brokers: [broker.bootstrap], groupId, groupProtocol, maxWaitMs: 100, sessionTimeoutMs: 6000, heartbeatIntervalMs: 100, rebalanceTimeoutMs: 5000, autoCommitIntervalMs: 200 }
      const a = new Consumer(opts)
      const b = new Consumer(opts)
      const gotA: ConsumerMessage[] = []
      const gotB: ConsumerMessage[] = []
      try {
        await withTimeout(a.subscribe([topic]), 20_000, 'a joins')
        const readingA = drain(a, gotA)
        await until('a owns every partition', () => a.assignment().length === PARTITIONS)
        // b joins: the group rebalances and each member ends with half.
        const joinB = b.subscribe([topic])
        const readingB = drain(b, gotB)
        await withTimeout(joinB, 20_000, 'b joins')
        await until('the partitions are split 2/2', () => a.assignment().length === 2 && b.assignment().length === 2)
        const owned = [...a.assignment(), ...b.assignment()].map(tp => tp.partition).sort()
        assert.deepEqual(owned, [0, 1, 2, 3])
        if (groupProtocol === 'classic') {
          // DescribeGroups shows both members and their range assignments, to us and to kafkajs.
          const admin = new Admin({ brokers: [broker.bootstrap] })
          try {
            const [g] = await admin.describeGroups([groupId])
            assert.deepEqual([g!.state, g!.protocolType, g!.protocol, g!.members.length], ['Stable', 'consumer', 'range', 2])
            assert.deepEqual(g!.members.flatMap(m => m.assignment.map(tp => tp.partition)).sort(), [0, 1, 2, 3])
          } finally {
            await admin.close()
          }
          const kjs = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin()
          await kjs.connect()
          try {
            const { groups: [kg] } = await kjs.describeGroups([groupId])
            assert.deepEqual([kg!.state, kg!.protocol, kg!.members.length], ['Stable', 'range', 2])
          } finally {
            await kjs.disconnect()
          }
        } else {
          // ConsumerGroupDescribe shows both members, their epochs and assignments.
          const admin = new Admin({ brokers: [broker.bootstrap] })
          try {
            const [g] = await admin.describeConsumerGroups([groupId])
            assert.equal(g!.members.length, 2)
            assert.ok(g!.groupEpoch > 0)
            assert.deepEqual(g!.members.flatMap(m => m.targetAssignment.map(tp => `${tp.topic}-${tp.partition}`)).sort(), [0, 1, 2, 3].map(p => `${topic}-${p}`))
            assert.ok(g!.members.every(m => m.subscribedTopicNames.includes(topic)))
          } finally {
            await admin.close()
          }
        }
        await until('every record read', () => new Set([...ids(gotA), ...ids(gotB)]).size === all.length)
        await b.close()
        await readingB
        await until('a takes every partition back', () => a.assignment().length === PARTITIONS)
        // Commits carry the member's generation or epoch: the coordinator accepts them.
        await a.commit()
        const committed = await a.committed(Array.from({ length: PARTITIONS }, (_, p) => ({ topic, partition: p })))
        assert.deepEqual(committed.map(c => c.offset), Array.from({ length: PARTITIONS }, () => BigInt(PER_PARTITION)))
        await a.close()
        await readingA
      } finally {
        await a.close()
        await b.close()
      }
      assert.deepEqual([...new Set([...ids(gotA), ...ids(gotB)])].sort(), all)
    })
  }

  test('a regex subscription picks up matching topics', async () => {
    const c = new Consumer({ brokers: [broker.bootstrap], groupId: 'group-regex', maxWaitMs: 100, heartbeatIntervalMs: 100, rebalanceTimeoutMs: 5000 })
    const got: ConsumerMessage[] = []
    try {
      await withTimeout(c.subscribe(/^g-regex-/), 20_000, 'subscribe')
      const reading = drain(c, got)
      await until('every record of g-regex-1', () => got.length >= PARTITIONS * PER_PARTITION)
      assert.ok(got.every(m => m.topic === 'g-regex-1'))
      await c.close()
      await reading
    } finally {
      await c.close()
    }
  })

  test('assign() and subscribe() do not mix; subscribe needs a group id', async () => {
    const c = new Consumer({ brokers: [broker.bootstrap], groupId: 'mix' })
    try {
      c.assign([{ topic: 'g-kcat', partition: 0 }])
      await assert.rejects(c.subscribe(['g-kcat']), /cannot be mixed/)
    } finally {
      await c.close()
    }
    const d = new Consumer({ brokers: [broker.bootstrap] })
    try {
      await assert.rejects(d.subscribe(['g-kcat']), /need a groupId/)
    } finally {
      await d.close()
    }
  })

  test('classic group shared with kcat -G (librdkafka, range assignor): each gets a share, together they read everything', async () => {
    const groupId = 'group-kcat'
    const ours = new Consumer({ brokers: [broker.bootstrap], groupId, maxWaitMs: 100, heartbeatIntervalMs: 100, sessionTimeoutMs: 6000, rebalanceTimeoutMs: 5000, autoCommitIntervalMs: 100 })
    const got: ConsumerMessage[] = []
    try {
      await withTimeout(ours.subscribe(['g-kcat']), 20_000, 'ours joins')
      const reading = drain(ours, got)
      await until('ours owns every partition', () => ours.assignment().length === PARTITIONS)
      // Hold back: let kcat take its share before we read on (we already may have read some).
      const k = await runOk('kcat', ['-b', broker.bootstrap, '-G', groupId, '-X', 'partition.assignment.strategy=range', '-X', 'auto.offset.reset=earliest',
        '-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=100', '-e', '-J', '-q', 'g-kcat'], { timeoutMs: 40_000 })
      const kcat = k.stdout.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as { partition: number, payload: string })
      await until('ours owns every partition again after kcat left', () => ours.assignment().length === PARTITIONS)
      await until('every record read by one of the two', () => new Set([...ids(got), ...kcat.map(m => m.payload)]).size === all.length)
      await ours.close()
      await reading
      assert.ok(new Set(kcat.map(m => m.partition)).size <= 2, 'kcat read at most its range share')
    } finally {
      await ours.close()
    }
  })
})
