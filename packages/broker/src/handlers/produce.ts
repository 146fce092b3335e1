// Produce (key 0), v0-11 advertised, v3-11 served.
// v3: transactional id, record batch v2 only (KIP-98). v5: log_start_offset.
// v7: zstd (KIP-110). v8: record_errors and error_message (KIP-467).
// v9: flexible. v10: current_leader / node_endpoints on NOT_LEADER (KIP-951).
// v11: TRANSACTION_ABORTABLE (KIP-890).
//
// Kafka 4 removed v0-2 (KIP-896) but still advertises Produce from v0,
// because old librdkafka refuses to produce compressed data to a broker
// whose minimum is not 0 (KAFKA-18659); a v0-2 request gets
// UNSUPPORTED_VERSION in every partition instead of a disconnection.
//
// acks 0: no response (an error closes the connection, as Kafka does, so
// that the producer refreshes its metadata). acks 1: answered after the
// write. acks -1: answered once the data is durable under the log's flush
// policy, bounded by timeout_ms (REQUEST_TIMED_OUT).
//
// Idempotent batches (producer_id >= 0) are checked against the partition's
// producer state where appends are ordered (Partition.append): a retry of
// one of the producer's last 5 batches is answered NONE with its original
// base offset and not written again; OUT_OF_ORDER_SEQUENCE_NUMBER for a gap,
// INVALID_PRODUCER_EPOCH for an older epoch (Kafka 4). A transactional
// batch must go to a partition of the producer's ongoing transaction
// (KIP-890 part 1, verified with the local transaction coordinator):
// INVALID_TXN_STATE, or TRANSACTION_ABORTABLE for v11+ clients.
import { ErrorCode, ProtocolError, readBatchHeader, type Input } from '@tributary/protocol'
import {
  ProduceApi, type ProduceRequest, type ProduceRequestPartitionProduceData, type ProduceResponsePartitionProduceResponse, type ProduceResponseTopicProduceResponse
} from '@tributary/protocol/apis/produce'
import { kafkaCodeOf } from '../partitions/errors.js'
import { produceSettingsFor, type ProduceSettings } from '../partitions/log-config.js'
import { NEEDS_RECORDS, checkRecords, checkRecordsQuick, needsRecordChecks, type Rejection } from '../partitions/produce-checks.js'
import type { Partition } from '../partitions/partition.js'
import { defineHandler, type RequestContext } from './define.js'

type PartitionOut = Input<ProduceResponsePartitionProduceResponse>

function failed (index: number, errorCode: number, errorMessage: string | null = null, recordErrors: PartitionOut['recordErrors'] = []): PartitionOut {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors, errorMessage }
}

function withTimeout<T> (p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  if (ms < 0) return p
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve('timeout'), ms)
    p.then(v => { clearTimeout(t); resolve(v) }, err => { clearTimeout(t); reject(err) })
  })
}

/** A partition's append, issued; what is left is to wait for it per acks. */
interface Issued {
  index: number
  written: Promise<{ firstOffset: bigint, logAppendTime: bigint, logStartOffset: bigint }>
  durable: Promise<unknown>
}

/** Checks one partition's records and issues its append (the write happens before this resolves). */
async function issuePartition (ctx: RequestContext, topic: string, settings: ProduceSettings | undefined, data: ProduceRequestPartitionProduceData): Promise<Issued | PartitionOut> {
  const partition = settings === undefined ? undefined : await ctx.broker.replicas?.getAsync(topic, data.index)
  if (partition === undefined || settings === undefined) return unknownPartition(data.index)
  const rejection = await checkRecords(data.records, `${topic}-${data.index}`, settings, BigInt(Date.now()))
  return issueChecked(ctx, topic, partition, data, settings, rejection)
}

function unknownPartition (index: number): PartitionOut {
  return failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.')
}

