// Produce, consume and end-to-end latency of the broker under a librdkafka
// load (issue 4 §6), next to two references measured in the same run,
// interleaved, each on a fresh server in every round:
//
// - Redis Streams (Debian's redis-server, appendonly yes, appendfsync
//   everysec): the peer a user might pick instead. Load from
//   `redis-benchmark -c 1 -P 256` XADD; reads by XRANGE paging.
// - A minimal Node.js sink (sink-server.mjs) that takes the same Kafka
//   produce frames, appends their bytes to a file and answers, and serves
//   the latest appends from memory to a fetching consumer: the floor of
//   Node's own cost for this traffic, and of end-to-end latency.
//
// The Kafka load comes from librdkafka's rdkafka_performance, compiled here
// from the example source Debian's librdkafka-dev ships, against the
// installed library, with stand-in headers for the few internal helpers it
// includes (bench/rdkafka-perf/). Tributary runs as the CLI in a child
// process, once with the durable default (fsync before acks=-1 is answered)
// and once with page-cache flushing (log.flush.interval.ms=1000, the
// counterpart of Redis' everysec).
//
// Broker CPU is utime+stime of the server process from /proc/<pid>/stat
// (every thread, libuv's pool and Redis' fsync thread included), RSS is
// VmRSS/VmHWM from /proc/<pid>/status.
//
// Environment: BENCH_ROUNDS (3), BENCH_PRODUCE_RECORDS (204800),
// BENCH_LATENCY_RECORDS (50000), BENCH_LATENCY_RATE (10000),
// BENCH_LATENCY_LINGER_MS (1).
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { closeSync, existsSync, fdatasyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs'
import net from 'node:net'
import { tmpdir, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RespClient } from './resp.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const buildDir = join(here, '.build')
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
// A multiple of 256: redis-benchmark -P 256 sends whole pipelines.
const N = Math.ceil(Number(process.env.BENCH_PRODUCE_RECORDS ?? 204_800) / 256) * 256
const LAT_N = Number(process.env.BENCH_LATENCY_RECORDS ?? 50_000)
// Records of the untimed warm-up load (a multiple of 256, as N).
const WARM_N = Math.ceil(N / 4 / 256) * 256
const RATE = Number(process.env.BENCH_LATENCY_RATE ?? 10_000)
// linger.ms of the latency producer. 0 makes every record its own request:
// 10,000 requests a second, which on two cores shared by the producer, the
// consumer and the server measures CPU contention more than the server.
// 1 ms lets librdkafka put the records of each millisecond into one request.
const LINGER_MS = Number(process.env.BENCH_LATENCY_LINGER_MS ?? 1)
const RECORD = 1024
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100)

const median = xs => { const s = xs.filter(x => x !== null && Number.isFinite(x)).sort((a, b) => a - b); return s.length === 0 ? null : s[Math.floor(s.length / 2)] }
const percentile = (sorted, q) => sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))
const round2 = x => x === null ? null : +x.toFixed(2)

// ---- tools ------------------------------------------------------------

const PERF_SOURCE = '/usr/share/doc/librdkafka-dev/examples/rdkafka_performance.c'

