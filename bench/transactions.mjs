// Transactional produce throughput (issue 6 §6): librdkafka producers
// (python3-confluent-kafka, bench/txn-load.py) writing 1 KiB records to a
// 4-partition topic in transactions of 10, 100 and 1,000 records, each as a
// ratio to non-transactional idempotent produce measured in the same run,
// interleaved, on a fresh broker per measurement, ROUNDS rounds; medians.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const TOTAL = Number(process.env.BENCH_TXN_RECORDS ?? 50_000)
const median = xs => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }

function exec (cmd, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.stdout.setEncoding('utf8').on('data', c => { out += c })
    child.stderr.setEncoding('utf8').on('data', c => { err += c })
    child.on('error', reject)
    child.on('exit', code => { clearTimeout(t); code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${err.slice(-2000)}`)) })
  })
}

async function measure (mode, perTxn) {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-txn-'))
  const { startBroker } = await import('@tributary/broker')
  const broker = await startBroker({ port: 0, dataDir: dir, 'num.partitions': 4, 'offsets.topic.num.partitions': 4, 'transaction.state.log.num.partitions': 4, logLevel: 'error' })
  try {
    const out = await exec('/usr/bin/python3', [join(root, 'bench/txn-load.py'), `127.0.0.1:${broker.port}`, 'bench', mode, String(perTxn), String(TOTAL)], 600_000)
    const r = JSON.parse(out.trim().split('\n').pop())
    return r.records / r.seconds
  } finally {
    await broker.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function run () {
  const sizes = [10, 100, 1000]
  const rates = { idempotent: [], ...Object.fromEntries(sizes.map(s => [s, []])) }
  for (let round = 0; round < ROUNDS; round++) {
    rates.idempotent.push(await measure('idempotent', 0))
    for (const s of sizes) rates[s].push(await measure('transactional', s))
  }
  const base = median(rates.idempotent)
  const figures = { rounds: ROUNDS, records: TOTAL, idempotentRecordsPerSec: Math.round(base) }
  const lines = [`transactional produce (${TOTAL} records of 1 KiB, 4 partitions, librdkafka; ${ROUNDS} rounds, medians)`,
    `  idempotent, no transactions:   ${Math.round(base)} records/s`]
  for (const s of sizes) {
    const m = median(rates[s])
    figures[`txn${s}RecordsPerSec`] = Math.round(m)
    figures[`txn${s}Ratio`] = +(m / base).toFixed(2)
    lines.push(`  ${String(s).padStart(4)} records per transaction: ${Math.round(m)} records/s   ratio ${(m / base).toFixed(2)}`)
  }
  return { report: lines.join('\n'), figures }
}
