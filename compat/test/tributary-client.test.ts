// Tributary's own client (@tributary/client) as one more client of the
// compatibility suite: it and kcat (librdkafka) exchange records both ways,
// with keys, headers, timestamps and every compression codec, and agree on
// where keyed records go and on committed offsets; in KIP-848 consumer
// groups its members share partitions with @platformatic/kafka's and
// @confluentinc/kafka-javascript's members.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin, Consumer, Producer, type CompressionName } from '@tributary/client'
import { runOk, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'
import { makeMember, type ClientName, type Member } from './helpers/group-members.js'

const T = 30_000

interface KcatMessage { partition: number, offset: number, key: string | null, payload: string | null, headers?: string[], ts?: number }

async function kcatConsume (broker: TestBroker, topic: string, extra: string[] = []): Promise<KcatMessage[]> {
  const r = await runOk('kcat', ['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-J', '-q', ...extra], { timeoutMs: T })
  return r.stdout.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as KcatMessage)
}

async function read (consumer: Consumer, n: number): Promise<Array<{ partition: number, offset: bigint, key: string | null, value: string | null, headers: string[], timestamp: bigint }>> {
  const out: Array<{ partition: number, offset: bigint, key: string | null, value: string | null, headers: string[], timestamp: bigint }> = []
  await withTimeout((async () => {
    for await (const m of consumer) {
      out.push({ partition: m.partition, offset: m.offset, key: m.key?.toString() ?? null, value: m.value?.toString() ?? null, headers: m.headers.flatMap(h => [h.key, h.value?.toString() ?? '']), timestamp: m.timestamp })
      if (out.length >= n) break
    }
  })(), T, `reading ${n} records`)
  return out
}

