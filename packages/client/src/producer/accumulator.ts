import type { RecordHeaderInput } from '@tributary/protocol'
import type { Clock } from '../cluster/retry.js'

export interface AccumulatedRecord {
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeaderInput[]
  timestamp: bigint
}

export interface RecordMetadata {
  topic: string
  partition: number
  /** -1 when the broker does not say (acks=0, or a duplicate of an earlier write). */
  offset: bigint
  timestamp: bigint
}

interface Waiter {
  resolve: (m: RecordMetadata) => void
  reject: (e: Error) => void
}

/** Records for one partition, sent together as one v2 record batch. */
export class ProducerBatch {
  readonly records: AccumulatedRecord[] = []
  readonly waiters: Waiter[] = []
  bytes = 0
  /** No more records once full, sent once, or being retried. */
  closed = false
  attempts = 0
  /** Not sendable before this time (retry backoff). */
  retryAt = 0
  /** Set on first send so that retries reuse the same sequence (idempotence). */
  encoded: Buffer | undefined
  baseSequence = -1

  constructor (readonly topic: string, readonly partition: number, readonly createdAt: number) {}

  resolve (baseOffset: bigint, logAppendTime: bigint): void {
    this.records.forEach((r, i) => this.waiters[i]!.resolve({
      topic: this.topic,
      partition: this.partition,
      offset: baseOffset < 0n ? -1n : baseOffset + BigInt(i),
      timestamp: logAppendTime >= 0n ? logAppendTime : r.timestamp
    }))
  }

  reject (err: Error): void {
    for (const w of this.waiters) w.reject(err)
  }
}

export interface AccumulatorOptions {
  /** Kafka's `batch.size`: a batch is sent once it holds about this many bytes. */
  batchSize: number
  /** Kafka's `linger.ms`: how long a batch that is not full waits for more records. */
  lingerMs: number
  /**
   * Kafka's `max.request.size` (1 MiB): while a partition's batch is in
   * flight, the batches queued behind it are merged up to this size when
   * they go, so a backlog leaves in few large batches, not many small ones.
   */
  maxRequestSize?: number
  clock: Clock
}

/** Rough encoded size of a record, enough to decide when a batch is full. */
export function recordSize (r: AccumulatedRecord): number {
  let n = 21 + (r.key?.length ?? 0) + (r.value?.length ?? 0)
  for (const h of r.headers) n += 2 + h.key.length + (h.value?.length ?? 0)
  return n
}

/**
 * Collects records into one batch per partition (Kafka's
 * RecordAccumulator). A batch is ready when it is full, when its linger
 * time has passed, or during a flush; at most one batch per partition is
 * in flight, which keeps records in order across retries.
 */
export class RecordAccumulator {
  private readonly queues = new Map<string, ProducerBatch[]>()
  private readonly inFlight = new Set<string>()
  /** Partitions whose queued batches waited behind an in-flight one: they merge when they go. */
  private readonly backlogged = new Set<string>()
  private flushing = 0

  constructor (private readonly opts: AccumulatorOptions) {}

  append (topic: string, partition: number, record: AccumulatedRecord): Promise<RecordMetadata> {
    const key = `${topic}\u0000${partition}`
    let q = this.queues.get(key)
    if (q === undefined) { q = []; this.queues.set(key, q) }
    let batch = q[q.length - 1]
    const size = recordSize(record)
    if (batch === undefined || batch.closed || (batch.records.length > 0 && batch.bytes + size > this.opts.batchSize)) {
      if (batch !== undefined) batch.closed = true
      batch = new ProducerBatch(topic, partition, this.opts.clock.now())
      q.push(batch)
    }
    batch.records.push(record)
    batch.bytes += size
    if (batch.bytes >= this.opts.batchSize) batch.closed = true
    return new Promise((resolve, reject) => batch.waiters.push({ resolve, reject }))
  }

