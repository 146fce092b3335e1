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
  /**
   * Writes a COMMIT or ABORT marker for the producer to one partition (a
   * control batch carrying this shard's coordinator epoch) and resolves once
   * it is durable: 'written', or 'deleted' when the partition no longer
   * exists (Kafka drops markers for deleted partitions). A rejection is
   * retried with backoff, unless it is a MarkerFencedError.
   */
  writeMarker: (tp: TopicPartition, producerId: bigint, producerEpoch: number, commit: boolean) => Promise<'written' | 'deleted'>
  allocateProducerId: () => Promise<bigint>
  now: () => number
  onError: (message: string, err: unknown) => void
  /** First and longest wait between retries of a failed marker or Complete write (doubling). */
  retryBackoffMs?: number
  retryBackoffMaxMs?: number
}

/**
 * The partition refused the marker because a coordinator with a newer
 * epoch wrote markers for the producer (TRANSACTION_COORDINATOR_FENCED):
 * this coordinator is stale and stops completing the transaction, as
 * Kafka's marker channel stops sending (the newer coordinator owns it).
 */
export class MarkerFencedError extends Error {
  readonly errorCode = ErrorCode.TRANSACTION_COORDINATOR_FENCED
}

export interface InitResult { errorCode: number, producerId: bigint, producerEpoch: number }

/** Kafka bumps to a new producer id instead of reaching Short.MaxValue (the marker of a fenced epoch needs one more). */
const MAX_EPOCH = 32766

