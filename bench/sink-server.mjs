// The floor of the produce benchmark: the least a Node.js server must do to
// take Kafka produce traffic and hand it to a consumer at the tail. It
// answers ApiVersions and Metadata (one broker, itself, leading every
// partition of every topic asked for); for each Produce request it appends
// the request's bytes to one file, stamps offsets into the batches and
// answers with the minimal Produce response; ListOffsets and Fetch are
// served from the last appends kept in memory (a long poll is woken by the
// next produce to its partition). No record validation, no CRC check, no
// index, no fsync, no fetch sessions: whatever Tributary spends above this
// is the cost of being a broker.
//
// Usage: node bench/sink-server.mjs <port> <file>
// A topic named `...-p<N>` has N partitions, any other one. Prints
// "listening <port>" once bound.
import { openSync, write, closeSync } from 'node:fs'
import net from 'node:net'
import { FrameDecoder, decodeRequestHeader, encodeResponse, encodeResponseParts, ErrorCode } from '@tributary/protocol'
import { ApiVersionsApi } from '@tributary/protocol/apis/api-versions'
import { FetchApi } from '@tributary/protocol/apis/fetch'
import { ListOffsetsApi } from '@tributary/protocol/apis/list-offsets'
import { MetadataApi } from '@tributary/protocol/apis/metadata'

const [portArg, file] = process.argv.slice(2)
const partitionsOf = name => Number(/-p(\d+)$/.exec(name)?.[1] ?? 1)
const fd = openSync(file, 'a')

const PRODUCE = 0
const FETCH = 1
const LIST_OFFSETS = 2
const METADATA = 3
const API_VERSIONS = 18
// Non-flexible Produce versions only, so that the request and the response
// can be walked by hand (v8 adds record errors, v9 is flexible). Fetch and
// ListOffsets go through the protocol package's codecs.
const ranges = [
  { apiKey: PRODUCE, minVersion: 3, maxVersion: 7 },
  { apiKey: FETCH, minVersion: 4, maxVersion: 11 },
  { apiKey: LIST_OFFSETS, minVersion: 1, maxVersion: 5 },
  { apiKey: METADATA, minVersion: 0, maxVersion: 8 },
  { apiKey: API_VERSIONS, minVersion: 0, maxVersion: 3 }
]
const CODECS = new Map([[FETCH, FetchApi], [LIST_OFFSETS, ListOffsetsApi]])

// Per partition: the next offset, and the last appends (views of the request
// frames, offsets stamped in place), at most TAIL_BYTES, oldest first.
const TAIL_BYTES = 1024 * 1024
const partitions = new Map()
function partitionOf (topic, index) {
  const key = `${topic}\0${index}`
  let p = partitions.get(key)
  if (p === undefined) {
    p = { next: 0, tail: [], bytes: 0, waiters: [] }
    partitions.set(key, p)
  }
  return p
}

function frame (payload) {
  const size = Buffer.allocUnsafe(4)
  size.writeInt32BE(payload.length, 0)
  return Buffer.concat([size, payload])
}

function readString (buf, at) {
  const len = buf.readInt16BE(at)
  if (len < 0) return { value: null, next: at + 2 }
  return { value: buf.toString('utf8', at + 2, at + 2 + len), next: at + 2 + len }
}

/** Walks a Produce v3-7 request body: the topics and partitions it holds, and the record count of each partition's batches. */
function walkProduce (buf, at) {
  at = readString(buf, at).next // transactional_id
  const acks = buf.readInt16BE(at); at += 2
  at += 4 // timeout_ms
  const topics = []
  const topicCount = buf.readInt32BE(at); at += 4
  for (let t = 0; t < topicCount; t++) {
    const name = readString(buf, at); at = name.next
    const parts = []
    const partCount = buf.readInt32BE(at); at += 4
    for (let p = 0; p < partCount; p++) {
      const index = buf.readInt32BE(at); at += 4
      const size = buf.readInt32BE(at); at += 4
      // Record count of each batch (v2 batch header: records count at byte 57).
      let records = 0
      const batches = []
      for (let b = at; size > 0 && b + 61 <= at + size;) {
        const batchLength = buf.readInt32BE(b + 8)
        records += buf.readInt32BE(b + 57)
        batches.push(buf.subarray(b, b + 12 + batchLength))
        b += 12 + batchLength
      }
      at += Math.max(size, 0)
      parts.push({ index, records, batches })
    }
    topics.push({ name: name.value, parts })
  }
  return { acks, topics }
}

