#!/usr/bin/env node
// Captures golden request frames from real Kafka clients (DESIGN.md R10).
//
//   npm run build && node tools/capture-golden/capture.mjs [--clean] [--only=kcat,kafkajs,...]
//
// A broker runs in this process on 127.0.0.1 and advertises, in Metadata, the
// port of a small TCP proxy instead of its own, so that every connection of
// every client goes through the proxy. The proxy cuts the client -> broker
// stream into frames (int32 size prefix) and keeps the raw bytes; nothing is
// re-encoded. A request interceptor answers what the broker does not serve
// yet (Produce, Fetch, ListOffsets) with empty successes, and answers
// ApiVersions itself so that clients see those APIs (optionally capped to
// one version, to sweep a client through the versions it knows).
//
// For ApiVersions, Metadata, Produce and Fetch it writes the first frame of
// each (client, API, version) to
//   packages/protocol/test/golden/<api-kebab>/<client>-v<version>.request.hex
//   packages/protocol/test/golden/<api-kebab>/<client>-v<version>.request.json
// where the .json holds the request as the codec decodes it (encoding in
// packages/protocol/test/golden/golden-json.ts) and what the capture sent.
// Files of clients that could not run are left as they are; --clean removes
// all golden files first.
import { spawn, spawnSync } from 'node:child_process'
import { mkdir, readdir, rm, writeFile, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { connect, createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const goldenDir = join(root, 'packages/protocol/test/golden')
const require = createRequire(join(root, 'package.json'))

// The built workspace packages (run `npm run build` first). The JSON
// encoding of the golden files is defined once, next to the files and the
// test that reads them.
// The whole protocol surface, all APIs included.
const protocol = { ...await import('@tributary/protocol'), ...await import('@tributary/protocol/apis') }
const { startBroker } = await import('@tributary/broker')
const golden = await import('../../packages/protocol/dist/test/golden/golden-json.js')

const PYTHON = '/usr/bin/python3'
const TOPIC = 'golden'
const PARTITION = 0
/** The one record every producer sends. */
const RECORD = { key: 'golden-key', value: 'golden-value', headerKey: 'golden-header', headerValue: 'header-value' }
/** Fixed CreateTime for clients that let us set it, so a re-capture gives the same batch. */
const TIMESTAMP = 1700000000000n
/** Upper bound for one client run; every run is also killed/closed at its end. */
const RUN_TIMEOUT_MS = 20_000
/** APIs whose frames are written as golden files. */
const CAPTURED = new Set([18, 3, 0, 1])

const args = process.argv.slice(2)
const clean = args.includes('--clean')
const onlyArg = args.find(a => a.startsWith('--only='))
const only = onlyArg === undefined ? undefined : new Set(onlyArg.slice('--only='.length).split(','))

// ---------------------------------------------------------------- capture store

/** `${client}|${apiKey}|${version}` -> first frame (size prefix included). */
const frames = new Map()
/** Every (client, api, version) seen, with a count, for the summary. */
const seen = new Map()
let currentClient = 'none'
/** apiKey -> [min, max] advertised in ApiVersions for the current run; unset = codec range. */
let currentCaps = {}

function onFrame (client, frame) {
  if (frame.length < 8) return
  const apiKey = frame.readInt16BE(4)
  const version = frame.readInt16BE(6)
  const key = `${client}|${apiKey}|${version}`
  seen.set(key, (seen.get(key) ?? 0) + 1)
  if (CAPTURED.has(apiKey) && !frames.has(key)) frames.set(key, { client, apiKey, version, frame: Buffer.from(frame) })
}

function hasFrame (client, apiKey) {
  for (const f of frames.values()) if (f.client === client && f.apiKey === apiKey) return true
  return false
}

// ---------------------------------------------------------------- broker + interceptor

/** The ranges we answer ApiVersions with: the codec's, or the broker handler's for Metadata. */
const BASE_RANGES = {
  0: [protocol.ProduceApi.minVersion, protocol.ProduceApi.maxVersion],
  1: [protocol.FetchApi.minVersion, protocol.FetchApi.maxVersion],
  2: [protocol.ListOffsetsApi.minVersion, protocol.ListOffsetsApi.maxVersion],
  3: [0, 12],
  18: [0, 4]
}

function advertisedKeys () {
  return Object.entries(BASE_RANGES).map(([k, [min, max]]) => {
    const cap = currentCaps[k]
    return { apiKey: Number(k), minVersion: cap?.[0] ?? min, maxVersion: cap?.[1] ?? max }
  })
}

async function intercept ({ api, version, request }) {
  switch (api.apiKey) {
    case 18:
      // A capped ApiVersions answers newer requests with UNSUPPORTED_VERSION,
      // in the request's own layout: kafkajs then retries one version lower.
      // (Kafka answers in v0, which only clients that expect it can read.)
      if (currentCaps[18] !== undefined && version > currentCaps[18][1]) return { errorCode: 35, apiKeys: advertisedKeys() }
      return { errorCode: 0, apiKeys: advertisedKeys() }
    case 0:
      if (request.acks === 0) return null
      return {
        responses: request.topicData.map(t => ({
          name: t.name,
          partitionResponses: t.partitionData.map(p => ({ index: p.index, errorCode: 0, baseOffset: 0n, logStartOffset: 0n }))
        }))
      }
    case 1:
      // A short long-poll, so that consumers that loop do not spin.
      await sleep(Math.min(Math.max(request.maxWaitMs, 0), 200))
      return {
        errorCode: 0,
        sessionId: 0,
        responses: request.topics.map(t => ({
          topic: t.topic,
          topicId: t.topicId,
          partitions: t.partitions.map(p => ({
            partitionIndex: p.partition,
            errorCode: 0,
            highWatermark: 0n,
            lastStableOffset: 0n,
            logStartOffset: 0n,
            abortedTransactions: [],
            preferredReadReplica: -1,
            records: Buffer.alloc(0)
          }))
        }))
      }
    case 2:
      return {
        topics: request.topics.map(t => ({
          name: t.name,
          partitions: t.partitions.map(p => ({
            partitionIndex: p.partitionIndex, errorCode: 0, oldStyleOffsets: [0n], timestamp: -1n, offset: 0n, leaderEpoch: -1
          }))
        }))
      }
    default:
      return undefined
  }
}

function range (lo, hi) {
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i)
}

/**
 * Caps for each run of a client: none (it negotiates against our full
 * ranges), then step i caps every swept API k at sweep[k][i] (the last
 * entry once the list is shorter), then the extra steps.
 */
function capsPlan (client) {
  const plan = [{}]
  const sweep = client.sweep ?? {}
  const steps = Math.max(0, ...Object.values(sweep).map(vs => vs.length))
  const capped = versions => Object.fromEntries(Object.entries(versions).map(([k, v]) => [k, [BASE_RANGES[k][0], v]]))
  for (let i = 0; i < steps; i++) {
    plan.push(capped(Object.fromEntries(Object.entries(sweep).map(([k, vs]) => [k, vs[Math.min(i, vs.length - 1)]]))))
  }
  for (const extra of client.extraSteps ?? []) plan.push(capped(extra))
  return plan
}

function listen (server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(server.address().port) })
  })
}