/** Issues the append of records that passed (or failed) checkRecords, in the same synchronous step as the transaction check. */
function issueChecked (ctx: RequestContext, topic: string, partition: Partition, data: ProduceRequestPartitionProduceData, settings: ProduceSettings, rejection: Rejection | null): Issued | PartitionOut {
  if (rejection !== null) return failed(data.index, rejection.errorCode, rejection.errorMessage, rejection.recordErrors)
  const header = readBatchHeader(data.records!)
  const txns = ctx.broker.transactions
  if (header.isTransactional && txns !== undefined) {
    const code = txns.verifyProduce(header.producerId, header.producerEpoch, { topic, partition: data.index })
    if (code === ErrorCode.INVALID_PRODUCER_EPOCH) return failed(data.index, code, `Producer ${header.producerId} with epoch ${header.producerEpoch} was fenced.`)
    if (code !== ErrorCode.NONE) {
      return failed(data.index, ctx.version >= 11 ? ErrorCode.TRANSACTION_ABORTABLE : ErrorCode.INVALID_TXN_STATE,
        `The producer ${header.producerId} has no ongoing transaction holding ${topic}-${data.index}.`)
    }
  }
  try {
    // checkRecords verified the CRC: the log need not checksum the batch again.
    const { written, durable } = partition.append(data.records!, settings.logAppendTime, true)
    return { index: data.index, written, durable }
  } catch (err) {
    return failedWith(ctx, topic, data.index, err)
  }
}

type IssuedTopic = { name: string, partitions: Array<Issued | PartitionOut> }

/**
 * Checks and issues every append of a request in one synchronous step,
 * the way nearly every request goes: no earlier request of the connection
 * still issuing, every partition's log open, and no per-record checks. It
 * gives up (undefined) before appending anything when a partition needs
 * the asynchronous path (issuePartition), which then serves the whole
 * request. Same checks, same order; it only saves that path's promises.
 */
function issueNow (req: ProduceRequest, ctx: RequestContext): IssuedTopic[] | undefined {
  const replicas = ctx.broker.replicas
  if (replicas === undefined || appendTurns.has(ctx.conn)) return undefined
  const image = ctx.broker.metadata.image()
  const config = ctx.broker.config.current()
  const now = BigInt(Date.now())
  const plans: Array<{ name: string, settings: ProduceSettings | undefined, parts: Array<{ data: ProduceRequestPartitionProduceData, partition: Partition | undefined, rejection: Rejection | null }> }> = []
  for (const t of req.topicData) {
    const topic = image.topics.get(t.name)
    const settings = topic === undefined ? undefined : produceSettingsFor(config, topic.configs)
    if (settings !== undefined && needsRecordChecks(settings)) return undefined
    const parts = []
    for (const data of t.partitionData) {
      const partition = settings === undefined ? undefined : replicas.get(t.name, data.index)
      // A partition of a known topic whose log is still opening: the asynchronous path waits for it.
      if (settings !== undefined && partition === undefined) return undefined
      let rejection: Rejection | null = null
      if (settings !== undefined) {
        const quick = checkRecordsQuick(data.records, `${t.name}-${data.index}`, settings, now)
        if (quick === NEEDS_RECORDS) return undefined
        rejection = quick
      }
      parts.push({ data, partition, rejection })
    }
    plans.push({ name: t.name, settings, parts })
  }
  return plans.map(t => ({
    name: t.name,
    partitions: t.parts.map(p => p.partition === undefined || t.settings === undefined
      ? unknownPartition(p.data.index)
      : issueChecked(ctx, t.name, p.partition, p.data, t.settings, p.rejection))
  }))
}

function failedWith (ctx: RequestContext, topic: string, index: number, err: unknown): PartitionOut {
  const code = kafkaCodeOf(err)
  if (code === ErrorCode.UNKNOWN_SERVER_ERROR) ctx.broker.log.error({ topic, partition: index, err: (err as Error).message }, 'produce failed')
  return failed(index, code, (err as Error).message)
}