  /** Takes the batches that may go now: the head of each partition's queue, if ready and none is in flight. */
  drain (): ProducerBatch[] {
    const now = this.opts.clock.now()
    const out: ProducerBatch[] = []
    for (const [key, q] of this.queues) {
      const head = q[0]
      if (head === undefined || this.inFlight.has(key) || head.retryAt > now) continue
      const ready = head.closed || q.length > 1 || this.flushing > 0 || now - head.createdAt >= this.opts.lingerMs
      if (!ready) continue
      head.closed = true
      q.shift()
      if (this.backlogged.delete(key)) this.mergeBacklog(head, q)
      if (q.length === 0) this.queues.delete(key)
      this.inFlight.add(key)
      out.push(head)
    }
    return out
  }

  /**
   * Moves the records of the batches queued behind `head` into it, while
   * the total stays within maxRequestSize. Only batches never sent may
   * merge: a retried batch keeps its bytes and sequence numbers.
   */
  private mergeBacklog (head: ProducerBatch, q: ProducerBatch[]): void {
    if (head.encoded !== undefined || head.attempts > 0) return
    const max = this.opts.maxRequestSize ?? 1_048_576
    while (q.length > 0) {
      const next = q[0]!
      if (next.encoded !== undefined || next.attempts > 0 || head.bytes + next.bytes > max) break
      q.shift()
      next.closed = true
      head.records.push(...next.records)
      head.waiters.push(...next.waiters)
      head.bytes += next.bytes
    }
  }

  /** A sent batch came back done (resolved or rejected by the caller). */
  complete (batch: ProducerBatch): void {
    const key = `${batch.topic}\u0000${batch.partition}`
    this.inFlight.delete(key)
    if ((this.queues.get(key)?.length ?? 0) > 0) this.backlogged.add(key)
  }

  /** A sent batch failed retriably: it goes back to the head of its queue, to be sent after `backoffMs`. */
  requeue (batch: ProducerBatch, backoffMs: number): void {
    const key = `${batch.topic}\u0000${batch.partition}`
    this.inFlight.delete(key)
    batch.retryAt = this.opts.clock.now() + backoffMs
    let q = this.queues.get(key)
    if (q === undefined) { q = []; this.queues.set(key, q) }
    q.unshift(batch)
  }

  /**
   * Milliseconds until the next batch could become ready by time alone
   * (linger or backoff), or undefined when nothing is waiting.
   */
  nextReadyInMs (): number | undefined {
    const now = this.opts.clock.now()
    let min: number | undefined
    for (const [key, q] of this.queues) {
      const head = q[0]
      if (head === undefined || this.inFlight.has(key)) continue
      const at = head.retryAt > now ? head.retryAt : (head.closed || q.length > 1 || this.flushing > 0 ? now : head.createdAt + this.opts.lingerMs)
      const wait = Math.max(0, at - now)
      if (min === undefined || wait < min) min = wait
    }
    return min
  }

  /** While a flush runs, every batch is ready regardless of linger. */
  beginFlush (): void { this.flushing++ }
  endFlush (): void { this.flushing-- }

  get isEmpty (): boolean { return this.queues.size === 0 && this.inFlight.size === 0 }

  /** Fails every batch still queued (close without flush). */
  abort (err: Error): void {
    for (const q of this.queues.values()) for (const b of q) b.reject(err)
    this.queues.clear()
  }

  /** Batches waiting longer than `timeoutMs` since creation (Kafka's `delivery.timeout.ms`) are taken out. */
  expire (timeoutMs: number): ProducerBatch[] {
    const now = this.opts.clock.now()
    const out: ProducerBatch[] = []
    for (const [key, q] of this.queues) {
      while (q.length > 0 && now - q[0]!.createdAt >= timeoutMs && !this.inFlight.has(key)) out.push(q.shift()!)
      if (q.length === 0) this.queues.delete(key)
    }
    return out
  }
}
