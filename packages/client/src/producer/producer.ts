import { CompressionCodec, ErrorCode, KafkaError, encodeRecordBatch, type RecordHeaderInput } from '@tributary/protocol'
import { InitProducerIdApi } from '@tributary/protocol/apis/init-producer-id'
import { ProduceApi, type ProduceRequestTopicProduceData } from '@tributary/protocol/apis/produce'
import { Cluster } from '../cluster/cluster.js'
import { backoffMs } from '../cluster/retry.js'
import { ClientStateError, RetriesExhaustedError, isRetriableError } from '../errors.js'
import { RecordAccumulator, type AccumulatedRecord, type ProducerBatch, type RecordMetadata } from './accumulator.js'
import { ProducerIdState, resolveIdempotence } from './idempotence.js'
import { COMPRESSION, type HeaderValue, type Message, type ProducerOptions, type SendRequest } from './options.js'
import { DefaultPartitioner, RoundRobinPartitioner, type Partitioner } from './partitioners.js'

const INIT_PRODUCER_ID_KEY = 22

function toBuffer (v: string | Buffer | null | undefined): Buffer | null {
  if (v === undefined || v === null) return null
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v
}

function toHeaders (h: Message['headers']): RecordHeaderInput[] {
  if (h === undefined) return []
  const list: Array<[string, HeaderValue]> = Array.isArray(h) ? h.map(e => [e.key, e.value]) : Object.entries(h)
  return list.map(([key, value]) => ({ key, value: toBuffer(value) }))
}

function toTimestamp (t: Message['timestamp']): bigint {
  if (t === undefined) return BigInt(Date.now())
  if (t instanceof Date) return BigInt(t.getTime())
  return BigInt(t)
}

/**
 * Sends records to partition leaders in batches. `send()` resolves when
 * every record of the call is acknowledged (with its offset) or fails with
 * a typed error; records of concurrent calls share batches.
 */
export class Producer {
  readonly cluster: Cluster
  private readonly acks: number
  private readonly codec: CompressionCodec
  private readonly lingerMs: number
  private readonly deliveryTimeoutMs: number
  private readonly autoCreate: boolean
  private readonly partitioner: Partitioner
  private readonly accumulator: RecordAccumulator
  private readonly explicitIdempotence: boolean | undefined
  private producerId: ProducerIdState | undefined
  private started: Promise<void> | undefined
  private timer: NodeJS.Timeout | undefined
  private draining = false
  private closed = false
  private closing: Promise<void> | undefined
  private idleWaiters: Array<() => void> = []

  constructor (opts: ProducerOptions) {
    this.cluster = new Cluster(opts)
    this.acks = opts.acks ?? -1
    if (![0, 1, -1].includes(this.acks)) throw new TypeError(`acks must be 0, 1 or -1, not ${String(opts.acks)}`)
    const codec = COMPRESSION[opts.compression ?? 'none']
    if (codec === undefined) throw new TypeError(`unknown compression '${String(opts.compression)}'`)
    this.codec = codec
    const batchSize = opts.batchSize ?? 16384
    this.lingerMs = opts.lingerMs ?? 5
    this.deliveryTimeoutMs = opts.deliveryTimeoutMs ?? 120_000
    this.autoCreate = opts.allowAutoTopicCreation ?? true
    this.explicitIdempotence = opts.idempotent
    this.partitioner = opts.partitioner === 'round-robin'
      ? new RoundRobinPartitioner()
      : opts.partitioner === undefined || opts.partitioner === 'default' ? new DefaultPartitioner(batchSize) : opts.partitioner
    this.accumulator = new RecordAccumulator({ batchSize, lingerMs: this.lingerMs, maxRequestSize: opts.maxRequestSize, clock: this.cluster.clock })
  }

  /** Whether writes carry a producer id and sequence numbers; known after connect(). */
  get idempotent (): boolean { return this.producerId !== undefined }