// ---------------------------------------------------------------- proxy

const sockets = new Set()

function startProxy (getBrokerPort) {
  const server = createServer(client => {
    const label = currentClient
    const upstream = connect({ host: '127.0.0.1', port: getBrokerPort() })
    const decoder = new protocol.FrameDecoder()
    sockets.add(client)
    sockets.add(upstream)
    const done = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream) }
    client.on('data', chunk => {
      upstream.write(chunk)
      try {
        for (const f of decoder.decode(chunk)) onFrame(label, protocol.encodeFrame(f))
      } catch (err) {
        console.warn(`[${label}] proxy: cannot split frames: ${err.message}`)
        done()
      }
    })
    upstream.pipe(client)
    client.on('close', done)
    upstream.on('close', done)
    client.on('error', done)
    upstream.on('error', done)
  })
  return server
}

// ---------------------------------------------------------------- helpers

function withTimeout (promise, ms, what) {
  let timer
  const timeout = new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms) })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Runs a process with a hard time limit. `doneWhen` is polled; once it holds
 * (e.g. the Fetch we wanted was captured) the process is stopped early.
 */
function runProcess (cmd, argv, { input, env, timeoutMs = RUN_TIMEOUT_MS, doneWhen } = {}) {
  return new Promise(resolve => {
    let child
    try {
      child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    } catch (err) {
      resolve({ code: null, stdout: '', stderr: String(err), stopped: false })
      return
    }
    let stdout = ''
    let stderr = ''
    let stopped = false
    child.stdout.on('data', d => { stdout += d })
    child.stderr.on('data', d => { stderr += d })
    child.stdin.on('error', () => {})
    if (input !== undefined) child.stdin.end(input)
    else child.stdin.end()
    const stop = () => {
      stopped = true
      child.kill('SIGTERM')
      setTimeout(() => child.kill('SIGKILL'), 1000).unref()
    }
    const timer = setTimeout(stop, timeoutMs)
    const poll = doneWhen === undefined ? undefined : setInterval(() => { if (doneWhen()) stop() }, 50)
    child.on('error', err => { stderr += String(err) })
    child.on('close', code => {
      clearTimeout(timer)
      if (poll !== undefined) clearInterval(poll)
      resolve({ code, stdout, stderr, stopped })
    })
  })
}

