// One rebalance measurement for bench/groups.mjs, with librdkafka consumers
// (@confluentinc/kafka-javascript, its KafkaJS-style API, librdkafka 2.15)
// in this process.
// argv: bootstrap topic group mode members partitions
//   mode: range (classic, eager), cooperative-sticky (classic, KIP-429),
//         consumer (KIP-848, broker-side uniform assignor)
// A producer writes to every partition in turn; members-1 consumers join
// and consume; once every partition is owned and every member has consumed,
// one more member joins at T0. The rebalance is over at the first moment
// when the assignments cover every partition exactly once and every member
// has received a record since its last assignment change. Prints one JSON
// line: {"ms": T1 - T0, "kept": partitions never revoked from their owner}.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const Kafka = require('@confluentinc/kafka-javascript')
const [bootstrap, topic, group, mode, membersArg, partitionsArg] = process.argv.slice(2)
const members = Number(membersArg)
const partitions = Number(partitionsArg)
const incremental = mode !== 'range'
const now = () => performance.now()
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))
let t0 = null

const producer = new Kafka.Producer({ 'metadata.broker.list': bootstrap, 'linger.ms': 2, 'request.required.acks': 1 })
await new Promise((resolve, reject) => { producer.connect({ timeout: 10000 }, err => err ? reject(err) : resolve()) })
let producing = true
const produceLoop = (async () => {
  let i = 0
  while (producing) {
    for (let n = 0; n < partitions; n++) {
      try { producer.produce(topic, i % partitions, Buffer.from('x')) } catch { /* queue full: next round */ }
      i++
    }
    producer.poll()
    await sleep(20)
  }
})()

class Member {
  constructor (n) {
    this.n = n
    this.owned = new Set()
    this.changed = now()
    this.consumedSinceChange = null
    this.revokedAfterT0 = new Set()
    const conf = {
      kafkaJS: { brokers: [bootstrap], groupId: group, fromBeginning: false, autoCommit: false, logLevel: Kafka.KafkaJS.logLevel.NOTHING },
      'client.id': `bench-${n}`
    }
    // KIP-848 members take their session timeout and assignor from the broker.
    if (mode === 'consumer') conf['group.protocol'] = 'consumer'
    else Object.assign(conf, { 'partition.assignment.strategy': mode, 'session.timeout.ms': 10000 })
    this.c = new Kafka.KafkaJS.Kafka({}).consumer(conf)
  }

  /**
   * The assignment as the client reports it, sampled every few ms by the
   * main loop (callbacks of the native API block the event loop under ten
   * members); a sample that differs from the last is a change.
   */
  sample () {
    if (this.closed || !this.running) return
    const owned = new Set(this.c.assignment().map(tp => tp.partition))
    if (t0 !== null) for (const p of this.owned) if (!owned.has(p)) this.revokedAfterT0.add(p)
    if (owned.size === this.owned.size && [...owned].every(p => this.owned.has(p))) return
    this.owned = owned
    this.changed = now()
    this.consumedSinceChange = null
  }

  async start () {
    await this.c.connect()
    await this.c.subscribe({ topics: [topic] })
    await this.c.run({ eachMessage: async () => { if (this.consumedSinceChange === null) this.consumedSinceChange = now() } })
    this.running = true
  }

  async close () { this.closed = true; await this.c.disconnect().catch(() => {}) }
}

const ms = []
const sampler = setInterval(() => { for (const m of ms) m.sample() }, 2)

function settled (ms) {
  let total = 0
  const all = new Set()
  for (const m of ms) {
    if (m.owned.size === 0 || m.consumedSinceChange === null) return null
    total += m.owned.size
    for (const p of m.owned) all.add(p)
  }
  if (total !== partitions || all.size !== partitions) return null
  return Math.max(...ms.map(m => m.consumedSinceChange))
}

async function waitSettled (ms, after, timeoutMs) {
  for (const m of ms) m.sample()
  const deadline = now() + timeoutMs
  while (now() < deadline) {
    const t = settled(ms)
    if (t !== null && t >= after) return t
    await sleep(5)
  }
  return null
}

let result
try {
  for (let i = 0; i < members - 1; i++) { const m = new Member(i); ms.push(m); await m.start() }
  if (await waitSettled(ms, 0, 60_000) === null) {
    result = { error: `the first ${members - 1} members never settled` }
  } else {
    await sleep(500)
    const before = ms.map(m => new Set(m.owned))
    const late = new Member(members - 1)
    ms.push(late)
    t0 = now()
    await late.start()
    const progress = process.env.BENCH_DEBUG === undefined ? null : setInterval(() => console.error(ms.map(m => `${m.owned.size}${m.consumedSinceChange === null ? '-' : '+'}`).join(' ')), 1000)
    const t1 = await waitSettled(ms, t0, 60_000)
    if (progress !== null) clearInterval(progress)
    const kept = before.reduce((n, owned, i) => n + [...owned].filter(p => !ms[i].revokedAfterT0.has(p)).length, 0)
    result = { ms: t1 === null ? null : Math.round((t1 - t0) * 10) / 10, kept }
  }
} finally {
  clearInterval(sampler)
  producing = false
  await produceLoop
  await Promise.all(ms.map(m => m.close()))
  await new Promise(resolve => producer.disconnect(() => resolve()))
}
console.log(JSON.stringify(result))
process.exit(0)