/** Waits for an issued append as `acks` asks: the write (1) or durability (-1, bounded by timeout_ms). */
function complete (ctx: RequestContext, topic: string, issued: Issued, acks: number, timeoutMs: number): Promise<PartitionOut> {
  // A promise chain rather than an async function: one of these runs per partition of every produce.
  const waited: Promise<unknown> = acks === -1 ? withTimeout(issued.durable, timeoutMs) : Promise.resolve()
  return waited.then((done): PartitionOut | Promise<PartitionOut> => done === 'timeout'
    ? failed(issued.index, ErrorCode.REQUEST_TIMED_OUT, 'The data was written but not made durable within timeout_ms.')
    : issued.written.then((w): PartitionOut => ({ index: issued.index, errorCode: ErrorCode.NONE, baseOffset: w.firstOffset, logAppendTimeMs: w.logAppendTime, logStartOffset: w.logStartOffset, recordErrors: [], errorMessage: null }))
  ).catch((err: unknown) => failedWith(ctx, topic, issued.index, err))
}

const appendTurns = new WeakMap<object, Promise<void>>()

/**
 * Kafka handles one request per connection at a time, so a producer with
 * several requests in flight (max.in.flight > 1) sees them appended in the
 * order it sent them. We overlap the waits for durability, but a
 * connection's produce requests issue their appends strictly in arrival
 * order: each takes its turn synchronously, when the dispatcher hands it
 * over, and releases it once its appends are issued.
 */
async function inArrivalOrder<T> (conn: object, issue: () => Promise<T>): Promise<T> {
  const previous = appendTurns.get(conn)
  let release!: () => void
  const mine = new Promise<void>(resolve => { release = resolve })
  appendTurns.set(conn, mine)
  try {
    if (previous !== undefined) await previous
    return await issue()
  } finally {
    release()
    if (appendTurns.get(conn) === mine) appendTurns.delete(conn)
  }
}

export default defineHandler({
  api: ProduceApi,
  minVersion: 0,
  maxVersion: 11,
  async handle (req, ctx) {
    const { version, broker } = ctx
    const acks = req.acks
    let responses: Array<Input<ProduceResponseTopicProduceResponse>>
    if (version < 3) {
      responses = req.topicData.map(t => ({ name: t.name, partitionResponses: t.partitionData.map(p => failed(p.index, ErrorCode.UNSUPPORTED_VERSION)) }))
    } else if (acks !== 0 && acks !== 1 && acks !== -1) {
      responses = req.topicData.map(t => ({ name: t.name, partitionResponses: t.partitionData.map(p => failed(p.index, ErrorCode.INVALID_REQUIRED_ACKS)) }))
    } else {
      const issued = issueNow(req, ctx) ?? await inArrivalOrder(ctx.conn, async () => {
        const image = broker.metadata.image()
        const config = broker.config.current()
        return await Promise.all(req.topicData.map(async t => {
          const topic = image.topics.get(t.name)
          const settings = topic === undefined ? undefined : produceSettingsFor(config, topic.configs)
          return { name: t.name, partitions: await Promise.all(t.partitionData.map(p => issuePartition(ctx, t.name, settings, p))) }
        }))
      })
      // One wait over every partition of the request, then the response in request order.
      const outs = await Promise.all(issued.flatMap(t => t.partitions.map(p => 'written' in p ? complete(ctx, t.name, p, acks, req.timeoutMs) : p)))
      let at = 0
      responses = issued.map(t => ({ name: t.name, partitionResponses: t.partitions.map(() => outs[at++]!) }))
    }
    if (acks === 0) {
      const bad = responses.flatMap(t => t.partitionResponses!.filter(p => p.errorCode !== ErrorCode.NONE).map(p => `${t.name}-${p.index}: ${p.errorCode}`))
      if (bad.length > 0) throw new ProtocolError('TRIB_BROKER_PRODUCE_ACKS0_FAILED', `acks=0 produce failed (${bad.join(', ')}); closing the connection as Kafka does`)
      return null
    }
    // Fields newer than the request's version keep their defaults: log_start_offset from v5, record errors and messages from v8.
    if (version < 8) {
      for (const t of responses) for (const p of t.partitionResponses!) { p.recordErrors = []; p.errorMessage = null; if (version < 5) p.logStartOffset = -1n }
    }
    return { responses, throttleTimeMs: 0, nodeEndpoints: [] }
  }
})