/** A request straight to the broker (not through the proxy), for the capture's own look-ups. */
function brokerRequest (port, api, version, body) {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port })
    const decoder = new protocol.FrameDecoder()
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`${api.name} to the broker timed out`)) }, 5000)
    sock.on('connect', () => sock.write(protocol.encodeRequest(api, version, 1, 'capture-golden', body)))
    sock.on('data', chunk => {
      const [frame] = decoder.decode(chunk)
      if (frame === undefined) return
      clearTimeout(timer)
      sock.destroy()
      try { resolve(protocol.decodeResponse(api, version, frame).body) } catch (err) { reject(err) }
    })
    sock.on('error', err => { clearTimeout(timer); reject(err) })
  })
}

function apiKebab (name) {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()
}

// ---------------------------------------------------------------- client versions

function kcatVersion () {
  const r = spawnSync('kcat', ['-V'], { encoding: 'utf8', timeout: 5000 })
  if (r.status !== 0) return undefined
  const kcat = /Version (\S+)/.exec(r.stdout)?.[1]
  const rd = /librdkafka (\S+)/.exec(r.stdout)?.[1]
  return kcat === undefined ? undefined : `kcat ${kcat} (librdkafka ${rd})`
}

function pythonVersions () {
  const code = [
    'import json',
    'out = {}',
    'try:\n import confluent_kafka\n out["confluent"] = "confluent-kafka-python %s (librdkafka %s)" % (confluent_kafka.version()[0], confluent_kafka.libversion()[0])\nexcept Exception:\n pass',
    'try:\n import kafka\n out["kafka"] = "kafka-python %s" % kafka.__version__\nexcept Exception:\n pass',
    'print(json.dumps(out))'
  ].join('\n')
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', timeout: 10000 })
  try { return JSON.parse(r.stdout) } catch { return {} }
}

async function packageVersion (name) {
  try {
    const dir = dirname(require.resolve(`${name}/package.json`))
    return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')).version
  } catch {
    // Packages whose exports hide package.json: walk node_modules.
    try { return JSON.parse(await readFile(join(root, 'node_modules', name, 'package.json'), 'utf8')).version } catch { return undefined }
  }
}

// ---------------------------------------------------------------- clients