/** Installs what the bench drives from Debian (only when it runs; never part of `npm test`). */
function ensureSystemPackages () {
  const missing = []
  const has = cmd => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0
  if (!has('redis-server')) missing.push('redis-server')
  if (!has('redis-benchmark')) missing.push('redis-tools')
  if (!existsSync(PERF_SOURCE) && !existsSync(PERF_SOURCE + '.gz')) missing.push('librdkafka-dev')
  if (!existsSync('/usr/include/librdkafka/rdkafka.h')) missing.push('librdkafka-dev')
  if (!has('gcc')) missing.push('gcc', 'libc6-dev')
  if (missing.length === 0) return
  console.error(`bench: installing ${[...new Set(missing)].join(' ')} from Debian`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const apt = (...args) => process.getuid?.() === 0
    ? execFileSync('apt-get', args, { stdio: 'inherit', env })
    : execFileSync('sudo', ['apt-get', ...args], { stdio: 'inherit', env })
  apt('update', '-qq')
  apt('install', '-y', '-qq', '--no-install-recommends', ...new Set(missing))
}

/** Compiles rdkafka_performance into bench/.build/ (gitignored) when it is missing or older than its source. */
function ensurePerfTool () {
  const out = join(buildDir, 'rdkafka_performance')
  // bench/rdkafka-perf/src/ holds the stand-in headers; as an include path it
  // also resolves the example's "../src/rd.h".
  const standIns = join(here, 'rdkafka-perf', 'src')
  const srcDir = join(buildDir, 'rdkafka-perf-src')
  const src = join(srcDir, 'examples', 'rdkafka_performance.c')
  const source = existsSync(PERF_SOURCE) ? PERF_SOURCE : PERF_SOURCE + '.gz'
  const inputs = [source, ...['rd.h', 'rdtime.h', 'rdkafka.h'].map(h => join(standIns, h))]
  if (existsSync(out) && inputs.every(f => statSync(out).mtimeMs > statSync(f).mtimeMs)) return out
  mkdirSync(join(srcDir, 'examples'), { recursive: true })
  // Compiled from a copy (the source may be gzipped); its "../src/rd.h"
  // resolves through the include path.
  const text = source.endsWith('.gz') ? execFileSync('gzip', ['-dc', source]) : readFileSync(source)
  writeFileSync(src, text)
  execFileSync('gcc', ['-O2', '-w', '-I', standIns, '-o', out, src, '-lrdkafka'], { stdio: 'inherit' })
  return out
}

/** Compiles bench/latency/latency.c into bench/.build/ when it is missing or older than its source. */
function ensureLatencyTool () {
  const out = join(buildDir, 'latency')
  const src = join(here, 'latency', 'latency.c')
  if (existsSync(out) && statSync(out).mtimeMs > statSync(src).mtimeMs) return out
  mkdirSync(buildDir, { recursive: true })
  execFileSync('gcc', ['-O2', '-Wall', '-o', out, src, '-lrdkafka', '-lpthread'], { stdio: 'inherit' })
  return out
}

// ---- processes ----------------------------------------------------------

function cpuSeconds (pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
}

function memoryMiB (pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = key => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN)
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 }
}

async function freePort () {
  return await new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) })
    s.on('error', reject)
  })
}

/** Spawns a server and resolves once a line of its output matches. */
function spawnServer (cmd, args, match, timeoutMs = 20_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    const onData = chunk => {
      out += chunk
      if (out.length > 100_000) out = out.slice(-50_000)
      const m = match.exec(out)
      if (m !== null) { clearTimeout(timer); resolve({ child, match: m }) }
    }
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${cmd} did not start: ${out}`)) }, timeoutMs)
    child.stdout.setEncoding('utf8').on('data', onData)
    child.stderr.setEncoding('utf8').on('data', onData)
    child.on('error', err => { clearTimeout(timer); reject(err) })
  })
}

function stopChild (child) {
  return new Promise(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => { clearTimeout(t); resolve() })
    child.kill('SIGTERM')
  })
}

/** Runs a client to completion with a hard timeout; resolves with its output. */
function runTool (cmd, args, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', d => { stdout += d })
    child.stderr.setEncoding('utf8').on('data', d => { stderr += d })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', err => { clearTimeout(timer); reject(err) })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ').slice(0, 200)} exited ${code ?? signal}: ${stderr.slice(-2000)}${stdout.slice(-2000)}`))
      else resolve({ stdout, stderr })
    })
  })
}

// ---- servers --------------------------------------------------------------

async function startTributary (pagecache) {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-produce-'))
  const args = [join(root, 'packages/cli/bin/tributary.js'), 'start', '--listeners', 'PLAINTEXT://127.0.0.1:0', '--log-dirs', dir]
  if (pagecache) args.push('--log-flush-interval-ms', '1000')
  const { child, match } = await spawnServer(process.execPath, args, /"boundPort":(\d+)[^\n]*"msg":"broker started"/)
  const bootstrap = `127.0.0.1:${match[1]}`
  await createTopics(bootstrap)
  return { kind: 'kafka', child, pid: child.pid, bootstrap, close: async () => { await stopChild(child); rmSync(dir, { recursive: true, force: true }) } }
}