describe('@tributary/client and kcat', () => {
  let broker: TestBroker
  before(async () => { broker = await startTestBroker({ 'num.partitions': 1 }) })
  after(async () => { await broker?.close() })

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as CompressionName[]) {
    test(`our producer (${codec}) -> kcat, and kcat (${codec}) -> our consumer`, async () => {
      const out = `to-kcat-${codec}`
      const producer = new Producer({ brokers: [broker.bootstrap], compression: codec })
      try {
        await producer.send({ topic: out, messages: [
          { key: 'k1', value: 'v1', headers: { h: 'x' }, timestamp: 1700000000000 },
          { key: 'k2', value: 'v2', timestamp: 1700000000001 }
        ] })
      } finally {
        await producer.close()
      }
      const got = await kcatConsume(broker, out)
      assert.deepEqual(got.map(m => [m.offset, m.key, m.payload, m.ts]), [[0, 'k1', 'v1', 1700000000000], [1, 'k2', 'v2', 1700000000001]])
      assert.deepEqual(got[0]!.headers, ['h', 'x'])

      const back = `from-kcat-${codec}`
      await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', back, '-K:', '-H', 'h1=v1', '-z', codec], { input: 'a:1\nb:2\nc:3\n', timeoutMs: T })
      const consumer = new Consumer({ brokers: [broker.bootstrap], maxWaitMs: 100 })
      try {
        consumer.assign([{ topic: back, partition: 0, offset: 'earliest' }])
        const mine = await read(consumer, 3)
        assert.deepEqual(mine.map(m => [m.offset, m.key, m.value, m.headers]), [[0n, 'a', '1', ['h1', 'v1']], [1n, 'b', '2', ['h1', 'v1']], [2n, 'c', '3', ['h1', 'v1']]])
      } finally {
        await consumer.close()
      }
    })
  }

  test('keyed records: kcat (librdkafka murmur2_random) and our producer (Java murmur2) agree on partitions', async () => {
    const admin = new Admin({ brokers: [broker.bootstrap] })
    try {
      await admin.createTopics([{ name: 'keyed', numPartitions: 5 }])
    } finally {
      await admin.close()
    }
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`)
    await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', 'keyed', '-K:', '-X', 'partitioner=murmur2_random'], { input: keys.map(k => `${k}:kcat`).join('\n') + '\n', timeoutMs: T })
    const producer = new Producer({ brokers: [broker.bootstrap] })
    try {
      await producer.send({ topic: 'keyed', messages: keys.map(key => ({ key, value: 'ours' })) })
    } finally {
      await producer.close()
    }
    const got = await kcatConsume(broker, 'keyed')
    assert.equal(got.length, 80)
    const where = new Map<string, Set<number>>()
    for (const m of got) where.set(m.key!, (where.get(m.key!) ?? new Set()).add(m.partition))
    for (const k of keys) assert.equal(where.get(k)!.size, 1, `${k} landed in ${[...where.get(k)!]}`)
  })

  test('offsets committed by our consumer are where kcat\'s group consumer resumes', async () => {
    await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', 'resume', '-K:'], { input: Array.from({ length: 10 }, (_, i) => `k${i}:v${i}`).join('\n') + '\n', timeoutMs: T })
    const consumer = new Consumer({ brokers: [broker.bootstrap], groupId: 'shared', maxWaitMs: 100 })
    try {
      consumer.assign([{ topic: 'resume', partition: 0, offset: 0 }])
      await read(consumer, 6)
      await consumer.commit()
    } finally {
      await consumer.close()
    }
    // kcat -G would need group membership; its plain consumer reads the committed offset with -o stored.
    const got = await kcatConsume(broker, 'resume', ['-X', 'group.id=shared', '-o', 'stored', '-p', '0'])
    assert.deepEqual(got.map(m => m.payload), ['v6', 'v7', 'v8', 'v9'])
  })
})

describe('@tributary/client in KIP-848 consumer groups with other clients', () => {
  const PARTITIONS = 4
  const PER_PARTITION = 10
  let broker: TestBroker
  before(async () => {
    broker = await startTestBroker({
      'num.partitions': 1,
      'group.consumer.heartbeat.interval.ms': 200,
      'group.consumer.session.timeout.ms': 6000,
      'group.consumer.min.session.timeout.ms': 1000
    })
  })
  after(async () => { await broker?.close() })

  async function waitFor (what: string, cond: () => boolean): Promise<void> {
    await withTimeout((async () => { while (!cond()) await new Promise(resolve => setTimeout(resolve, 50)) })(), 40_000, what)
  }

  for (const client of ['platformatic', 'confluent'] as ClientName[]) {
    test(`our member and ${client}'s split the partitions without overlap and consume every record once between them`, async () => {
      const topic = `mixed-848-${client}`
      const groupId = `mixed-${client}`
      const admin = new Admin({ brokers: [broker.bootstrap] })
      try {
        await admin.createTopics([{ name: topic, numPartitions: PARTITIONS }])
      } finally {
        await admin.close()
      }
      const producer = new Producer({ brokers: [broker.bootstrap] })
      try {
        for (let p = 0; p < PARTITIONS; p++) await producer.send({ topic, messages: Array.from({ length: PER_PARTITION }, (_, i) => ({ value: `${p}-${i}`, partition: p })) })
      } finally {
        await producer.close()
      }
      const ours = new Consumer({ brokers: [broker.bootstrap], groupId, groupProtocol: 'consumer', maxWaitMs: 100, autoCommitIntervalMs: 100 })
      const seenOurs = new Set<string>()
      let theirs: Member | undefined
      const overlaps: string[] = []
      const sampler = setInterval(() => {
        if (theirs === undefined) return
        const mine = new Set(ours.assignment().map(tp => `${tp.topic}:${tp.partition}`))
        for (const p of theirs.assignment()) if (mine.has(p)) overlaps.push(p)
      }, 20)
      try {
        await withTimeout(ours.subscribe([topic]), T, 'our member joins')
        const reading = (async () => { for await (const m of ours) seenOurs.add(`${m.topic}:${m.partition}:${m.offset}`) })().catch(() => {})
        theirs = await withTimeout(makeMember(client, { bootstrap: broker.bootstrap, groupId, topics: [topic], name: client }), T, `${client} joins`)
        await waitFor('both members own partitions', () => ours.assignment().length > 0 && theirs!.assignment().length > 0 &&
          ours.assignment().length + theirs!.assignment().length === PARTITIONS)
        await waitFor('every record consumed by one of the two', () => new Set([...seenOurs, ...theirs!.seen]).size === PARTITIONS * PER_PARTITION)
        assert.deepEqual(overlaps, [], 'no partition owned by both at once')
        await theirs.close()
        theirs = undefined
        await waitFor('our member takes every partition back', () => ours.assignment().length === PARTITIONS)
        await ours.close()
        await reading
      } finally {
        clearInterval(sampler)
        await theirs?.close().catch(() => {})
        await ours.close()
      }
    })
  }
})