/** Gives the batches their offsets (base offset at byte 0, lastOffsetDelta at 23), keeps them for fetches and wakes the fetches waiting on the partition. */
function append (topics) {
  for (const t of topics) {
    for (const p of t.parts) {
      const state = partitionOf(t.name, p.index)
      p.base = state.next
      for (const batch of p.batches) {
        batch.writeBigInt64BE(BigInt(state.next), 0)
        const next = state.next + batch.readInt32BE(23) + 1
        state.tail.push({ first: state.next, next, batch })
        state.bytes += batch.length
        state.next = next
      }
      while (state.bytes > TAIL_BYTES && state.tail.length > 1) state.bytes -= state.tail.shift().batch.length
      const waiting = state.waiters
      state.waiters = []
      for (const wake of waiting) wake()
    }
  }
}

/** The kept batches from `offset` on, up to `maxBytes` (at least one batch). */
function readTail (state, offset, maxBytes) {
  const out = []
  let bytes = 0
  for (const e of state.tail) {
    if (e.next <= offset) continue
    if (out.length > 0 && bytes + e.batch.length > maxBytes) break
    out.push(e.batch)
    bytes += e.batch.length
  }
  return out.length === 1 ? out[0] : Buffer.concat(out)
}

function fetchResponse (req, version) {
  let bytes = 0
  const responses = req.topics.map(t => ({
    topic: t.topic,
    partitions: t.partitions.map(p => {
      const state = partitionOf(t.topic, p.partition)
      const first = state.tail.length > 0 ? state.tail[0].first : state.next
      const inRange = p.fetchOffset >= BigInt(first) && p.fetchOffset <= BigInt(state.next)
      const records = inRange ? readTail(state, Number(p.fetchOffset), p.partitionMaxBytes) : Buffer.alloc(0)
      bytes += records.length
      const hw = BigInt(state.next)
      return { partitionIndex: p.partition, errorCode: inRange ? 0 : ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: hw, lastStableOffset: hw, logStartOffset: version >= 5 ? BigInt(first) : -1n, abortedTransactions: [], preferredReadReplica: -1, records }
    })
  }))
  return { bytes, body: { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses } }
}

/** Answers a fetch now if it has data (or an error), else once a produce reaches one of its partitions or max_wait_ms passes. */
function serveFetch (req, version, done) {
  let timer
  let answered = false
  const answer = () => {
    if (answered) return
    answered = true
    clearTimeout(timer)
    done(fetchResponse(req, version).body)
  }
  const now = fetchResponse(req, version)
  const errors = now.body.responses.some(t => t.partitions.some(p => p.errorCode !== 0))
  if (now.bytes >= Math.max(1, req.minBytes) || errors || req.maxWaitMs <= 0) {
    answered = true
    done(now.body)
    return
  }
  timer = setTimeout(answer, req.maxWaitMs)
  for (const t of req.topics) for (const p of t.partitions) partitionOf(t.topic, p.partition).waiters.push(answer)
}

function listOffsetsResponse (req, version) {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map(t => ({
      name: t.name,
      partitions: t.partitions.map(p => {
        const state = partitionOf(t.name, p.partitionIndex)
        const first = state.tail.length > 0 ? state.tail[0].first : state.next
        // -2 earliest; anything else answered as latest (-1), all the latency consumer asks for.
        return { partitionIndex: p.partitionIndex, errorCode: 0, timestamp: -1n, offset: BigInt(p.timestamp === -2n ? first : state.next), leaderEpoch: version >= 4 ? 0 : -1 }
      })
    }))
  }
}

function produceResponse (version, correlationId, topics) {
  let size = 4 + 4
  for (const t of topics) size += 2 + Buffer.byteLength(t.name) + 4 + t.parts.length * (4 + 2 + 8 + 8 + (version >= 5 ? 8 : 0))
  size += 4
  const out = Buffer.allocUnsafe(4 + size)
  let at = 0
  out.writeInt32BE(size, at); at += 4
  out.writeInt32BE(correlationId, at); at += 4
  out.writeInt32BE(topics.length, at); at += 4
  for (const t of topics) {
    out.writeInt16BE(Buffer.byteLength(t.name), at); at += 2
    at += out.write(t.name, at)
    out.writeInt32BE(t.parts.length, at); at += 4
    for (const p of t.parts) {
      const base = p.base
      out.writeInt32BE(p.index, at); at += 4
      out.writeInt16BE(0, at); at += 2
      out.writeBigInt64BE(BigInt(base), at); at += 8
      out.writeBigInt64BE(-1n, at); at += 8
      if (version >= 5) { out.writeBigInt64BE(0n, at); at += 8 }
    }
  }
  out.writeInt32BE(0, at) // throttle_time_ms
  return out
}

