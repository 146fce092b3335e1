// Idempotent producers with real clients (issue 6, point 1): each writes N
// records; afterwards every partition holds each record exactly once, at
// consecutive offsets. librdkafka (confluent-kafka-python,
// enable.idempotence=True) also runs through the testkit's TCP fault proxy,
// which resets connections in the middle of requests and responses: the
// client retries batches the broker may already have appended, and the
// broker must answer those from its producer state instead of writing
// them again. kafka-python 2.0.2 has no idempotent producer, and the Java
// client is not available here (see compat/FINDINGS.md).
import diagnostics from 'node:diagnostics_channel'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka, logLevel } from 'kafkajs'
import { Producer as PlatformaticProducer, stringSerializers } from '@platformatic/kafka'
import { FaultProxy, runOk, runPython, silentKafkaJsLogCreator, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'

const T = 60_000

interface KcatMessage { partition: number, offset: number, payload: string | null }

/** Every record of `topic` (kcat, librdkafka), checked for consecutive offsets from 0 in each partition. */
async function readAll (bootstrap: string, topic: string): Promise<string[]> {
  const r = await runOk('kcat', ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-J', '-q'], { timeoutMs: T })
  const msgs = r.stdout.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as KcatMessage)
  const next = new Map<number, number>()
  for (const m of msgs) {
    assert.equal(m.offset, next.get(m.partition) ?? 0, `partition ${m.partition} has a gap or a repeat at offset ${m.offset}`)
    next.set(m.partition, m.offset + 1)
  }
  return msgs.map(m => m.payload!)
}

function assertExactlyOnce (values: string[], n: number): void {
  assert.equal(values.length, n, `expected ${n} records, got ${values.length}`)
  assert.deepEqual([...values].map(v => Number(v.slice(1))).sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i))
}

const CONFLUENT_PRODUCER = `
import json, sys
from confluent_kafka import Producer
bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'linger.ms': 2, 'batch.num.messages': 40,
              'retry.backoff.ms': 20, 'message.timeout.ms': 50000, 'socket.timeout.ms': 5000, 'reconnect.backoff.ms': 10, 'reconnect.backoff.max.ms': 200,
              'topic.metadata.refresh.interval.ms': 1000})
errors, delivered = [], [0]
def cb(err, msg):
    if err: errors.append(str(err))
    else: delivered[0] += 1
for i in range(n):
    p.produce(topic, value=('v%d' % i).encode(), partition=i % 3, on_delivery=cb)
    p.poll(0)
left = p.flush(55)
print(json.dumps({'delivered': delivered[0], 'left': left, 'errors': errors[:5]}))
`

