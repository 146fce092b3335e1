import { ErrorCode } from '@tributary/protocol'
import type { TxnRecordValue } from './records.js'
import { canTransition, isCompleting, type TxnState } from './state.js'

export interface TopicPartition { topic: string, partition: number }

/** One transactional id's state (Kafka's TransactionMetadata). */
export interface TxnMetadata {
  transactionalId: string
  producerId: bigint
  producerEpoch: number
  timeoutMs: number
  state: TxnState
  /** The partitions of the ongoing transaction, keyed `topic\0partition`. */
  partitions: Map<string, TopicPartition>
  /** When the ongoing transaction started (its first AddPartitionsToTxn), -1 when none. */
  startTimestamp: number
  lastUpdateTimestamp: number
  /** A write or a round of markers is in flight: other requests get CONCURRENT_TRANSACTIONS. */
  pending: boolean
}

/** What a shard needs from the broker; injected so that the state machine is tested without one. */
export interface TxnShardDeps {
  /** Appends the record (null: tombstone) to this shard's `__transaction_state` partition and resolves once durable. */
  write: (transactionalId: string, value: TxnRecordValue | null) => Promise<void>
  /** Writes a COMMIT or ABORT marker for the producer to every partition (control batches through the log). */
  writeMarkers: (producerId: bigint, producerEpoch: number, commit: boolean, partitions: TopicPartition[]) => Promise<void>
  allocateProducerId: () => Promise<bigint>
  now: () => number
  onError: (message: string, err: unknown) => void
}

export interface InitResult { errorCode: number, producerId: bigint, producerEpoch: number }

/** Kafka bumps to a new producer id instead of reaching Short.MaxValue (the marker of a fenced epoch needs one more). */
const MAX_EPOCH = 32766

