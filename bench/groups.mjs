// Consumer group rebalance time (issue 5 §8): 10 members sharing a
// 100-partition topic; a 10th member joins a stable group of 9 and we
// measure the time until every member is consuming again under its new
// assignment, with librdkafka consumers (bench/group-members.mjs,
// @confluentinc/kafka-javascript) for the classic protocol with the eager
// `range` assignor, the classic protocol with KIP-429 `cooperative-sticky`,
// and the KIP-848 consumer protocol (broker-side `uniform` assignor).
// Each mode runs ROUNDS times against a fresh broker; medians reported.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const MEMBERS = 10
const PARTITIONS = 100
const median = xs => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }

function exec (cmd, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    // Every librdkafka consumer of @confluentinc/kafka-javascript keeps a libuv pool thread busy in its consume loop.
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, UV_THREADPOOL_SIZE: '64' } })
    let out = ''
    let err = ''
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.stdout.setEncoding('utf8').on('data', c => { out += c })
    child.stderr.setEncoding('utf8').on('data', c => { err += c })
    child.on('error', reject)
    child.on('exit', code => { clearTimeout(t); code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${err.slice(-2000)}`)) })
  })
}

async function withBroker (fn) {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-groups-'))
  const { startBroker } = await import('@tributary/broker')
  const broker = await startBroker({ port: 0, dataDir: dir, 'offsets.topic.num.partitions': 10, 'group.initial.rebalance.delay.ms': 0, logLevel: 'error' })
  try {
    return await fn(`127.0.0.1:${broker.port}`)
  } finally {
    await broker.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function createTopic (bootstrap, topic) {
  const script = `
import sys
from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({'bootstrap.servers': sys.argv[1]})
a.create_topics([NewTopic(sys.argv[2], ${PARTITIONS}, 1)])[sys.argv[2]].result(30)
`
  await exec('/usr/bin/python3', ['-c', script, bootstrap, topic], 60_000)
}

async function measure (strategy) {
  const times = []
  const kept = []
  for (let round = 0; round < ROUNDS; round++) {
    const r = await withBroker(async bootstrap => {
      await createTopic(bootstrap, 'bench')
      const out = await exec(process.execPath, [join(root, 'bench/group-members.mjs'), bootstrap, 'bench', `g-${strategy}-${round}`, strategy, String(MEMBERS), String(PARTITIONS)], 180_000)
      return JSON.parse(out.trim().split('\n').pop())
    })
    if (r.error !== undefined || r.ms === null) return { strategy, error: r.error ?? 'the rebalance did not finish within 60 s' }
    times.push(r.ms)
    kept.push(r.kept)
  }
  return { strategy, medianMs: median(times), roundsMs: times, keptPartitionsMedian: median(kept) }
}

export async function run () {
  const results = []
  for (const strategy of ['range', 'cooperative-sticky', 'consumer']) results.push(await measure(strategy))
  const lines = results.map(r => r.error !== undefined
    ? `  ${r.strategy.padEnd(20)} failed: ${r.error}`
    : `  ${r.strategy.padEnd(20)} median ${r.medianMs} ms   rounds ${r.roundsMs.join(', ')} ms   partitions kept by their owner: ${r.keptPartitionsMedian}/${PARTITIONS}`)
  const report = [`group rebalance (${MEMBERS} members, ${PARTITIONS} partitions, a 10th member joins 9; ${ROUNDS} rounds, librdkafka 2.15 consumers of @confluentinc/kafka-javascript)`, ...lines].join('\n')
  return { report, figures: Object.fromEntries(results.map(r => [r.strategy, r.medianMs ?? null])), results }
}