const server = net.createServer(socket => {
  socket.setNoDelay(true)
  const decoder = new FrameDecoder()
  // Responses leave in request order: a queue of slots, each filled when
  // its answer is ready (a produce once its bytes are written).
  const queue = []
  const flush = () => {
    while (queue.length > 0 && queue[0].bytes !== null) socket.write(queue.shift().bytes)
  }
  const slot = () => { const s = { bytes: null }; queue.push(s); return s }
  const reply = bytes => { slot().bytes = bytes; flush() }
  socket.on('data', chunk => {
    for (const payload of decoder.decode(chunk)) {
      const apiKey = payload.readInt16BE(0)
      const version = payload.readInt16BE(2)
      const correlationId = payload.readInt32BE(4)
      const clientIdLen = payload.readInt16BE(8)
      const bodyAt = 10 + Math.max(clientIdLen, 0)
      if (apiKey === PRODUCE) {
        const { acks, topics } = walkProduce(payload, bodyAt)
        append(topics)
        const s = acks === 0 ? null : slot()
        // O_APPEND: each write lands whole at the end of the file.
        write(fd, payload, 0, payload.length, null, err => {
          if (err !== null) { socket.destroy(err); return }
          if (s !== null) { s.bytes = produceResponse(version, correlationId, topics); flush() }
        })
      } else if (apiKey === FETCH || apiKey === LIST_OFFSETS) {
        const api = CODECS.get(apiKey)
        const { body } = decodeRequestHeader(payload, () => api)
        const req = api.readRequest(body, version)
        if (apiKey === LIST_OFFSETS) {
          reply(frame(encodeResponse(api, version, correlationId, listOffsetsResponse(req, version))))
        } else {
          const s = slot()
          serveFetch(req, version, res => {
            const parts = encodeResponseParts(api, version, correlationId, res, 4096)
            const size = Buffer.allocUnsafe(4)
            size.writeInt32BE(parts.reduce((n, b) => n + b.length, 0), 0)
            s.bytes = Buffer.concat([size, ...parts])
            flush()
          })
        }
      } else if (apiKey === API_VERSIONS) {
        const v = version <= 3 ? version : 0
        const body = { errorCode: version <= 3 ? 0 : ErrorCode.UNSUPPORTED_VERSION, apiKeys: ranges, throttleTimeMs: 0 }
        reply(frame(encodeResponse(ApiVersionsApi, v, correlationId, body)))
      } else if (apiKey === METADATA) {
        // The request's topic names: v0-8 are non-flexible, an int32 count
        // then strings (-1 means all topics, answered with none here).
        const names = []
        const count = payload.readInt32BE(bodyAt)
        for (let i = 0, at = bodyAt + 4; i < count; i++) {
          const s = readString(payload, at)
          names.push(s.value); at = s.next
        }
        const { port } = server.address()
        const body = {
          throttleTimeMs: 0,
          brokers: [{ nodeId: 1, host: '127.0.0.1', port, rack: null }],
          clusterId: 'bench-sink',
          controllerId: 1,
          topics: names.map(name => ({
            errorCode: 0,
            name,
            isInternal: false,
            partitions: Array.from({ length: partitionsOf(name) }, (_, i) => ({ errorCode: 0, partitionIndex: i, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] })),
            topicAuthorizedOperations: -2147483648
          })),
          clusterAuthorizedOperations: -2147483648
        }
        reply(frame(encodeResponse(MetadataApi, version, correlationId, body)))
      } else {
        socket.destroy()
        return
      }
    }
  })
  socket.on('error', () => {})
})
server.listen(Number(portArg ?? 0), '127.0.0.1', () => console.log(`listening ${server.address().port}`))
const stop = () => { server.close(); closeSync(fd); process.exit(0) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