/** What each producer was asked to send; the test checks the batch against it. */
function expectedRecord (withTimestamp) {
  const r = { key: RECORD.key, value: RECORD.value, headers: [{ key: RECORD.headerKey, value: RECORD.headerValue }] }
  return withTimestamp ? { ...r, timestamp: TIMESTAMP } : r
}

/** Per client: software description, whether it sent TIMESTAMP, and how to run it. */
function clients (ctx) {
  const bootstrap = `127.0.0.1:${ctx.proxyPort}`
  return [
    {
      name: 'kafkajs',
      software: ctx.versions.kafkajs === undefined ? undefined : `kafkajs ${ctx.versions.kafkajs}`,
      fixedTimestamp: true,
      // Versions kafkajs implements (src/protocol/requests/*/index.js).
      sweep: { 18: range(0, 2), 0: range(0, 7), 1: range(0, 11), 3: range(0, 6) },
      async run () {
        const { Kafka, logLevel } = require('kafkajs')
        const kafka = new Kafka({
          brokers: [bootstrap], logLevel: logLevel.NOTHING, connectionTimeout: 3000, requestTimeout: 5000, retry: { retries: 1 }
        })
        const producer = kafka.producer({ allowAutoTopicCreation: false })
        const admin = kafka.admin()
        // kafkajs has no consumer without a group; its Cluster and Broker
        // classes are what its consumer uses to send Fetch.
        const createCluster = Object.getOwnPropertySymbols(kafka).find(s => s.description === 'private:Kafka:createCluster')
        const cluster = kafka[createCluster]({ allowAutoTopicCreation: false })
        try {
          await producer.connect()
          await producer.send({
            topic: TOPIC,
            messages: [{ partition: PARTITION, key: RECORD.key, value: RECORD.value, headers: { [RECORD.headerKey]: RECORD.headerValue }, timestamp: String(TIMESTAMP) }]
          })
          await admin.connect()
          await admin.fetchTopicMetadata({ topics: [TOPIC] })
          await cluster.connect()
          await cluster.addTargetTopic(TOPIC)
          const leaders = cluster.findLeaderForPartitions(TOPIC, [PARTITION])
          const broker = await cluster.findBroker({ nodeId: Object.keys(leaders)[0] })
          await broker.fetch({
            maxWaitTime: 500,
            minBytes: 1,
            maxBytes: 10485760,
            isolationLevel: 1,
            topics: [{ topic: TOPIC, partitions: [{ partition: PARTITION, fetchOffset: '0', maxBytes: 1048576 }] }],
            rackId: ''
          })
        } finally {
          await Promise.allSettled([producer.disconnect(), admin.disconnect(), cluster.disconnect()])
        }
      }
    },
    {
      name: 'kcat',
      software: ctx.versions.kcat,
      fixedTimestamp: false,
      // Versions librdkafka 2.0 implements (rd_kafka_ApiVersion_supported).
      // It writes magic 2 batches only when Produce >= 3 and Fetch >= 4 are
      // both there, so Fetch v3 gets its own run with Produce v2: Produce v3
      // with a magic 1 message set is what Kafka rejects.
      sweep: { 0: range(0, 7), 1: [0, 1, 2, ...range(4, 11)], 3: range(0, 4) },
      extraSteps: [{ 0: 2, 1: 3, 3: 3 }],
      async run () {
        const b = ['-b', bootstrap, '-X', 'socket.timeout.ms=5000']
        const list = await runProcess('kcat', [...b, '-L', '-t', TOPIC])
        if (list.code !== 0) console.warn(`[kcat] -L: ${list.stderr.trim()}`)
        const produce = await runProcess('kcat', [...b, '-P', '-t', TOPIC, '-p', String(PARTITION), '-k', RECORD.key, '-H', `${RECORD.headerKey}=${RECORD.headerValue}`], { input: `${RECORD.value}\n` })
        if (produce.code !== 0) console.warn(`[kcat] -P: ${produce.stderr.trim()}`)
        const consume = await runProcess('kcat', [...b, '-C', '-t', TOPIC, '-p', String(PARTITION), '-o', '0', '-c', '1', '-e'], { doneWhen: () => hasFrame('kcat', 1) })
        if (consume.code !== 0 && !consume.stopped) console.warn(`[kcat] -C: ${consume.stderr.trim()}`)
      }
    },
    {
      name: 'confluent-kafka-python',
      software: ctx.versions.python.confluent,
      fixedTimestamp: true,
      async run () {
        const code = `
import os, sys, time
from confluent_kafka import Producer, Consumer, TopicPartition
bs = os.environ["GOLDEN_BOOTSTRAP"]
p = Producer({"bootstrap.servers": bs, "socket.timeout.ms": 5000})
p.produce(os.environ["GOLDEN_TOPIC"], key=os.environ["GOLDEN_KEY"], value=os.environ["GOLDEN_VALUE"],
          headers=[(os.environ["GOLDEN_HKEY"], os.environ["GOLDEN_HVALUE"].encode())],
          partition=int(os.environ["GOLDEN_PARTITION"]), timestamp=int(os.environ["GOLDEN_TS"]))
left = p.flush(10)
if left:
    sys.exit("produce not acknowledged")
c = Consumer({"bootstrap.servers": bs, "group.id": "golden", "enable.auto.commit": False,
              "enable.partition.eof": True, "socket.timeout.ms": 5000})
c.assign([TopicPartition(os.environ["GOLDEN_TOPIC"], int(os.environ["GOLDEN_PARTITION"]), 0)])
deadline = time.time() + 10
while time.time() < deadline:
    m = c.poll(0.5)
    if m is not None and m.error() is not None and m.error().code() == -191:
        break
c.close()
`
        const r = await runProcess(PYTHON, ['-c', code], { env: pyEnv(bootstrap), doneWhen: () => hasFrame('confluent-kafka-python', 1) })
        if (r.code !== 0 && !r.stopped) console.warn(`[confluent-kafka-python] ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`)
      }
    },
    {
      name: 'kafka-python',
      software: ctx.versions.python.kafka,
      fixedTimestamp: true,
      async run () {
        const code = `
import os, sys
from kafka import KafkaProducer, KafkaConsumer, TopicPartition
bs = os.environ["GOLDEN_BOOTSTRAP"]
topic = os.environ["GOLDEN_TOPIC"]
part = int(os.environ["GOLDEN_PARTITION"])
p = KafkaProducer(bootstrap_servers=[bs], api_version_auto_timeout_ms=5000, request_timeout_ms=5000)
f = p.send(topic, key=os.environ["GOLDEN_KEY"].encode(), value=os.environ["GOLDEN_VALUE"].encode(),
           headers=[(os.environ["GOLDEN_HKEY"], os.environ["GOLDEN_HVALUE"].encode())],
           partition=part, timestamp_ms=int(os.environ["GOLDEN_TS"]))
f.get(timeout=10)
p.close(timeout=2)
c = KafkaConsumer(bootstrap_servers=[bs], group_id=None, enable_auto_commit=False,
                  api_version_auto_timeout_ms=5000, request_timeout_ms=11000, fetch_max_wait_ms=500)
tp = TopicPartition(topic, part)
c.assign([tp])
c.seek(tp, 0)
c.poll(timeout_ms=2000)
c.close()
`
        const r = await runProcess(PYTHON, ['-c', code], { env: pyEnv(bootstrap), doneWhen: () => hasFrame('kafka-python', 1) })
        if (r.code !== 0 && !r.stopped) console.warn(`[kafka-python] ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`)
      }
    },
    {
      name: 'platformatic-kafka',
      software: ctx.versions.platformatic === undefined ? undefined : `@platformatic/kafka ${ctx.versions.platformatic}`,
      fixedTimestamp: true,
      // Versions it implements (dist/apis/*/*-v<N>.js). Its Metadata v11
      // has one byte too many (it still writes IncludeClusterAuthorizedOperations,
      // which exists in v8-10 only), so no Produce or Fetch gets through in
      // that run: v11 gets a run of its own.
      sweep: { 0: range(7, 11), 1: range(12, 17), 3: [9, 10, 12] },
      extraSteps: [{ 3: 11 }],
      async run () {
        const { Producer, Consumer, stringSerializers, stringDeserializers } = await import('@platformatic/kafka')
        const common = { clientId: 'golden-platformatic', bootstrapBrokers: [bootstrap], retries: 1, timeout: 5000, connectTimeout: 3000 }
        const producer = new Producer({ ...common, serializers: stringSerializers })
        const consumer = new Consumer({ ...common, groupId: 'golden', deserializers: stringDeserializers })
        try {
          await producer.send({
            messages: [{ topic: TOPIC, partition: PARTITION, key: RECORD.key, value: RECORD.value, headers: { [RECORD.headerKey]: RECORD.headerValue }, timestamp: TIMESTAMP }]
          })
          const md = await consumer.metadata({ topics: [TOPIC] })
          const topic = md.topics.get(TOPIC)
          const leader = topic.partitions[PARTITION].leader
          await consumer.fetch({
            node: leader,
            maxWaitTime: 500,
            topics: [{ topicId: topic.id, partitions: [{ partition: PARTITION, fetchOffset: 0n, currentLeaderEpoch: topic.partitions[PARTITION].leaderEpoch, lastFetchedEpoch: -1, partitionMaxBytes: 1048576 }] }]
          })
        } finally {
          await Promise.allSettled([producer.close(true), consumer.close(true)])
        }
      }
    }
  ]
}

