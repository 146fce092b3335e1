import { CompressionCodec, ErrorCode, KafkaError, encodeRecordBatch, type RecordHeaderInput } from '@tributary/protocol'
import { InitProducerIdApi } from '@tributary/protocol/apis/init-producer-id'
import { ProduceApi, type ProduceRequestTopicProduceData } from '@tributary/protocol/apis/produce'
import { Cluster } from '../cluster/cluster.js'
import { backoffMs } from '../cluster/retry.js'
import { ClientStateError, ProducerFencedError, RetriesExhaustedError, TransactionStateError, isFencingError, isRetriableError } from '../errors.js'
import type { ConsumerGroupMetadata, OffsetToCommit } from '../ops/group-offsets.js'
import { RecordAccumulator, type AccumulatedRecord, type ProducerBatch, type RecordMetadata } from './accumulator.js'
import { ProducerIdState, resolveIdempotence } from './idempotence.js'
import { COMPRESSION, type HeaderValue, type Message, type ProducerOptions, type SendRequest } from './options.js'
import { DefaultPartitioner, RoundRobinPartitioner, type Partitioner } from './partitioners.js'
import { TransactionState, tpKey } from './transaction-state.js'
import { TxnCoordinatorClient } from './txn-coordinator.js'

/** What sendOffsetsToTransaction() commits: the next offset to read per partition, for `groupId`. */
export interface TransactionOffsets {
  groupId: string
  offsets: ReadonlyArray<Omit<OffsetToCommit, 'offset'> & { offset: bigint | number }>
  /** The consuming member (KIP-447), so that the group coordinator fences zombies of old generations. */
  consumerGroupMetadata?: ConsumerGroupMetadata
}

