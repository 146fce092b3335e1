// Transactional produce throughput (issue 6 §6): librdkafka
// (confluent-kafka-python) writes the same records with 10, 100 and 1,000
// records per transaction, and as a plain idempotent producer, against one
// broker per round (in-process, durable default: fsync before the answer).
// Each figure is a ratio to the idempotent rate measured in the same
// round, so the report does not depend on the machine's speed.
//
// Environment: BENCH_ROUNDS (3), BENCH_TXN_RECORDS (20000), BENCH_TXN_RECORD_BYTES (256).
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBroker } from '../packages/broker/dist/src/index.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const N = Number(process.env.BENCH_TXN_RECORDS ?? 20_000)
const BYTES = Number(process.env.BENCH_TXN_RECORD_BYTES ?? 256)
const PYTHON = '/usr/bin/python3'
const SIZES = [10, 100, 1000]

// One process per measurement: mode 'idempotent' or a transaction size; prints records/s.
const LOAD = `
import sys, time
from confluent_kafka import Producer
bootstrap, topic, n, size, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
value = b'x' * size
conf = {'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'linger.ms': 5, 'queue.buffering.max.messages': 1000000}
if mode != 'idempotent':
    conf['transactional.id'] = 'bench-' + topic
p = Producer(conf)
if mode != 'idempotent':
    p.init_transactions(30)
# Warm up: metadata and leaders, outside the timed part.
if mode == 'idempotent':
    p.produce(topic, value=value, partition=0); p.flush(30)
else:
    p.begin_transaction(); p.produce(topic, value=value, partition=0); p.commit_transaction(30)
start = time.time()
if mode == 'idempotent':
    for i in range(n):
        while True:
            try:
                p.produce(topic, value=value, partition=i % 3); break
            except BufferError:
                p.poll(0.01)
        p.poll(0)
    assert p.flush(120) == 0
else:
    per = int(mode)
    for t in range(n // per):
        p.begin_transaction()
        for i in range(per):
            p.produce(topic, value=value, partition=i % 3)
            p.poll(0)
        p.commit_transaction(120)
elapsed = time.time() - start
print(n / elapsed)
`

// Asynchronous: the broker runs in this process, so its event loop must keep turning while the load runs.
function load (bootstrap, topic, mode) {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ['-c', LOAD, bootstrap, topic, String(N), String(BYTES), mode], { encoding: 'utf8', timeout: 300_000 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`load ${mode} failed: ${err.message} ${stderr}`))
      else resolve(Number(stdout.trim().split('\n').pop()))
    })
  })
}

const median = xs => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }

export async function run () {
  const rounds = []
  for (let round = 0; round < ROUNDS; round++) {
    const dir = mkdtempSync(join(tmpdir(), 'trib-bench-txn-'))
    const broker = await startBroker({ port: 0, host: '127.0.0.1', logLevel: 'error', dataDir: dir, 'num.partitions': 3, 'transaction.state.log.num.partitions': 3 })
    const bootstrap = `127.0.0.1:${broker.port}`
    try {
      const r = { idempotent: await load(bootstrap, `idem-${round}`, 'idempotent') }
      for (const size of SIZES) r[`txn${size}`] = await load(bootstrap, `txn${size}-${round}`, String(size))
      rounds.push(r)
    } finally {
      await broker.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const figures = { records: N, recordBytes: BYTES, rounds: ROUNDS, idempotentRecordsPerSec: Math.round(median(rounds.map(r => r.idempotent))) }
  const lines = [`transactional produce, ${N} records of ${BYTES} B, librdkafka, median of ${ROUNDS} rounds`,
    `  idempotent (baseline)         ${figures.idempotentRecordsPerSec} records/s`]
  for (const size of SIZES) {
    const rate = Math.round(median(rounds.map(r => r[`txn${size}`])))
    const ratio = +median(rounds.map(r => r[`txn${size}`] / r.idempotent)).toFixed(3)
    figures[`txn${size}RecordsPerSec`] = rate
    figures[`txn${size}Ratio`] = ratio
    lines.push(`  ${String(size).padStart(4)} records/transaction    ${rate} records/s   ratio ${ratio}`)
  }
  return { figures, report: lines.join('\n'), rounds }
}