function pyEnv (bootstrap) {
  return {
    GOLDEN_BOOTSTRAP: bootstrap,
    GOLDEN_TOPIC: TOPIC,
    GOLDEN_PARTITION: String(PARTITION),
    GOLDEN_KEY: RECORD.key,
    GOLDEN_VALUE: RECORD.value,
    GOLDEN_HKEY: RECORD.headerKey,
    GOLDEN_HVALUE: RECORD.headerValue,
    GOLDEN_TS: String(TIMESTAMP)
  }
}

// ---------------------------------------------------------------- output

async function writeGolden (capture, client, topicId) {
  const { frame } = capture
  const payload = frame.subarray(4)
  const api = protocol.apiByKey(capture.apiKey)
  const apiName = api?.name ?? `api-${capture.apiKey}`
  const doc = { client: client.name, software: client.software ?? null, api: apiName, apiKey: capture.apiKey, version: capture.version }
  try {
    const { header, headerVersion, body } = protocol.decodeRequestHeader(payload, protocol.apiByKey)
    Object.assign(doc, { headerVersion, header })
    doc.request = api.readRequest(body, capture.version)
    if (body.remaining !== 0) doc.decodeError = `${body.remaining} bytes left after the body`
  } catch (err) {
    // Kept as evidence: the test checks the codec still rejects it (or fails if not known).
    doc.decodeError = String(err.message ?? err)
  }
  if (capture.apiKey === 0) doc.expect = { records: [expectedRecord(client.fixedTimestamp)] }
  // Fetch v13+ names the topic by id (KIP-516); the id is new in every capture.
  if (capture.apiKey === 1) doc.expect = capture.version >= 13 ? { topicId, partition: PARTITION, fetchOffset: 0n } : { topic: TOPIC, partition: PARTITION, fetchOffset: 0n }
  const dir = join(goldenDir, apiKebab(apiName))
  await mkdir(dir, { recursive: true })
  const base = join(dir, `${client.name}-v${capture.version}.request`)
  await writeFile(`${base}.hex`, golden.toHexLines(frame))
  await writeFile(`${base}.json`, golden.stringifyGolden(doc))
  return { file: `${apiKebab(apiName)}/${client.name}-v${capture.version}.request`, error: doc.decodeError }
}

