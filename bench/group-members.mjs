// One rebalance measurement for bench/groups.mjs, with librdkafka consumers
// (@confluentinc/kafka-javascript, its node-rdkafka API, librdkafka 2.15)
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

const producer = new Kafka.Producer({ 'metadata.broker.list': bootstrap, 'linger.ms': 2, acks: 1 })
await new Promise((resolve, reject) => { producer.connect({}, err => err ? reject(err) : resolve()); producer.once('ready', resolve) })
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
    this.owned = new Set()
    this.changed = now()
    this.consumedSinceChange = null
    this.revokedAfterT0 = new Set()
    const conf = {
      'metadata.broker.list': bootstrap,
      'group.id': group,
      'client.id': `bench-${n}`,
      'enable.auto.commit': false,
      'session.timeout.ms': 10000,
      rebalance_cb: (err, assignment) => this.rebalance(err, assignment)
    }
    if (mode === 'consumer') conf['group.protocol'] = 'consumer'
    else conf['partition.assignment.strategy'] = mode
    this.c = new Kafka.KafkaConsumer(conf, { 'auto.offset.reset': 'latest' })
    this.c.on('data', () => { if (this.consumedSinceChange === null) this.consumedSinceChange = now() })
    this.c.on('event.error', () => {})
  }

  update (owned) {
    // A callback that leaves the assignment as it was is not a change.
    if (owned.size === this.owned.size && [...owned].every(p => this.owned.has(p))) return
    this.owned = owned
    this.changed = now()
    this.consumedSinceChange = null
  }

  rebalance (err, assignment) {
    const parts = new Set(assignment.map(a => a.partition))
    if (err.code === Kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS) {
      if (incremental) this.c.incrementalAssign(assignment); else this.c.assign(assignment)
      this.update(incremental ? new Set([...this.owned, ...parts]) : parts)
    } else {
      if (t0 !== null) for (const p of parts) this.revokedAfterT0.add(p)
      if (incremental) this.c.incrementalUnassign(assignment); else this.c.unassign()
      this.update(incremental ? new Set([...this.owned].filter(p => !parts.has(p))) : new Set())
    }
  }

  async start () {
    await new Promise((resolve, reject) => { this.c.connect({}, err => err ? reject(err) : resolve()) })
    this.c.subscribe([topic])
    this.c.consume()
  }

  close () { return new Promise(resolve => this.c.disconnect(() => resolve())) }
}

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
  const deadline = now() + timeoutMs
  while (now() < deadline) {
    const t = settled(ms)
    if (t !== null && t >= after) return t
    await sleep(5)
  }
  return null
}

const ms = []
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
    const t1 = await waitSettled(ms, t0, 60_000)
    const kept = before.reduce((n, owned, i) => n + [...owned].filter(p => !ms[i].revokedAfterT0.has(p)).length, 0)
    result = { ms: t1 === null ? null : Math.round((t1 - t0) * 10) / 10, kept }
  }
} finally {
  producing = false
  await produceLoop
  await Promise.all(ms.map(m => m.close()))
  await new Promise(resolve => producer.disconnect(() => resolve()))
}
console.log(JSON.stringify(result))
process.exit(0)