const key = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`

/**
 * The transaction coordinator's state machine for one partition of
 * `__transaction_state` (Kafka's TransactionCoordinator +
 * TransactionStateManager for one partition). Every change is written
 * durably first and applied to memory after (`replay`), so that a restart
 * rebuilds exactly what clients were told. A transactional id with a write
 * or marker round in flight answers CONCURRENT_TRANSACTIONS, as Kafka's
 * pendingState does.
 */
export class TxnShard {
  readonly txns = new Map<string, TxnMetadata>()
  /** Transactions whose markers are being written; close() waits for nothing, a restart resumes them. */
  private readonly inflight = new Set<Promise<unknown>>()

  constructor (readonly partition: number, private readonly deps: TxnShardDeps) {}

  /** Applies one record of the partition (load, and after each durable write). */
  replay (transactionalId: string, value: TxnRecordValue | null): void {
    if (value === null) { this.txns.delete(transactionalId); return }
    const existing = this.txns.get(transactionalId)
    const partitions = new Map<string, TopicPartition>()
    for (const t of value.partitions) for (const p of t.partitions) partitions.set(key({ topic: t.topic, partition: p }), { topic: t.topic, partition: p })
    this.txns.set(transactionalId, {
      transactionalId,
      producerId: value.producerId,
      producerEpoch: value.producerEpoch,
      timeoutMs: value.timeoutMs,
      state: value.state,
      partitions,
      startTimestamp: Number(value.startTimestamp),
      lastUpdateTimestamp: Number(value.lastUpdateTimestamp),
      pending: existing?.pending ?? false
    })
  }

  /** After load: transactions caught between Prepare* and Complete* get their markers again (Kafka's loading resends them). */
  resumeCompletions (): void {
    for (const m of this.txns.values()) {
      if (m.state === 'PrepareCommit' || m.state === 'PrepareAbort') this.track(this.finish(m, m.state === 'PrepareCommit'))
    }
  }

  private track (p: Promise<unknown>): void {
    const t = p.catch(err => { this.deps.onError('completing a transaction failed', err) }).finally(() => this.inflight.delete(t))
    this.inflight.add(t)
  }

  /** Resolves when the marker rounds started so far are done (tests, close). */
  async settled (): Promise<void> { await Promise.allSettled([...this.inflight]) }

  private valueOf (m: TxnMetadata, state: TxnState, changes: Partial<Pick<TxnMetadata, 'producerId' | 'producerEpoch' | 'timeoutMs' | 'startTimestamp'>> & { partitions?: Map<string, TopicPartition> } = {}): TxnRecordValue {
    const parts = new Map<string, number[]>()
    for (const tp of (changes.partitions ?? m.partitions).values()) {
      let list = parts.get(tp.topic)
      if (list === undefined) { list = []; parts.set(tp.topic, list) }
      list.push(tp.partition)
    }
    return {
      producerId: changes.producerId ?? m.producerId,
      producerEpoch: changes.producerEpoch ?? m.producerEpoch,
      timeoutMs: changes.timeoutMs ?? m.timeoutMs,
      state,
      partitions: [...parts].map(([topic, partitions]) => ({ topic, partitions })),
      lastUpdateTimestamp: BigInt(this.deps.now()),
      startTimestamp: BigInt(changes.startTimestamp ?? m.startTimestamp)
    }
  }

  /** Writes then applies; `pending` keeps other requests out meanwhile. */
  private async transition (m: TxnMetadata, value: TxnRecordValue): Promise<void> {
    if (!canTransition(m.state, value.state)) throw new Error(`invalid transaction transition ${m.state} -> ${value.state} for ${m.transactionalId}`)
    await this.deps.write(m.transactionalId, value)
    this.replay(m.transactionalId, value)
  }

  private async locked<T> (m: TxnMetadata, fn: () => Promise<T>): Promise<T> {
    m.pending = true
    try {
      return await fn()
    } finally {
      const current = this.txns.get(m.transactionalId)
      if (current !== undefined) current.pending = false
      m.pending = false
    }
  }

  /**
   * InitProducerId with a transactional id: a new producer id (epoch 0) for
   * an unknown id, else the epoch bumped, which fences the previous
   * producer. An ongoing transaction of the previous epoch is aborted first
   * (Kafka answers CONCURRENT_TRANSACTIONS and lets the client retry; the
   * abort is local here, so it is awaited instead). KIP-360: a request
   * carrying a producer id and epoch must match the current ones.
   */
  async initProducerId (transactionalId: string, timeoutMs: number, producerId: bigint, producerEpoch: number): Promise<InitResult> {
    const fail = (errorCode: number): InitResult => ({ errorCode, producerId: -1n, producerEpoch: -1 })
    let m = this.txns.get(transactionalId)
    if (m === undefined) {
      const pid = await this.deps.allocateProducerId()
      if (this.txns.has(transactionalId)) return fail(ErrorCode.CONCURRENT_TRANSACTIONS)
      const value: TxnRecordValue = { producerId: pid, producerEpoch: 0, timeoutMs, state: 'Empty', partitions: [], lastUpdateTimestamp: BigInt(this.deps.now()), startTimestamp: -1n }
      const placeholder: TxnMetadata = { transactionalId, producerId: pid, producerEpoch: 0, timeoutMs, state: 'Empty', partitions: new Map(), startTimestamp: -1, lastUpdateTimestamp: this.deps.now(), pending: true }
      this.txns.set(transactionalId, placeholder)
      try {
        await this.deps.write(transactionalId, value)
      } catch (err) {
        if (this.txns.get(transactionalId) === placeholder) this.txns.delete(transactionalId)
        throw err
      }
      this.replay(transactionalId, value)
      this.txns.get(transactionalId)!.pending = false
      return { errorCode: ErrorCode.NONE, producerId: pid, producerEpoch: 0 }
    }
    if (m.pending || isCompleting(m.state)) return fail(ErrorCode.CONCURRENT_TRANSACTIONS)
    if (producerId >= 0n && (producerId !== m.producerId || producerEpoch !== m.producerEpoch)) {
      // KIP-360: a producer recovering with an id and epoch that are no longer current was fenced.
      return fail(ErrorCode.PRODUCER_FENCED)
    }
    if (m.state === 'Ongoing') {
      await this.abortFenced(m)
      m = this.txns.get(transactionalId)
      if (m === undefined || m.pending) return fail(ErrorCode.CONCURRENT_TRANSACTIONS)
    }
    const cur = m
    return await this.locked(cur, async () => {
      const newId = cur.producerEpoch >= MAX_EPOCH ? await this.deps.allocateProducerId() : cur.producerId
      const newEpoch = newId === cur.producerId ? cur.producerEpoch + 1 : 0
      await this.transition(cur, this.valueOf(cur, 'Empty', { producerId: newId, producerEpoch: newEpoch, timeoutMs, partitions: new Map(), startTimestamp: -1 }))
      return { errorCode: ErrorCode.NONE, producerId: newId, producerEpoch: newEpoch }
    })
  }

  /** The checks every request of a producer makes: ErrorCode.NONE and the metadata, or the code. */
  private check (transactionalId: string, producerId: bigint, producerEpoch: number): { m: TxnMetadata, errorCode?: undefined } | { errorCode: number } {
    const m = this.txns.get(transactionalId)
    if (m === undefined || m.producerId !== producerId) return { errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING }
    if (producerEpoch !== m.producerEpoch) return { errorCode: ErrorCode.PRODUCER_FENCED }
    if (m.pending || isCompleting(m.state)) return { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS }
    return { m }
  }

  /** AddPartitionsToTxn / AddOffsetsToTxn: the partitions join the transaction, which starts if it was not ongoing. */
  async addPartitions (transactionalId: string, producerId: bigint, producerEpoch: number, partitions: TopicPartition[]): Promise<number> {
    const c = this.check(transactionalId, producerId, producerEpoch)
    if (c.errorCode !== undefined) return c.errorCode
    const m = c.m
    if (m.state === 'Dead') return ErrorCode.INVALID_TXN_STATE
    const merged = new Map(m.state === 'Ongoing' ? m.partitions : [])
    for (const tp of partitions) merged.set(key(tp), tp)
    // Nothing new for an ongoing transaction: answered without a write, as Kafka does.
    if (m.state === 'Ongoing' && merged.size === m.partitions.size) return ErrorCode.NONE
    const start = m.state === 'Ongoing' ? m.startTimestamp : this.deps.now()
    await this.locked(m, async () => await this.transition(m, this.valueOf(m, 'Ongoing', { partitions: merged, startTimestamp: start })))
    return ErrorCode.NONE
  }

  /** AddPartitionsToTxn v4+ verify_only (KIP-890): whether the partition is in the producer's ongoing transaction. */
  verify (transactionalId: string, producerId: bigint, producerEpoch: number, tp: TopicPartition): number {
    const m = this.txns.get(transactionalId)
    if (m === undefined || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
    if (m.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED
    return m.state === 'Ongoing' && m.partitions.has(key(tp)) ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE
  }

  /**
   * EndTxn: PrepareCommit/PrepareAbort is written, then a marker to every
   * partition of the transaction, then CompleteCommit/CompleteAbort. Kafka
   * answers once the Prepare record is durable and finishes in the
   * background (later requests get CONCURRENT_TRANSACTIONS meanwhile); the
   * markers are local appends here, so the answer waits for them and the
   * client needs no retry. A retried EndTxn of a completed transaction is
   * answered NONE; the other decision is INVALID_TXN_STATE.
   */
  async endTxn (transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean): Promise<number> {
    const c = this.check(transactionalId, producerId, producerEpoch)
    if (c.errorCode !== undefined) return c.errorCode
    const m = c.m
    switch (m.state) {
      case 'Ongoing': break
      case 'CompleteCommit': return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE
      case 'CompleteAbort': return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE
      default: return ErrorCode.INVALID_TXN_STATE
    }
    await this.locked(m, async () => {
      await this.transition(m, this.valueOf(m, commit ? 'PrepareCommit' : 'PrepareAbort'))
      await this.finish(this.txns.get(transactionalId) ?? m, commit)
    })
    return ErrorCode.NONE
  }

  /** Markers, then the Complete record (the transaction's partitions are cleared). */
  private async finish (m: TxnMetadata, commit: boolean): Promise<void> {
    await this.deps.writeMarkers(m.producerId, m.producerEpoch, commit, [...m.partitions.values()])
    const current = this.txns.get(m.transactionalId) ?? m
    await this.transition(current, this.valueOf(current, commit ? 'CompleteCommit' : 'CompleteAbort', { partitions: new Map(), startTimestamp: -1 }))
  }

  /**
   * Aborts an ongoing transaction with the epoch bumped, so that the
   * producer of the old epoch is fenced by the markers (Kafka's
   * PrepareEpochFence, used by InitProducerId and the timeout).
   */
  private async abortFenced (m: TxnMetadata): Promise<void> {
    await this.locked(m, async () => {
      const epoch = m.producerEpoch + 1
      await this.transition(m, this.valueOf(m, 'PrepareAbort', { producerEpoch: epoch }))
      await this.finish(this.txns.get(m.transactionalId) ?? m, false)
    })
  }

  /** transaction.timeout.ms: ongoing transactions older than their timeout are aborted with a fencing epoch bump. */
  abortTimedOut (): number {
    const now = this.deps.now()
    let n = 0
    for (const m of this.txns.values()) {
      if (m.state !== 'Ongoing' || m.pending || m.startTimestamp < 0 || now - m.startTimestamp <= m.timeoutMs) continue
      this.track(this.abortFenced(m))
      n++
    }
    return n
  }

  /** transactional.id.expiration.ms: ids idle in a finished state are removed (a tombstone). */
  expireIds (expirationMs: number): number {
    const now = this.deps.now()
    let n = 0
    for (const m of [...this.txns.values()]) {
      if (m.pending || !(m.state === 'Empty' || m.state === 'CompleteCommit' || m.state === 'CompleteAbort')) continue
      if (now - m.lastUpdateTimestamp < expirationMs) continue
      n++
      this.track(this.locked(m, async () => {
        await this.deps.write(m.transactionalId, null)
        this.replay(m.transactionalId, null)
      }))
    }
    return n
  }

  /** The ongoing transaction that holds producerId, if any (KIP-890 produce check). */
  byProducer (producerId: bigint): TxnMetadata | undefined {
    for (const m of this.txns.values()) if (m.producerId === producerId) return m
    return undefined
  }
}