describe('idempotent producers with real clients', () => {
  const brokers: TestBroker[] = []
  const proxies: FaultProxy[] = []
  const dirs: string[] = []
  after(async () => {
    for (const p of proxies) await p.close()
    for (const b of brokers) await b.close()
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  async function broker (options: Record<string, unknown> = {}): Promise<TestBroker> {
    const b = await startTestBroker({ 'num.partitions': 3, ...options })
    brokers.push(b)
    return b
  }

  test('confluent-kafka-python (enable.idempotence) writes 3000 records exactly once', async () => {
    const b = await broker()
    const out = JSON.parse((await runPython(CONFLUENT_PRODUCER, [b.bootstrap, 'ck-idem', '3000'], { timeoutMs: T })).trim().split('\n').pop()!) as { delivered: number, left: number, errors: string[] }
    assert.deepEqual(out, { delivered: 3000, left: 0, errors: [] })
    assertExactlyOnce(await readAll(b.bootstrap, 'ck-idem'), 3000)
  })

  test('kafkajs (idempotent: true) writes 1000 records exactly once', async () => {
    const b = await broker()
    const kafka = new Kafka({ clientId: 'idem', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, logCreator: silentKafkaJsLogCreator })
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true })
    await withTimeout(producer.connect(), T, 'connect')
    try {
      for (let i = 0; i < 1000; i += 100) {
        await withTimeout(producer.send({ topic: 'kjs-idem', messages: Array.from({ length: 100 }, (_, j) => ({ value: `v${i + j}`, partition: (i + j) % 3 })) }), T, 'send')
      }
    } finally {
      await withTimeout(producer.disconnect(), T, 'disconnect')
    }
    assertExactlyOnce(await readAll(b.bootstrap, 'kjs-idem'), 1000)
  })

  test('@platformatic/kafka (idempotent: true) writes 600 records exactly once', async () => {
    const b = await broker()
    const producer = new PlatformaticProducer({ clientId: 'idem', bootstrapBrokers: [b.bootstrap], idempotent: true, autocreateTopics: true, serializers: stringSerializers })
    try {
      for (let i = 0; i < 600; i += 50) {
        await withTimeout(producer.send({ messages: Array.from({ length: 50 }, (_, j) => ({ topic: 'plt-idem', value: `v${i + j}`, partition: (i + j) % 3 })) }), T, 'send')
      }
    } finally {
      await withTimeout(producer.close(), T, 'close')
    }
    assertExactlyOnce(await readAll(b.bootstrap, 'plt-idem'), 600)
  })

  test('confluent-kafka-python through a proxy that resets connections mid-request and mid-response: no duplicates, no gaps', async () => {
    const proxy = await FaultProxy.start({ probability: 0.08, seed: Number(process.env.TRIB_FAULT_SEED ?? 6), direction: 'both', maxFaults: 12 })
    proxies.push(proxy)
    const b = await broker({ 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` })
    proxy.setTarget('127.0.0.1', b.listeners[0]!.boundPort)
    let duplicates = 0
    const onDuplicate = (): void => { duplicates++ }
    diagnostics.subscribe('tributary:produce:duplicate', onDuplicate)
    const out = JSON.parse((await runPython(CONFLUENT_PRODUCER, [proxy.address, 'proxied', '3000'], { timeoutMs: T })).trim().split('\n').pop()!) as { delivered: number, left: number, errors: string[] }
    assert.deepEqual(out, { delivered: 3000, left: 0, errors: [] })
    diagnostics.unsubscribe('tributary:produce:duplicate', onDuplicate)
    assert.ok(proxy.faults >= 3, `only ${proxy.faults} faults were injected`)
    // Responses cut after the append make librdkafka retry batches that are already in the log.
    if (process.env.TRIB_FAULT_VERBOSE !== undefined) console.log(`faults ${proxy.faults} duplicates ${duplicates} connections ${proxy.connections}`)
    assert.ok(duplicates >= 1, `no retried batch reached the broker (${proxy.faults} faults)`)
    proxy.disarm()
    assertExactlyOnce(await readAll(proxy.address, 'proxied'), 3000)
  })

  test('confluent-kafka-python keeps producing while the broker restarts three times: the producer state survives, exactly once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tributary-idem-restarts-'))
    dirs.push(dataDir)
    // The proxy gives the broker a stable address across restarts (each restart binds a new ephemeral port).
    const proxy = await FaultProxy.start({ maxFaults: 0 })
    proxies.push(proxy)
    const options = { 'num.partitions': 3, dataDir, 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` }
    let b = await broker(options)
    proxy.setTarget('127.0.0.1', b.listeners[0]!.boundPort)
    const slowProducer = CONFLUENT_PRODUCER.replace('    p.poll(0)', '    p.poll(0)\n    if i % 10 == 0: time.sleep(0.005)').replace('import json, sys', 'import json, sys, time')
    let finished = false
    const producing = runPython(slowProducer, [proxy.address, 'restarts', '3000'], { timeoutMs: T }).finally(() => { finished = true })
    for (let i = 0; i < 3; i++) {
      await new Promise(resolve => setTimeout(resolve, 300))
      await b.close()
      b = await broker(options)
      proxy.setTarget('127.0.0.1', b.listeners[0]!.boundPort)
    }
    assert.equal(finished, false, 'the producer finished before the last restart')
    const out = JSON.parse((await producing).trim().split('\n').pop()!) as { delivered: number, left: number, errors: string[] }
    assert.deepEqual(out, { delivered: 3000, left: 0, errors: [] })
    assertExactlyOnce(await readAll(proxy.address, 'restarts'), 3000)
  })
})