const key = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`

/** How long AddPartitionsToTxn waits for the previous transaction's markers before answering CONCURRENT_TRANSACTIONS. */
export const COMPLETION_WAIT_MS = 100

/** Resolves when `p` settles or after `ms`, whichever comes first; never rejects. */
async function waitAtMost (p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([p.then(() => {}, () => {}), new Promise<void>(resolve => { timer = setTimeout(resolve, ms) })])
  clearTimeout(timer)
}

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
  /** Transactional id by producer id, for the per-batch KIP-890 check of Produce. */
  private readonly idByProducer = new Map<bigint, string>()
  /** Background work (marker rounds, timeout aborts, expiry): settled() waits for it; close() stops retries, a restart resumes them. */
  private readonly inflight = new Set<Promise<unknown>>()
  /** Backoff waits in progress, woken early by close(). */
  private readonly sleepers = new Set<() => void>()
  private closed = false
  /** The marker round (Prepare* -> markers -> Complete*) in flight per transactional id. */
  private readonly completions = new Map<string, Promise<void>>()

  constructor (readonly partition: number, private readonly deps: TxnShardDeps) {}

  /** Applies one record of the partition (load, and after each durable write). */
  replay (transactionalId: string, value: TxnRecordValue | null): void {
    const existing = this.txns.get(transactionalId)
    if (existing !== undefined && this.idByProducer.get(existing.producerId) === transactionalId) this.idByProducer.delete(existing.producerId)
    if (value === null) { this.txns.delete(transactionalId); return }
    this.idByProducer.set(value.producerId, transactionalId)
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

  /**
   * After load: transactions caught between Prepare* and Complete* (a
   * restart, or markers that had not all been written) get their markers
   * written again and complete, as Kafka's coordinator does when it loads
   * a partition of `__transaction_state`.
   */
  resumeCompletions (): void {
    for (const m of this.txns.values()) {
      if (m.state === 'PrepareCommit' || m.state === 'PrepareAbort') this.completeInBackground(m.transactionalId, m.state === 'PrepareCommit')
    }
  }

  /** Stops the retries of marker rounds (the broker closes; the next load resumes them from the Prepare* record). */
  close (): void {
    this.closed = true
    for (const wake of [...this.sleepers]) wake()
    this.sleepers.clear()
  }

  private async sleep (ms: number): Promise<void> {
    if (this.closed) return
    await new Promise<void>(resolve => {
      const wake = (): void => { clearTimeout(timer); this.sleepers.delete(wake); resolve() }
      // Not unref'd: a transaction being completed keeps the process alive; close() wakes it.
      const timer = setTimeout(wake, ms)
      this.sleepers.add(wake)
    })
  }

  /** Runs `fn` until it succeeds, waiting with doubling backoff between failures; gives up when the shard closes or `fatal` says so. */
  private async retry<T> (what: string, fn: () => Promise<T>, fatal: (err: unknown) => boolean = () => false): Promise<T> {
    let backoff = this.deps.retryBackoffMs ?? 100
    const max = this.deps.retryBackoffMaxMs ?? 1000
    for (;;) {
      try {
        return await fn()
      } catch (err) {
        if (this.closed || fatal(err)) throw err
        this.deps.onError(`${what} failed; retrying in ${backoff} ms`, err)
        await this.sleep(backoff)
        if (this.closed) throw err
        backoff = Math.min(backoff * 2, max)
      }
    }
  }

  /** Writes the markers and Complete* in the background (see endTxn), remembered for addPartitions' short wait. */
  private completeInBackground (transactionalId: string, commit: boolean): void {
    const done = this.complete(transactionalId, commit)
    this.completions.set(transactionalId, done)
    const forget = (): void => { if (this.completions.get(transactionalId) === done) this.completions.delete(transactionalId) }
    done.then(forget, forget)
    this.track(done)
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
   * producer. KIP-360: a request carrying a producer id and epoch must match
   * the current ones. As Kafka's TransactionCoordinator: while markers of
   * the previous transaction are being written (Prepare*) the answer is
   * CONCURRENT_TRANSACTIONS; an Ongoing transaction is aborted with the
   * epoch bumped (Kafka's PrepareEpochFence: the markers carry the new
   * epoch, so the old producer is fenced on every partition) and the answer
   * is CONCURRENT_TRANSACTIONS once the PrepareAbort is durable, so that the
   * client retries and gets the next epoch after the abort completes.
   */
  async initProducerId (transactionalId: string, timeoutMs: number, producerId: bigint, producerEpoch: number): Promise<InitResult> {
    const fail = (errorCode: number): InitResult => ({ errorCode, producerId: -1n, producerEpoch: -1 })
    const m = this.txns.get(transactionalId)
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
    if (m.pending) return fail(ErrorCode.CONCURRENT_TRANSACTIONS)
    if (producerId >= 0n && (producerId !== m.producerId || producerEpoch !== m.producerEpoch)) {
      // KIP-360: a producer recovering with an id and epoch that are no longer current was fenced.
      return fail(ErrorCode.PRODUCER_FENCED)
    }
    if (isCompleting(m.state)) return fail(ErrorCode.CONCURRENT_TRANSACTIONS)
    if (m.state === 'Ongoing') {
      await this.abortFenced(m)
      return fail(ErrorCode.CONCURRENT_TRANSACTIONS)
    }
    return await this.locked(m, async () => {
      const newId = m.producerEpoch >= MAX_EPOCH ? await this.deps.allocateProducerId() : m.producerId
      const newEpoch = newId === m.producerId ? m.producerEpoch + 1 : 0
      await this.transition(m, this.valueOf(m, 'Empty', { producerId: newId, producerEpoch: newEpoch, timeoutMs, partitions: new Map(), startTimestamp: -1 }))
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

  /**
   * AddPartitionsToTxn / AddOffsetsToTxn: the partitions join the
   * transaction, which starts if it was not ongoing.
   *
   * A producer starts its next transaction as soon as EndTxn is answered,
   * while the previous transaction's markers are still being written (two
   * fsyncs here, where Kafka's markers are only replicated). Kafka answers
   * CONCURRENT_TRANSACTIONS and the client retries after a backoff (20 ms
   * in the Java client and librdkafka); here the request first waits for
   * that marker round, at most COMPLETION_WAIT_MS, and is then processed as
   * if it had arrived after it, which it may be: the outcome is one Kafka
   * gives too. A round that takes longer (a partition being unavailable)
   * still gets CONCURRENT_TRANSACTIONS.
   */
  async addPartitions (transactionalId: string, producerId: bigint, producerEpoch: number, partitions: TopicPartition[]): Promise<number> {
    const completing = this.completions.get(transactionalId)
    if (completing !== undefined && this.txns.get(transactionalId)?.producerEpoch === producerEpoch) await waitAtMost(completing, COMPLETION_WAIT_MS)
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
   * EndTxn, as Kafka's TransactionCoordinator: PrepareCommit/PrepareAbort is
   * written and, once durable, EndTxn is answered; the markers then go to
   * every partition of the transaction in the background (Kafka's
   * transaction marker channel), and CompleteCommit/CompleteAbort is written
   * after the last one. Until then requests for the id get
   * CONCURRENT_TRANSACTIONS (a retried EndTxn with the same decision too);
   * read_committed consumers see the records only once the marker reached
   * their partition. A retried EndTxn of a completed transaction is
   * answered NONE; the other decision is INVALID_TXN_STATE.
   */
  async endTxn (transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean): Promise<number> {
    const m = this.txns.get(transactionalId)
    if (m === undefined || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
    if (producerEpoch !== m.producerEpoch) return ErrorCode.PRODUCER_FENCED
    if (m.pending) return ErrorCode.CONCURRENT_TRANSACTIONS
    switch (m.state) {
      case 'Ongoing': break
      case 'PrepareCommit': return commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE
      case 'PrepareAbort': return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS
      case 'CompleteCommit': return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE
      case 'CompleteAbort': return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE
      default: return ErrorCode.INVALID_TXN_STATE
    }
    await this.locked(m, async () => await this.transition(m, this.valueOf(m, commit ? 'PrepareCommit' : 'PrepareAbort')))
    this.completeInBackground(transactionalId, commit)
    return ErrorCode.NONE
  }

  /**
   * The second half of a transaction's end: a marker to every partition
   * (each retried with backoff until written, or dropped when the
   * partition was deleted), then the Complete record (retried too). A
   * fenced marker (a newer coordinator) or closing the shard stops here;
   * the Prepare* record makes the next load resume.
   */
  private async complete (transactionalId: string, commit: boolean): Promise<void> {
    const m = this.txns.get(transactionalId)
    if (m === undefined || m.state !== (commit ? 'PrepareCommit' : 'PrepareAbort')) return
    const { producerId, producerEpoch } = m
    await Promise.all([...m.partitions.values()].map(async tp => await this.retry(
      `transaction marker for ${tp.topic}-${tp.partition} of ${transactionalId}`,
      async () => await this.deps.writeMarker(tp, producerId, producerEpoch, commit),
      err => err instanceof MarkerFencedError
    )))
    await this.retry(`completing ${transactionalId}`, async () => {
      const current = this.txns.get(transactionalId)
      if (current === undefined || current.state !== m.state) return
      await this.locked(current, async () => await this.transition(current, this.valueOf(current, commit ? 'CompleteCommit' : 'CompleteAbort', { partitions: new Map(), startTimestamp: -1 })))
    })
  }

  /**
   * Aborts an ongoing transaction with the epoch bumped, so that the
   * producer of the old epoch is fenced by the markers (Kafka's
   * PrepareEpochFence, used by InitProducerId and the timeout). Resolves
   * once PrepareAbort is durable; the markers follow in the background.
   */
  private async abortFenced (m: TxnMetadata): Promise<void> {
    await this.locked(m, async () => await this.transition(m, this.valueOf(m, 'PrepareAbort', { producerEpoch: m.producerEpoch + 1 })))
    this.completeInBackground(m.transactionalId, false)
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
    const id = this.idByProducer.get(producerId)
    return id === undefined ? undefined : this.txns.get(id)
  }
}