interface Transactional { client: TxnCoordinatorClient, state: TransactionState }

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
  /** Set with `transactionalId`. */
  private readonly txn: Transactional | undefined
  /** AddPartitionsToTxn calls run one after another, so that a partition is added once. */
  private addChain: Promise<void> = Promise.resolve()
  /** send() calls still looking up metadata: commit and abort wait for them. */
  private readonly preparing = new Set<Promise<unknown>>()

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
    if (opts.transactionalId !== undefined) {
      // Transactions are built on idempotence (KIP-98): the Java client refuses the same combinations.
      if (opts.transactionalId === '') throw new ClientStateError('transactionalId must not be empty')
      if (opts.idempotent === false) throw new ClientStateError('a transactional producer is idempotent: idempotent: false contradicts transactionalId')
      if (this.acks !== -1) throw new ClientStateError(`a transactional producer needs acks=-1 (all), not acks=${this.acks}`)
      this.explicitIdempotence = true
      this.txn = { client: new TxnCoordinatorClient(this.cluster, opts.transactionalId, opts.transactionTimeoutMs ?? 60_000), state: new TransactionState() }
    }
  }

  /** The transactional id, when the producer is transactional. */
  get transactionalId (): string | undefined { return this.txn?.client.transactionalId }

  /**
   * Registers the transactional id with its coordinator (FindCoordinator
   * key type 1, then InitProducerId): obtains the producer id and a new
   * epoch, which fences any older producer with the same id and aborts
   * (or finishes) a transaction it left open. Call once, before the first
   * transaction.
   */
  async initTransactions (): Promise<void> {
    const txn = this.transactional('initTransactions()')
    txn.state.expect('initTransactions()', 'uninitialized')
    txn.state.phase = 'initializing'
    try {
      await this.connect()
      const pid = await txn.client.initProducerId()
      this.producerId = new ProducerIdState(pid.producerId, pid.producerEpoch)
      txn.state.phase = 'ready'
    } catch (err) {
      if (err instanceof ProducerFencedError) txn.state.fail(err)
      else txn.state.phase = 'uninitialized'
      throw err
    }
  }

  /** Starts a transaction; sends until commit or abort belong to it. */
  beginTransaction (): void {
    this.transactional('beginTransaction()').state.begin()
  }

  /**
   * Adds consumed offsets to the transaction (AddOffsetsToTxn to the
   * transaction coordinator, then TxnOffsetCommit to the group's): they
   * become the group's committed offsets only if the transaction commits.
   * If the group coordinator refuses them, the transaction can only abort.
   */
  async sendOffsetsToTransaction (req: TransactionOffsets): Promise<void> {
    const txn = this.transactional('sendOffsetsToTransaction()')
    txn.state.expect('sendOffsetsToTransaction()', 'in_transaction')
    const pid = this.pidOf()
    const offsets = req.offsets.map(o => ({ ...o, offset: BigInt(o.offset) }))
    await this.fenceOnError(async () => {
      await txn.client.addOffsets(pid, req.groupId)
      txn.state.offsetsAdded = true
      try {
        await txn.client.commitOffsets(pid, req.groupId, offsets, req.consumerGroupMetadata)
      } catch (err) {
        // As in the Java client, a refused TxnOffsetCommit (e.g. ILLEGAL_GENERATION: this
        // member was replaced, KIP-447) leaves the transaction only abortable, so that a
        // zombie's output never commits.
        if (!(err instanceof ProducerFencedError)) txn.state.abortableError ??= err as Error
        throw err
      }
    })
  }

  /**
   * Sends everything of the transaction, then commits it (EndTxn). When a
   * send of the transaction failed, the commit is refused: abort instead.
   * Any other failure leaves the transaction open to retry commit or abort.
   */
  async commitTransaction (): Promise<void> {
    const txn = this.transactional('commitTransaction()')
    txn.state.expect('commitTransaction()', 'in_transaction')
    txn.state.phase = 'committing'
    try {
      await this.flush()
      if (txn.state.abortableError !== undefined) {
        throw new TransactionStateError(`the transaction cannot commit because a send failed (${txn.state.abortableError.message}); abort it`)
      }
      if (txn.state.started) await this.fenceOnError(async () => await txn.client.endTxn(this.pidOf(), true))
      txn.state.completed()
    } finally {
      if (txn.state.phase === 'committing') txn.state.phase = 'in_transaction'
    }
  }

  /**
   * Drops the records not sent yet (their send() calls reject), waits for
   * those in flight, then aborts the transaction (EndTxn): read_committed
   * consumers never see its records, nor its offsets.
   */
  async abortTransaction (): Promise<void> {
    const txn = this.transactional('abortTransaction()')
    txn.state.expect('abortTransaction()', 'in_transaction')
    txn.state.phase = 'aborting'
    try {
      await Promise.allSettled([...this.preparing])
      this.accumulator.abort(new TransactionStateError('the transaction was aborted before this record was sent'))
      while (!this.accumulator.isEmpty) await new Promise<void>(resolve => { this.idleWaiters.push(resolve); this.wake() })
      if (txn.state.started) await this.fenceOnError(async () => await txn.client.endTxn(this.pidOf(), false))
      txn.state.completed()
    } finally {
      if (txn.state.phase === 'aborting') txn.state.phase = 'in_transaction'
    }
  }

  private transactional (what: string): Transactional {
    if (this.closed) throw new ClientStateError('the producer is closed')
    if (this.txn === undefined) throw new TransactionStateError(`${what} needs a transactional producer (the transactionalId option)`)
    return this.txn
  }

  private pidOf (): { producerId: bigint, producerEpoch: number } {
    const p = this.producerId
    if (p === undefined) throw new TransactionStateError('the producer has no producer id; call initTransactions() first')
    return { producerId: p.producerId, producerEpoch: p.producerEpoch }
  }

  /** A fencing error is fatal: every later call of this producer rethrows it. */
  private async fenceOnError<T> (fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      if (err instanceof ProducerFencedError) this.txn?.state.fail(err)
      throw err
    }
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
    this.checkTransaction()
    const prepare = (async () => {
      await this.connect()
      return await this.cluster.retry(`metadata of '${req.topic}'`, async () => await this.cluster.topic(req.topic, this.autoCreate))
    })()
    this.preparing.add(prepare)
    let topic
    try {
      topic = await prepare
    } finally {
      this.preparing.delete(prepare)
    }
    this.checkTransaction(true)
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

  /** A transactional producer sends only inside a transaction (also while commit waits for send() calls begun before it). */
  private checkTransaction (appending = false): void {
    const state = this.txn?.state
    if (state === undefined) return
    if (appending && state.phase === 'committing') return
    state.expect('send()', 'in_transaction')
    if (state.abortableError !== undefined) throw new TransactionStateError(`an earlier send of this transaction failed (${state.abortableError.message}); abort the transaction`)
  }

  /** Sends everything queued now (also by send() calls still looking up metadata), ignoring linger, and waits for the answers. */
  async flush (): Promise<void> {
    await Promise.allSettled([...this.preparing])
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
    // A transactional producer gets its id from initTransactions() instead.
    if (this.txn !== undefined) return
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
      if (this.txn !== undefined) void this.addThenProduce(byNode)
      else for (const [node, batches] of byNode) void this.produce(node, batches)
      const next = this.accumulator.nextReadyInMs()
      if (next !== undefined && this.timer === undefined) {
        this.timer = setTimeout(() => { this.timer = undefined; this.drain() }, Math.max(1, next))
      }
      if (this.accumulator.isEmpty) for (const w of this.idleWaiters.splice(0)) w()
    } finally {
      this.draining = false
    }
  }

  /**
   * Inside a transaction, the partitions a drain sends to for the first
   * time join the transaction first, with one AddPartitionsToTxn for all
   * of them (the broker refuses transactional batches to partitions
   * outside the transaction, KIP-890).
   */
  private async addThenProduce (byNode: Map<number, ProducerBatch[]>): Promise<void> {
    const txn = this.txn!
    const all = [...byNode.values()].flat()
    const step = this.addChain.then(async () => {
      if (txn.state.phase === 'aborting') throw new TransactionStateError('the transaction was aborted before this record was sent')
      const fresh = new Map<string, { topic: string, partition: number }>()
      for (const b of all) if (!txn.state.added.has(tpKey(b.topic, b.partition))) fresh.set(tpKey(b.topic, b.partition), { topic: b.topic, partition: b.partition })
      if (fresh.size === 0) return
      await this.fenceOnError(async () => await txn.client.addPartitions(this.pidOf(), [...fresh.values()]))
      for (const k of fresh.keys()) txn.state.added.add(k)
    })
    this.addChain = step.catch(() => {})
    try {
      await step
    } catch (err) {
      const final = this.noteFailure(err as Error)
      for (const b of all) this.done(b, () => b.reject(final))
      return
    }
    for (const [node, batches] of byNode) void this.produce(node, batches)
  }

  /**
   * A failed send of a transaction: fencing is fatal (the error becomes a
   * ProducerFencedError), anything else leaves the transaction only
   * abortable. Returns the error the send() rejects with.
   */
  private noteFailure (err: Error): Error {
    const state = this.txn?.state
    if (state === undefined) return err
    if (isFencingError(err)) err = new ProducerFencedError(`transactional id '${this.txn!.client.transactionalId}' was taken over by a newer producer (${err.name} from a partition leader); close this producer`, err)
    if (state.phase === 'fatal') return err
    if (err instanceof ProducerFencedError) state.fail(err)
    else if (state.phase !== 'aborting') state.abortableError ??= err
    return err
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
      const res = await this.cluster.send(node, ProduceApi, { transactionalId: this.txn?.client.transactionalId ?? null, acks: this.acks, timeoutMs: this.cluster.requestTimeoutMs, topicData: [...topics.values()] }, { noResponse: this.acks === 0 })
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
      transactional: this.txn !== undefined,
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
    if (!this.closed && this.txn?.state.phase !== 'aborting' && isRetriableError(err) && b.attempts < retries && now - b.createdAt < this.deliveryTimeoutMs) {
      const wait = backoffMs(b.attempts, this.cluster.retryOptions)
      b.attempts++
      // Stale leaders are refreshed while the batch waits out its backoff.
      this.cluster.afterError(err).catch(() => {}).finally(() => this.wake())
      this.accumulator.requeue(b, wait)
      this.wake()
      return
    }
    const final = isRetriableError(err) ? new RetriesExhaustedError(`produce to ${b.topic}-${b.partition}`, b.attempts + 1, err) : err
    const reported = this.noteFailure(final)
    this.done(b, () => b.reject(reported))
  }
}