async function cleanGolden () {
  for (const entry of await readdir(goldenDir, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory()) continue
    const dir = join(goldenDir, entry.name)
    for (const f of await readdir(dir)) if (f.endsWith('.request.hex') || f.endsWith('.request.json')) await rm(join(dir, f))
  }
}

// ---------------------------------------------------------------- main

async function main () {
  let brokerPort = 0
  const proxyServer = startProxy(() => brokerPort)
  const proxyPort = await listen(proxyServer)
  const broker = await startBroker({
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxyPort}`,
    'num.partitions': 1,
    // Requests that do not decode are reported below, with the frame.
    logLevel: 'error'
  })
  brokerPort = broker.listeners[0].boundPort
  await broker.setInterceptor(intercept)
  console.log(`broker on 127.0.0.1:${brokerPort}, proxy (advertised) on 127.0.0.1:${proxyPort}`)

  // Creates the topic before any client asks, and learns its id for the Fetch checks.
  const md = await brokerRequest(brokerPort, protocol.MetadataApi, 12, { topics: [{ name: TOPIC }], allowAutoTopicCreation: true })
  const topicId = md.topics.find(t => t.name === TOPIC)?.topicId
  console.log(`topic ${TOPIC} id ${topicId}`)

  const versions = {
    kafkajs: await packageVersion('kafkajs'),
    platformatic: await packageVersion('@platformatic/kafka'),
    kcat: kcatVersion(),
    python: pythonVersions()
  }
  const list = clients({ proxyPort, versions }).filter(c => only === undefined || only.has(c.name))

  const results = []
  try {
    for (const client of list) {
      if (client.software === undefined) {
        console.warn(`[${client.name}] not installed, skipped`)
        continue
      }
      // First as the client negotiates against our full ranges, then once
      // per step of its sweep with every swept API capped at one version.
      for (const caps of capsPlan(client)) {
        currentClient = client.name
        currentCaps = caps
        const started = Date.now()
        const what = Object.keys(caps).length === 0 ? 'natural versions' : `caps ${Object.entries(caps).map(([k, [, max]]) => `${protocol.apiByKey(Number(k)).name}<=${max}`).join(' ')}`
        try {
          await withTimeout(client.run(), RUN_TIMEOUT_MS + 5000, client.name)
        } catch (err) {
          console.warn(`[${client.name}] ${what}: ${err.message ?? err}`)
        }
        console.log(`[${client.name}] ${what}: ${Date.now() - started} ms`)
      }
    }
  } finally {
    currentClient = 'after-capture'
    for (const s of sockets) s.destroy()
    await new Promise(resolve => proxyServer.close(resolve))
    await broker.close()
  }

  if (clean) await cleanGolden()
  const byName = new Map(list.map(c => [c.name, c]))
  const ordered = [...frames.values()].sort((a, b) => a.client.localeCompare(b.client) || a.apiKey - b.apiKey || a.version - b.version)
  for (const capture of ordered) results.push(await writeGolden(capture, byName.get(capture.client), topicId))

  console.log('\nrequests seen (client api vN x count):')
  const rows = [...seen.entries()].map(([key, n]) => { const [client, apiKey, version] = key.split('|'); return { client, apiKey: Number(apiKey), version: Number(version), n } })
  rows.sort((a, b) => a.client.localeCompare(b.client) || a.apiKey - b.apiKey || a.version - b.version)
  for (const r of rows) console.log(`  ${r.client} ${protocol.apiByKey(r.apiKey)?.name ?? r.apiKey} v${r.version} x${r.n}`)
  console.log('\ngolden files written:')
  for (const r of results) console.log(`  ${r.file}${r.error === undefined ? '' : `  DECODE ERROR: ${r.error}`}`)
  for (const c of list) {
    const missing = [...CAPTURED].filter(k => !hasFrame(c.name, k)).map(k => protocol.apiByKey(k).name)
    if (c.software !== undefined && missing.length > 0) console.warn(`[${c.name}] no frame for: ${missing.join(', ')}`)
  }
}

await main()
// Client libraries may leave timers behind; the capture is over.
process.exit(0)