async function createTopics (bootstrap) {
  const { Kafka, logLevel } = await import('kafkajs')
  const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: [{ topic: 'bench-warm', numPartitions: 1 }, { topic: 'bench-p1', numPartitions: 1 }, { topic: 'bench-p4', numPartitions: 4 }, { topic: 'lat-p1', numPartitions: 1 }] })
  } finally {
    await admin.disconnect()
  }
}

async function startSink () {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-sink-'))
  const { child, match } = await spawnServer(process.execPath, [join(here, 'sink-server.mjs'), '0', join(dir, 'produce.bin')], /listening (\d+)/)
  return { kind: 'kafka-sink', child, pid: child.pid, bootstrap: `127.0.0.1:${match[1]}`, close: async () => { await stopChild(child); rmSync(dir, { recursive: true, force: true }) } }
}

async function startRedis () {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-redis-'))
  const port = await freePort()
  const { child } = await spawnServer('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--protected-mode', 'no'], /Ready to accept connections/)
  return { kind: 'redis', child, pid: child.pid, port, close: async () => { await stopChild(child); rmSync(dir, { recursive: true, force: true }) } }
}

// ---- workloads ------------------------------------------------------------

const PRODUCE_SUMMARY = /% (\d+) messages produced \((\d+) bytes\), (\d+) delivered \(offset -?\d+, (\d+) failed\) in (\d+)ms: (\d+) msgs\/s/
const CONSUME_SUMMARY = /% (\d+) messages \((\d+) bytes\) consumed in (\d+)ms: (\d+) msgs\/s/

async function kafkaProduce (perf, server, topic, count = N) {
  const cpu0 = cpuSeconds(server.pid)
  // sticky.partitioning.linger.ms=0: keyless records go to a random
  // partition each, so that every partition of bench-p4 is written at once.
  // linger.ms=5 is librdkafka's default (the tool sets 1000 otherwise).
  const { stdout } = await runTool(perf, ['-P', '-t', topic, '-s', String(RECORD), '-c', String(count), '-a', '-1', '-b', server.bootstrap, '-X', 'sticky.partitioning.linger.ms=0', '-X', 'linger.ms=5', '-q'])
  const cpu = cpuSeconds(server.pid) - cpu0
  const m = PRODUCE_SUMMARY.exec(stdout)
  if (m === null) throw new Error(`no summary from rdkafka_performance: ${stdout.slice(-1000)}`)
  const delivered = Number(m[3])
  if (delivered !== count || Number(m[4]) !== 0) throw new Error(`${topic}: ${delivered} of ${count} delivered, ${m[4]} failed`)
  const seconds = Number(m[5]) / 1000
  return { records: delivered, seconds, recordsPerSec: delivered / seconds, mbPerSec: delivered * RECORD / seconds / 1e6, cpuSecPerMillion: cpu / delivered * 1e6, rssMiB: memoryMiB(server.pid).rss }
}

async function kafkaConsume (perf, server, topic, partitions) {
  const cpu0 = cpuSeconds(server.pid)
  const parts = Array.from({ length: partitions }, (_, i) => ['-p', String(i)]).flat()
  const { stdout } = await runTool(perf, ['-C', '-t', topic, ...parts, '-o', 'beginning', '-c', String(N), '-b', server.bootstrap, '-q'], 120_000)
  const cpu = cpuSeconds(server.pid) - cpu0
  const m = CONSUME_SUMMARY.exec(stdout)
  if (m === null) throw new Error(`no summary from rdkafka_performance -C: ${stdout.slice(-1000)}`)
  const records = Number(m[1])
  if (records !== N) throw new Error(`${topic}: consumed ${records} of ${N}`)
  const seconds = Math.max(Number(m[3]), 1) / 1000
  return { records, seconds, recordsPerSec: records / seconds, mbPerSec: records * RECORD / seconds / 1e6, cpuSecPerMillion: cpu / records * 1e6 }
}