  /** Connects and settles idempotence; send() calls it on first use. */
  connect (): Promise<void> {
    this.started ??= this.start()
    return this.started
  }

  async send (req: SendRequest): Promise<RecordMetadata[]> {
    if (this.closed) throw new ClientStateError('the producer is closed')
    await this.connect()
    const topic = await this.cluster.retry(`metadata of '${req.topic}'`, async () => await this.cluster.topic(req.topic, this.autoCreate))
    const count = topic.partitions.length
    const results: Array<Promise<RecordMetadata>> = []
    for (const m of req.messages) {
      const record: AccumulatedRecord = { key: toBuffer(m.key), value: toBuffer(m.value), headers: toHeaders(m.headers), timestamp: toTimestamp(m.timestamp) }
      let partition = m.partition
      if (partition === undefined) {
        partition = this.partitioner.partition({ topic: req.topic, key: record.key, size: (record.key?.length ?? 0) + (record.value?.length ?? 0) + 21, partitionCount: count })
      } else if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
        throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${req.topic}' has ${count} partitions; partition ${partition} does not exist`)
      }
      results.push(this.accumulator.append(req.topic, partition, record))
    }
    this.wake()
    return await Promise.all(results)
  }

  /** Sends everything queued now, ignoring linger, and waits for the answers. */
  async flush (): Promise<void> {
    this.accumulator.beginFlush()
    try {
      this.wake()
      while (!this.accumulator.isEmpty) await new Promise<void>(resolve => this.idleWaiters.push(resolve))
    } finally {
      this.accumulator.endFlush()
    }
  }

  /** Flushes, then closes the connections. */
  close (): Promise<void> {
    this.closing ??= this.shutdown()
    return this.closing
  }

  private async shutdown (): Promise<void> {
    try {
      await this.flush()
    } finally {
      this.closed = true
      if (this.timer !== undefined) clearTimeout(this.timer)
      this.accumulator.abort(new ClientStateError('the producer closed'))
      this.cluster.close()
    }
  }

  private async start (): Promise<void> {
    const conn = await this.cluster.retry('connect', async () => await this.cluster.any())
    const idempotent = resolveIdempotence(this.explicitIdempotence, this.acks, conn.supports(INIT_PRODUCER_ID_KEY))
    if (!idempotent) return
    const res = await this.cluster.retry('InitProducerId', async () => {
      const r = await this.cluster.send('any', InitProducerIdApi, { transactionalId: null, transactionTimeoutMs: -1, producerId: -1n, producerEpoch: -1 })
      if (r.errorCode !== 0) throw KafkaError.fromCode(r.errorCode, 'InitProducerId')
      return r
    })
    this.producerId = new ProducerIdState(res.producerId, res.producerEpoch)
  }

  /** Schedules a drain now (something became ready) or when the next linger expires. */
  private wake (): void {
    if (this.closed && this.accumulator.isEmpty) return
    if (this.timer !== undefined) { clearTimeout(this.timer); this.timer = undefined }
    queueMicrotask(() => this.drain())
  }

  private drain (): void {
    if (this.draining) return
    this.draining = true
    try {
      for (const b of this.accumulator.expire(this.deliveryTimeoutMs)) {
        b.reject(new RetriesExhaustedError(`delivery to ${b.topic}-${b.partition}`, b.attempts, new KafkaError(ErrorCode.REQUEST_TIMED_OUT, `records waited longer than ${this.deliveryTimeoutMs} ms`)))
      }
      const byNode = new Map<number, ProducerBatch[]>()
      for (const batch of this.accumulator.drain()) {
        const p = this.cluster.metadata.topics.get(batch.topic)?.partitions[batch.partition]
        if (p === undefined || p.leader < 0) {
          this.retryOrFail(batch, new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `no leader known for ${batch.topic}-${batch.partition}`))
          continue
        }
        const list = byNode.get(p.leader) ?? []
        list.push(batch)
        byNode.set(p.leader, list)
      }
      for (const [node, batches] of byNode) void this.produce(node, batches)
      const next = this.accumulator.nextReadyInMs()
      if (next !== undefined && this.timer === undefined) {
        this.timer = setTimeout(() => { this.timer = undefined; this.drain() }, Math.max(1, next))
      }
      if (this.accumulator.isEmpty) for (const w of this.idleWaiters.splice(0)) w()
    } finally {
      this.draining = false
    }
  }

  private async produce (node: number, batches: ProducerBatch[]): Promise<void> {
    const topics = new Map<string, ProduceRequestTopicProduceData>()
    try {
      for (const b of batches) {
        b.encoded ??= await this.encode(b)
        let t = topics.get(b.topic)
        if (t === undefined) { t = { name: b.topic, partitionData: [] }; topics.set(b.topic, t) }
        t.partitionData.push({ index: b.partition, records: b.encoded })
      }
      const res = await this.cluster.send(node, ProduceApi, { transactionalId: null, acks: this.acks, timeoutMs: this.cluster.requestTimeoutMs, topicData: [...topics.values()] }, { noResponse: this.acks === 0 })
      if (this.acks === 0) {
        for (const b of batches) this.done(b, () => b.resolve(-1n, -1n))
        return
      }
      const answered = new Map<string, { errorCode: number, baseOffset: bigint, logAppendTimeMs: bigint, errorMessage: string | null }>()
      for (const t of res.responses) for (const p of t.partitionResponses) answered.set(`${t.name}\u0000${p.index}`, p)
      for (const b of batches) {
        const p = answered.get(`${b.topic}\u0000${b.partition}`)
        if (p === undefined) this.retryOrFail(b, new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `no answer for ${b.topic}-${b.partition} in the produce response`))
        else if (p.errorCode === 0) this.done(b, () => b.resolve(p.baseOffset, p.logAppendTimeMs))
        // The broker already has this batch (a retry of a write that succeeded, KIP-98): done, offset unknown.
        else if (p.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) this.done(b, () => b.resolve(-1n, -1n))
        else this.retryOrFail(b, KafkaError.fromCode(p.errorCode, `produce to ${b.topic}-${b.partition}: ${p.errorMessage ?? KafkaError.fromCode(p.errorCode).message}`))
      }
    } catch (err) {
      for (const b of batches) this.retryOrFail(b, err as Error)
    }
  }

  private async encode (b: ProducerBatch): Promise<Buffer> {
    const pid = this.producerId
    if (pid !== undefined) b.baseSequence = pid.take(b.topic, b.partition, b.records.length)
    return await encodeRecordBatch({
      compression: this.codec,
      producerId: pid?.producerId,
      producerEpoch: pid?.producerEpoch,
      baseSequence: pid === undefined ? undefined : b.baseSequence,
      records: b.records
    })
  }

  private done (b: ProducerBatch, settle: () => void): void {
    settle()
    this.accumulator.complete(b)
    this.wake()
  }

  /** A retriable failure goes back in the queue (same bytes, same sequence) unless the delivery timeout passed. */
  private retryOrFail (b: ProducerBatch, err: Error): void {
    const now = this.cluster.clock.now()
    const retries = this.cluster.retryOptions.retries ?? Number.POSITIVE_INFINITY
    if (!this.closed && isRetriableError(err) && b.attempts < retries && now - b.createdAt < this.deliveryTimeoutMs) {
      const wait = backoffMs(b.attempts, this.cluster.retryOptions)
      b.attempts++
      // Stale leaders are refreshed while the batch waits out its backoff.
      this.cluster.afterError(err).catch(() => {}).finally(() => this.wake())
      this.accumulator.requeue(b, wait)
      this.wake()
      return
    }
    this.done(b, () => b.reject(isRetriableError(err) ? new RetriesExhaustedError(`produce to ${b.topic}-${b.partition}`, b.attempts + 1, err) : err))
  }
}