function latencyFigures (file, skip) {
  const xs = readFileSync(file, 'utf8').split('\n').filter(l => l !== '').map(Number).slice(skip).sort((a, b) => a - b)
  return { samples: xs.length, p50Ms: percentile(xs, 0.5) / 1000, p99Ms: percentile(xs, 0.99) / 1000, p999Ms: percentile(xs, 0.999) / 1000, maxMs: xs[xs.length - 1] / 1000 }
}

/**
 * End-to-end latency at a fixed rate (bench/latency/latency.c, librdkafka in
 * C: a consumer assigned at the end of partition 0, then a producer on an
 * absolute schedule writing its monotonic clock into each value, both in one
 * process). The producer's own figures are produce-to-acknowledgement
 * latencies. The first 5% of records (connection warm-up) are left out.
 */
async function kafkaLatency (server, withConsumer, tool) {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-lat-'))
  try {
    const cFile = join(dir, 'consumer.txt')
    const pFile = join(dir, 'producer.txt')
    const cpu0 = cpuSeconds(server.pid)
    const { stdout } = await runTool(tool, [server.bootstrap, 'lat-p1', String(LAT_N), String(RATE), String(RECORD), String(LINGER_MS), pFile, withConsumer ? cFile : '-'], 120_000)
    const cpu = cpuSeconds(server.pid) - cpu0
    const m = /achieved (\d+) failed (\d+) received (\d+)/.exec(stdout)
    if (m === null || m[2] !== '0') throw new Error(`latency tool: ${stdout}`)
    if (withConsumer && Number(m[3]) !== LAT_N) throw new Error(`latency tool: the consumer received ${m[3]} of ${LAT_N}`)
    const skip = Math.floor(LAT_N * 0.05)
    return { achievedRate: Number(m[1]), ack: latencyFigures(pFile, skip), e2e: withConsumer ? latencyFigures(cFile, skip) : null, cpuSecPerMillion: cpu / LAT_N * 1e6 }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function redisProduce (server, key, streams, count = N) {
  const value = 'x'.repeat(RECORD)
  const cpu0 = cpuSeconds(server.pid)
  const args = ['-h', '127.0.0.1', '-p', String(server.port), '-c', '1', '-P', '256', '-n', String(count), '--csv']
  if (streams > 1) args.push('-r', String(streams))
  args.push('XADD', streams > 1 ? `${key}:__rand_int__` : key, '*', 'v', value)
  return runTool('redis-benchmark', args).then(({ stdout }) => {
    const cpu = cpuSeconds(server.pid) - cpu0
    const last = stdout.trim().split('\n').pop()
    const rps = Number(last.split('","')[1])
    if (!Number.isFinite(rps)) throw new Error(`redis-benchmark: ${stdout.slice(-500)}`)
    return { records: N, seconds: N / rps, recordsPerSec: rps, mbPerSec: rps * RECORD / 1e6, cpuSecPerMillion: cpu / N * 1e6, rssMiB: memoryMiB(server.pid).rss }
  })
}

/** Reads every entry of the streams from the start, XRANGE pages of 1000 (the streams paged at once on one connection, as a Kafka consumer fetches its partitions). */
async function redisConsume (server, key, streams) {
  const client = await RespClient.connect(server.port)
  try {
    const names = streams > 1 ? Array.from({ length: streams }, (_, i) => `${key}:${String(i).padStart(12, '0')}`) : [key]
    const cpu0 = cpuSeconds(server.pid)
    const t0 = performance.now()
    let records = 0
    let bytes = 0
    await Promise.all(names.map(async name => {
      let start = '-'
      for (let page = 0; page < 1e6; page++) {
        const entries = await client.send('XRANGE', name, start, '+', 'COUNT', '1000')
        if (entries.length === 0) break
        for (const [, fields] of entries) { records++; bytes += fields[1].length }
        start = '(' + entries[entries.length - 1][0].toString('latin1')
      }
    }))
    const seconds = (performance.now() - t0) / 1000
    const cpu = cpuSeconds(server.pid) - cpu0
    if (records !== N || bytes !== N * RECORD) throw new Error(`${key}: read ${records} entries of ${N} (${bytes} bytes)`)
    return { records, seconds, recordsPerSec: records / seconds, mbPerSec: bytes / seconds / 1e6, cpuSecPerMillion: cpu / records * 1e6 }
  } finally {
    client.close()
  }
}

/**
 * Redis at the same fixed rate, from a Node client (redis-benchmark has no
 * rate limit): XADD paced at RATE per second with the send time in the
 * value; a second connection blocks in XREAD and takes the difference on
 * arrival. The XADD replies give the acknowledgement latency.
 */
async function redisLatency (server) {
  const producer = await RespClient.connect(server.port)
  const consumer = await RespClient.connect(server.port)
  try {
    const pad = 'x'.repeat(RECORD - 24)
    const ack = []
    const e2e = []
    let lastId = '$'
    let received = 0
    const reading = (async () => {
      while (received < LAT_N) {
        const reply = await consumer.send('XREAD', 'BLOCK', '5000', 'COUNT', '1000', 'STREAMS', 'lat-p1', lastId)
        if (reply === null) throw new Error(`XREAD timed out after ${received} entries`)
        const entries = reply[0][1]
        const now = performance.now()
        for (const [id, fields] of entries) {
          e2e.push((now - Number(fields[1].toString('latin1', 0, 24))) * 1000)
          lastId = id.toString('latin1')
          received++
        }
      }
    })()
    await sleep(200)
    const cpu0 = cpuSeconds(server.pid)
    const t0 = performance.now()
    let sent = 0
    const acks = []
    await new Promise(resolve => {
      const tick = () => {
        const due = Math.min(LAT_N, Math.floor((performance.now() - t0) * RATE / 1000))
        while (sent < due) {
          const at = performance.now()
          acks.push(producer.send('XADD', 'lat-p1', '*', 'v', at.toFixed(6).padStart(24, '0') + pad).then(() => { ack.push((performance.now() - at) * 1000) }))
          sent++
        }
        if (sent < LAT_N) setImmediate(tick)
        else resolve()
      }
      tick()
    })
    await Promise.all(acks)
    const seconds = (performance.now() - t0) / 1000
    await reading
    const cpu = cpuSeconds(server.pid) - cpu0
    const skip = Math.floor(LAT_N * 0.05)
    const fig = xs => {
      const s = xs.slice(skip).sort((a, b) => a - b)
      return { samples: s.length, p50Ms: percentile(s, 0.5) / 1000, p99Ms: percentile(s, 0.99) / 1000, p999Ms: percentile(s, 0.999) / 1000, maxMs: s[s.length - 1] / 1000 }
    }
    return { achievedRate: Math.round(LAT_N / seconds), ack: fig(ack), e2e: fig(e2e), cpuSecPerMillion: cpu / LAT_N * 1e6 }
  } finally {
    producer.close()
    consumer.close()
  }
}

// ---- the run --------------------------------------------------------------

const SERVERS = {
  'tributary-fsync': { start: () => startTributary(false), label: 'Tributary, fsync before ack (default)' },
  'tributary-pagecache': { start: () => startTributary(true), label: 'Tributary, page-cache flushing (1 s)' },
  redis: { start: startRedis, label: 'Redis Streams (AOF, fsync everysec)' },
  sink: { start: startSink, label: 'Node.js sink (no storage work)' }
}

async function measure (perf, latencyTool, name) {
  const server = await SERVERS[name].start()
  try {
    await sleep(300)
    const idle = memoryMiB(server.pid)
    const r = { idleRssMiB: idle.rss }
    // An untimed warm-up load first, for every server alike: a fresh Node
    // process otherwise spends its first measured run compiling the
    // produce path (V8's compilers were a third of the broker's CPU
    // samples in that run, measured with perf), which made the 1-partition
    // figures (always first) cost more CPU than the 4-partition ones.
    if (server.kind === 'redis') {
      await redisProduce(server, 'bench-warm', 1, WARM_N)
      // Dropped again, so that Redis' memory figures hold only the measured streams.
      const client = await RespClient.connect(server.port)
      try { await client.send('DEL', 'bench-warm') } finally { client.close() }
    } else {
      await kafkaProduce(perf, server, 'bench-warm', WARM_N)
    }
    if (server.kind === 'redis') {
      r.produceP1 = await redisProduce(server, 'bench-p1', 1)
      r.consumeP1 = await redisConsume(server, 'bench-p1', 1)
      r.produceP4 = await redisProduce(server, 'bench-p4', 4)
      r.consumeP4 = await redisConsume(server, 'bench-p4', 4)
      r.latency = await redisLatency(server)
    } else {
      r.produceP1 = await kafkaProduce(perf, server, 'bench-p1')
      if (server.kind === 'kafka') r.consumeP1 = await kafkaConsume(perf, server, 'bench-p1', 1)
      r.produceP4 = await kafkaProduce(perf, server, 'bench-p4')
      if (server.kind === 'kafka') r.consumeP4 = await kafkaConsume(perf, server, 'bench-p4', 4)
      // The sink serves the tail from memory too: its end-to-end figures are Node's floor for this load.
      r.latency = await kafkaLatency(server, true, latencyTool)
    }
    r.peakRssMiB = memoryMiB(server.pid).peak
    return r
  } finally {
    await server.close()
  }
}

function summarise (rounds, name) {
  const rs = rounds.map(r => r[name]).filter(r => r !== undefined)
  const pick = f => round2(median(rs.map(r => { try { return f(r) } catch { return null } })))
  const out = { idleRssMiB: pick(r => r.idleRssMiB), peakRssMiB: pick(r => r.peakRssMiB) }
  for (const w of ['produceP1', 'produceP4', 'consumeP1', 'consumeP4']) {
    if (rs.every(r => r[w] === undefined)) continue
    out[w] = { mbPerSec: pick(r => r[w].mbPerSec), recordsPerSec: Math.round(pick(r => r[w].recordsPerSec)), cpuSecPerMillion: pick(r => r[w].cpuSecPerMillion) }
  }
  out.latency = {
    achievedRate: pick(r => r.latency.achievedRate),
    ackP50Ms: pick(r => r.latency.ack.p50Ms),
    ackP99Ms: pick(r => r.latency.ack.p99Ms),
    ackP999Ms: pick(r => r.latency.ack.p999Ms),
    e2eP50Ms: pick(r => r.latency.e2e.p50Ms),
    e2eP99Ms: pick(r => r.latency.e2e.p99Ms),
    e2eP999Ms: pick(r => r.latency.e2e.p999Ms),
    cpuSecPerMillion: pick(r => r.latency.cpuSecPerMillion)
  }
  return out
}

/**
 * The disk's own floor for "fsync before ack": a 10 KiB write (what one
 * 1 ms linger at 10,000 records/s of 1 KiB puts in a request) followed by
 * fdatasync, timed one after the other, in this process and between the
 * servers' rounds. No broker can acknowledge a durable write sooner.
 */
function diskFsyncLatency (count = 1000) {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-fsync-'))
  try {
    const fd = openSync(join(dir, 'floor.bin'), 'w')
    const block = Buffer.alloc(10 * 1024, 1)
    const xs = []
    for (let i = 0; i < count; i++) {
      writeSync(fd, block)
      const t0 = process.hrtime.bigint()
      fdatasyncSync(fd)
      xs.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
    closeSync(fd)
    xs.sort((a, b) => a - b)
    return { p50Ms: round2(percentile(xs, 0.5)), p99Ms: round2(percentile(xs, 0.99)), p999Ms: round2(percentile(xs, 0.999)) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const ratio = (a, b) => (a === null || b === null || b === 0 || a === undefined || b === undefined) ? null : +(a / b).toFixed(2)
const fmt = (x, w = 8) => String(x ?? 'n/a').padStart(w)

export async function run () {
  ensureSystemPackages()
  mkdirSync(buildDir, { recursive: true })
  const perf = ensurePerfTool()
  const latencyTool = ensureLatencyTool()
  const order = Object.keys(SERVERS)
  const rounds = []
  const started = Date.now()
  for (let i = 0; i < ROUNDS; i++) {
    const round = {}
    // Interleaved: each round starts with a different server.
    const names = [...order.slice(i % order.length), ...order.slice(0, i % order.length)]
    for (const name of names) {
      process.stderr.write(`bench produce: round ${i + 1}/${ROUNDS} ${name}\n`)
      round[name] = await measure(perf, latencyTool, name)
    }
    round.diskFsync = diskFsyncLatency()
    rounds.push(round)
  }
  const s = Object.fromEntries(order.map(name => [name, summarise(rounds, name)]))
  const ratios = {}
  for (const t of ['tributary-fsync', 'tributary-pagecache']) {
    const me = s[t]
    ratios[t] = {
      publishP1VsRedis: ratio(me.produceP1.recordsPerSec, s.redis.produceP1.recordsPerSec),
      publishP4VsRedis: ratio(me.produceP4.recordsPerSec, s.redis.produceP4.recordsPerSec),
      publishP1VsSink: ratio(me.produceP1.recordsPerSec, s.sink.produceP1.recordsPerSec),
      publishP4VsSink: ratio(me.produceP4.recordsPerSec, s.sink.produceP4.recordsPerSec),
      consumeP1VsRedis: ratio(me.consumeP1.recordsPerSec, s.redis.consumeP1.recordsPerSec),
      consumeP4VsRedis: ratio(me.consumeP4.recordsPerSec, s.redis.consumeP4.recordsPerSec),
      produceCpuP1VsRedis: ratio(me.produceP1.cpuSecPerMillion, s.redis.produceP1.cpuSecPerMillion),
      produceCpuP1VsSink: ratio(me.produceP1.cpuSecPerMillion, s.sink.produceP1.cpuSecPerMillion),
      e2eP99VsRedis: ratio(me.latency.e2eP99Ms, s.redis.latency.e2eP99Ms),
      e2eP99VsSink: ratio(me.latency.e2eP99Ms, s.sink.latency.e2eP99Ms),
      ackP99VsRedis: ratio(me.latency.ackP99Ms, s.redis.latency.ackP99Ms),
      ackP99VsSink: ratio(me.latency.ackP99Ms, s.sink.latency.ackP99Ms),
      peakRssVsRedis: ratio(me.peakRssMiB, s.redis.peakRssMiB),
      peakRssVsSink: ratio(me.peakRssMiB, s.sink.peakRssMiB)
    }
  }
  const diskFsync = {
    p50Ms: median(rounds.map(r => r.diskFsync.p50Ms)),
    p99Ms: median(rounds.map(r => r.diskFsync.p99Ms)),
    p999Ms: median(rounds.map(r => r.diskFsync.p999Ms))
  }
  const figures = {
    rounds: ROUNDS,
    diskFsync,
    records: N,
    recordBytes: RECORD,
    latencyRecords: LAT_N,
    latencyRate: RATE,
    latencyLingerMs: LINGER_MS,
    loadAverageAtEnd: loadavg().map(x => +x.toFixed(2)),
    seconds: Math.round((Date.now() - started) / 1000),
    servers: s,
    ratios,
    raw: rounds
  }
  return { figures, report: report(figures) }
}

function report (f) {
  const s = f.servers
  const lines = [
    `produce (${f.rounds} rounds, medians; ${f.records} records of ${f.recordBytes} B per run, acks=-1; ${f.seconds} s; load average at end ${f.loadAverageAtEnd.join(' ')})`,
    'load: rdkafka_performance (librdkafka 2.0.2) for Kafka throughput; bench/latency/latency.c (librdkafka in C) at a fixed rate for Kafka latency;',
    '      redis-benchmark -c 1 -P 256 XADD, XRANGE paging and a paced XADD/XREAD client (bench/resp.mjs) for Redis',
    '',
    'publish                                     1 partition                  4 partitions',
    '                                       MB/s   records/s  CPU-s/M    MB/s   records/s  CPU-s/M'
  ]
  const row = (name, a, b) => `  ${SERVERS[name].label.padEnd(36)} ${fmt(a?.mbPerSec, 6)} ${fmt(a?.recordsPerSec, 11)} ${fmt(a?.cpuSecPerMillion, 8)} ${fmt(b?.mbPerSec, 7)} ${fmt(b?.recordsPerSec, 11)} ${fmt(b?.cpuSecPerMillion, 8)}`
  for (const name of Object.keys(SERVERS)) lines.push(row(name, s[name].produceP1, s[name].produceP4))
  lines.push('', 'consume from the beginning')
  for (const name of ['tributary-fsync', 'tributary-pagecache', 'redis']) lines.push(row(name, s[name].consumeP1, s[name].consumeP4))
  lines.push('', `latency at ${f.latencyRate} records/s, 1 partition, linger.ms=${f.latencyLingerMs} (${f.latencyRecords} records, first 5% left out), ms`,
    '                                       achieved  ack p50   p99  p99.9   end-to-end p50   p99  p99.9')
  for (const name of Object.keys(SERVERS)) {
    const l = s[name].latency
    lines.push(`  ${SERVERS[name].label.padEnd(36)} ${fmt(l.achievedRate, 8)} ${fmt(l.ackP50Ms, 8)} ${fmt(l.ackP99Ms, 5)} ${fmt(l.ackP999Ms, 6)} ${fmt(l.e2eP50Ms, 16)} ${fmt(l.e2eP99Ms, 5)} ${fmt(l.e2eP999Ms, 6)}`)
  }
  lines.push(`  ${'disk floor: 10 KiB write + fdatasync'.padEnd(36)} ${fmt(null, 8)} ${fmt(f.diskFsync.p50Ms, 8)} ${fmt(f.diskFsync.p99Ms, 5)} ${fmt(f.diskFsync.p999Ms, 6)}`)
  lines.push('', 'memory (MiB)                           idle RSS  peak RSS')
  for (const name of Object.keys(SERVERS)) lines.push(`  ${SERVERS[name].label.padEnd(36)} ${fmt(s[name].idleRssMiB, 8)} ${fmt(s[name].peakRssMiB, 9)}`)
  lines.push('', 'ratios (Tributary / reference)            fsync   page-cache   target')
  const targets = {
    publishP1VsRedis: '>= 3', publishP4VsRedis: '>= 3', publishP1VsSink: '>= 0.7', publishP4VsSink: '>= 0.7', consumeP1VsRedis: '>= 1.5', consumeP4VsRedis: '>= 1.5'
  }
  for (const k of Object.keys(f.ratios['tributary-fsync'])) lines.push(`  ${k.padEnd(38)} ${fmt(f.ratios['tributary-fsync'][k], 7)} ${fmt(f.ratios['tributary-pagecache'][k], 12)}   ${targets[k] ?? ''}`)
  const tf = s['tributary-fsync']
  const tp = s['tributary-pagecache']
  lines.push('', 'absolute targets',
    `  p99 end-to-end at ${f.latencyRate}/s: page-cache ${tp.latency.e2eP99Ms} ms (target <= 2), fsync ${tf.latency.e2eP99Ms} ms (target <= 5);`,
    `    in the same rounds the Node sink (no storage, tail served from memory) ${s.sink.latency.e2eP99Ms} ms, Redis ${s.redis.latency.e2eP99Ms} ms`,
    `  broker CPU-seconds per million 1 KiB records published: fsync ${tf.produceP1.cpuSecPerMillion} / ${tf.produceP4.cpuSecPerMillion}, page-cache ${tp.produceP1.cpuSecPerMillion} / ${tp.produceP4.cpuSecPerMillion} (1 / 4 partitions; target <= 3)`)
  return lines.join('\n')
}
