import { listTopics } from '../admin/topics.js'
import { Cluster } from '../cluster/cluster.js'
import { backoffMs } from '../cluster/retry.js'
import { ClientStateError, isRetriableError } from '../errors.js'
import { SIMPLE_COMMIT, commitOffsets, fetchOffsets, type CommittedOffset, type ConsumerGroupMetadata, type OffsetToCommit } from '../ops/group-offsets.js'
import { Fetcher } from './fetcher.js'
import type { GroupMembership } from './group-membership.js'
import { ClassicGroupMembership } from './groups/classic.js'
import { ConsumerGroupMembership } from './groups/kip848.js'
import { MessageBuffer, type BufferedBatch } from './message-buffer.js'
import { partitionKey, type FetchSnapshot, type PartitionState } from './partition-state.js'
import { resolvePositions } from './positions.js'
import type { ConsumerBatch, ConsumerMessage, ConsumerOptions, PartitionAssignment, StartOffset, TopicPartition } from './types.js'

/**
 * Reads assigned partitions. A background loop fetches from each leader
 * (Fetch, one request per leader at a time, no fetch session: every fetch
 * is a full one, session epoch -1) into a bounded buffer; the application
 * reads with `for await (const m of consumer)` or `consumer.batches()`.
 */
export class Consumer {
  readonly cluster: Cluster
  readonly groupId: string | undefined
  private readonly opts: ConsumerOptions
  private readonly buffer: MessageBuffer
  private readonly partitions = new Map<string, PartitionState>()
  private readonly readCommitted: boolean
  private membership: GroupMembership | undefined
  private subscribed = false
  private autoCommitTimer: NodeJS.Timeout | undefined
  private topicTimer: NodeJS.Timeout | undefined
  private readonly fetcher: Fetcher
  private loop: Promise<void> | undefined
  private wakeup: (() => void) | undefined
  private closed = false
  private closing: Promise<void> | undefined
  /** The batch being read message by message, shared by all iterators. */
  private cursor: { batch: BufferedBatch, index: number } | undefined

  constructor (opts: ConsumerOptions) {
    this.opts = opts
    this.cluster = new Cluster(opts)
    this.groupId = opts.groupId ?? opts.membership?.groupId
    this.readCommitted = opts.isolationLevel === 'read_committed'
    this.buffer = new MessageBuffer(opts.maxBufferedRecords ?? 10_000)
    this.membership = opts.membership
    this.fetcher = new Fetcher(this.cluster, opts, this.buffer, this.partitions, this.readCommitted)
  }

  /** Replaces the assignment (Kafka's assign()); partitions kept keep their position unless an offset is given. */
  assign (assignments: readonly PartitionAssignment[]): void {
    this.checkOpen()
    if (this.subscribed) throw new ClientStateError('assign() cannot be mixed with subscribe(): the group assigns the partitions')
    this.setAssignment(assignments)
  }

  /**
   * Joins the consumer group (groupId) with a subscription to topic names
   * or to every topic matching a regex (checked again every topicRefreshMs);
   * the group assigns the partitions. Resolves once the first assignment
   * is in place. Positions start at the committed offsets, else at
   * autoOffsetReset.
   */
  async subscribe (topics: readonly string[] | RegExp): Promise<void> {
    this.checkOpen()
    const groupId = this.requireGroup()
    if (this.subscribed) throw new ClientStateError('already subscribed')
    if (this.partitions.size > 0) throw new ClientStateError('subscribe() cannot be mixed with assign()')
    this.subscribed = true
    this.membership ??= this.opts.groupProtocol === 'consumer'
      ? new ConsumerGroupMembership(this.cluster, groupId, { rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs, groupInstanceId: this.opts.groupInstanceId, serverAssignor: this.opts.serverAssignor })
      : new ClassicGroupMembership(this.cluster, groupId, { sessionTimeoutMs: this.opts.sessionTimeoutMs, rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs, heartbeatIntervalMs: this.opts.heartbeatIntervalMs, groupInstanceId: this.opts.groupInstanceId })
    const membership = this.membership
    membership.onError(err => this.buffer.fail(err))
    let names: string[]
    if (topics instanceof RegExp) {
      const match = async (): Promise<string[]> => (await listTopics(this.cluster)).filter(t => topics.test(t))
      names = await match()
      const refresh = (): void => {
        this.topicTimer = setTimeout(() => {
          match().then(now => {
            if (now.join('\u0000') !== names.join('\u0000')) { names = now; membership.updateSubscription(now) }
          }, () => {}).finally(() => { if (!this.closed) refresh() })
        }, this.opts.topicRefreshMs ?? 5000)
      }
      refresh()
    } else {
      names = [...topics]
    }
    await membership.start(names, async assignment => await this.onGroupAssignment(assignment))
    if (this.opts.autoCommit !== false) this.scheduleAutoCommit()
  }

  /** The group moved partitions: commit what is given up (auto-commit), keep positions of what stays. */
  private async onGroupAssignment (assignment: readonly TopicPartition[]): Promise<void> {
    if (this.closed) return
    const keep = new Set(assignment.map(tp => partitionKey(tp.topic, tp.partition)))
    const revoked = [...this.partitions.values()].filter(s => !keep.has(partitionKey(s.topic, s.partition)))
    if (this.opts.autoCommit !== false && revoked.length > 0) await this.commitPositions(revoked).catch(() => {})
    this.setAssignment(assignment.map(tp => ({ topic: tp.topic, partition: tp.partition })))
    if (this.cursor !== undefined && !keep.has(partitionKey(this.cursor.batch.topic, this.cursor.batch.partition))) this.cursor = undefined
  }

  private scheduleAutoCommit (): void {
    this.autoCommitTimer = setTimeout(() => {
      this.commitPositions([...this.partitions.values()]).catch(() => {}).finally(() => { if (!this.closed) this.scheduleAutoCommit() })
    }, this.opts.autoCommitIntervalMs ?? 5000)
  }

  private async commitPositions (states: readonly PartitionState[]): Promise<void> {
    const list = states.filter(s => s.consumed !== undefined).map(s => ({ topic: s.topic, partition: s.partition, offset: s.consumed! }))
    if (list.length === 0 || this.groupId === undefined) return
    await commitOffsets(this.cluster, this.groupId, list, this.membership?.commitIdentity() ?? SIMPLE_COMMIT)
  }

  private setAssignment (assignments: readonly PartitionAssignment[]): void {
    const next = new Map<string, PartitionState>()
    for (const a of assignments) {
      const k = partitionKey(a.topic, a.partition)
      const old = this.partitions.get(k)
      if (old !== undefined && a.offset === undefined) { next.set(k, old); continue }
      next.set(k, { topic: a.topic, partition: a.partition, position: undefined, consumed: undefined, start: a.offset, paused: false, epoch: (old?.epoch ?? 0) + 1 })
      this.buffer.drop(a.topic, a.partition)
    }
    for (const [k, s] of this.partitions) if (!next.has(k)) this.buffer.drop(s.topic, s.partition)
    this.partitions.clear()
    for (const [k, s] of next) this.partitions.set(k, s)
    this.startLoop()
    this.wake()
  }

  assignment (): TopicPartition[] {
    return [...this.partitions.values()].map(s => ({ topic: s.topic, partition: s.partition }))
  }

  /** Moves the next fetch of a partition to `offset` (or the earliest/latest); buffered data of it is dropped. */
  seek ({ topic, partition, offset }: TopicPartition & { offset: StartOffset }): void {
    const s = this.state(topic, partition)
    s.epoch++
    s.position = undefined
    s.start = offset
    s.consumed = undefined
    this.buffer.drop(topic, partition)
    this.wake()
  }

  /** Stops fetching and delivering these partitions; resume() continues after the last delivered message. */
  pause (tps: readonly TopicPartition[]): void {
    for (const tp of tps) {
      const s = this.state(tp.topic, tp.partition)
      if (s.paused) continue
      s.paused = true
      s.epoch++
      // Data fetched but not delivered is dropped and fetched again on resume.
      s.position = s.consumed
      this.buffer.drop(tp.topic, tp.partition)
    }
  }

  resume (tps: readonly TopicPartition[]): void {
    for (const tp of tps) this.state(tp.topic, tp.partition).paused = false
    this.wake()
  }

  paused (): TopicPartition[] {
    return [...this.partitions.values()].filter(s => s.paused).map(s => ({ topic: s.topic, partition: s.partition }))
  }

  /** The offset after the last message delivered, or undefined when none was delivered yet. */
  position (tp: TopicPartition): bigint | undefined {
    return this.state(tp.topic, tp.partition).consumed
  }

  /**
   * Commits offsets for the group (OffsetCommit): the given ones, or the
   * position after the last delivered message of every assigned partition.
   * Without group membership the commit is a simple one (generation -1).
   */
  async commit (offsets?: readonly OffsetToCommit[]): Promise<void> {
    const groupId = this.requireGroup()
    if (offsets === undefined) { await this.commitPositions([...this.partitions.values()]); return }
    await commitOffsets(this.cluster, groupId, offsets, this.membership?.commitIdentity() ?? SIMPLE_COMMIT)
  }

  /**
   * Who this consumer is in its group now, for a transactional producer's
   * sendOffsetsToTransaction() (KIP-447): the group coordinator then
   * refuses the offsets of a member of an old generation.
   */
  groupMetadata (): ConsumerGroupMetadata & { groupId: string } {
    const groupId = this.requireGroup()
    const who = this.membership?.commitIdentity() ?? SIMPLE_COMMIT
    return { groupId, generationId: who.generationIdOrMemberEpoch, memberId: who.memberId, groupInstanceId: who.groupInstanceId }
  }

  /** The group's committed offsets for these partitions (offset -1 where none). */
  async committed (tps: readonly TopicPartition[]): Promise<CommittedOffset[]> {
    return await fetchOffsets(this.cluster, this.requireGroup(), tps)
  }

  /**
   * Messages one by one. The read position is the consumer's, not the
   * iterator's: leaving a `for await` early and starting another continues
   * with the next message of the same batch.
   */
  async * [Symbol.asyncIterator] (): AsyncGenerator<ConsumerMessage> {
    for (;;) {
      let c = this.cursor
      if (c === undefined || c.index >= c.batch.messages.length) {
        const b = await this.nextBatch()
        if (b === undefined) return
        c = this.cursor = { batch: b, index: 0 }
      }
      const s = this.partitions.get(partitionKey(c.batch.topic, c.batch.partition))
      if (s === undefined || s.epoch !== c.batch.epoch || s.paused) { this.cursor = undefined; continue }
      const m = c.batch.messages[c.index++]!
      s.consumed = m.offset + 1n
      yield m
    }
  }

  /** Batches as fetched, one partition each; every message of a batch counts as delivered. */
  async * batches (): AsyncGenerator<ConsumerBatch> {
    for (;;) {
      let b: BufferedBatch | undefined
      const c = this.cursor
      this.cursor = undefined
      if (c !== undefined && c.index < c.batch.messages.length) b = { ...c.batch, messages: c.batch.messages.slice(c.index) }
      else b = await this.nextBatch()
      if (b === undefined) return
      const s = this.partitions.get(partitionKey(b.topic, b.partition))
      if (s === undefined || s.epoch !== b.epoch || s.paused) continue
      s.consumed = b.messages[b.messages.length - 1]!.offset + 1n
      yield { topic: b.topic, partition: b.partition, highWatermark: b.highWatermark, messages: b.messages }
    }
  }

  /** Stops fetching, ends the iterators, leaves the group if any, closes connections. */
  close (): Promise<void> {
    this.closing ??= this.shutdown()
    return this.closing
  }

  private async shutdown (): Promise<void> {
    if (this.autoCommitTimer !== undefined) clearTimeout(this.autoCommitTimer)
    if (this.topicTimer !== undefined) clearTimeout(this.topicTimer)
    if (this.subscribed && this.opts.autoCommit !== false) await this.commitPositions([...this.partitions.values()]).catch(() => {})
    this.closed = true
    this.buffer.end()
    this.wake()
    try {
      await this.membership?.leave()
    } finally {
      this.cluster.close()
      await this.loop?.catch(() => {})
    }
  }

  /** Records fetched and not yet read (for backpressure tests and metrics). */
  get bufferedRecords (): number { return this.buffer.bufferedRecords }

  private async nextBatch (): Promise<BufferedBatch | undefined> {
    for (;;) {
      const b = await this.buffer.take()
      if (b === undefined) return undefined
      const s = this.partitions.get(partitionKey(b.topic, b.partition))
      // Fetched before a seek, pause or reassignment: stale.
      if (s === undefined || s.epoch !== b.epoch || s.paused) continue
      return b
    }
  }

  private state (topic: string, partition: number): PartitionState {
    const s = this.partitions.get(partitionKey(topic, partition))
    if (s === undefined) throw new ClientStateError(`${topic}-${partition} is not assigned to this consumer`)
    return s
  }

  private requireGroup (): string {
    if (this.groupId === undefined) throw new ClientStateError('commit and committed need a groupId')
    return this.groupId
  }

  private checkOpen (): void {
    if (this.closed) throw new ClientStateError('the consumer is closed')
  }

  private wake (): void {
    const w = this.wakeup
    this.wakeup = undefined
    w?.()
  }

  private sleep (ms: number): Promise<void> {
    return new Promise(resolve => {
      const t = setTimeout(() => { this.wakeup = undefined; resolve() }, ms)
      this.wakeup = () => { clearTimeout(t); resolve() }
    })
  }

  private startLoop (): void {
    this.loop ??= this.run()
  }

  private async run (): Promise<void> {
    let failures = 0
    while (!this.closed) {
      await this.buffer.space()
      if (this.closed) break
      try {
        await resolvePositions(this.cluster, this.partitions, this.groupId, this.opts.autoOffsetReset, this.readCommitted)
        const fetchable = [...this.partitions.values()].filter(s => !s.paused && s.position !== undefined)
        if (fetchable.length === 0) {
          await this.sleep(this.opts.maxWaitMs ?? 500)
          continue
        }
        // Positions are read now: a seek or pause during the awaits below changes the epoch and voids the answer.
        const byLeader = new Map<number, FetchSnapshot[]>()
        for (const snap of fetchable.map(s => ({ s, epoch: s.epoch, position: s.position! }))) {
          const leader = await this.cluster.leader(snap.s.topic, snap.s.partition)
          const l = byLeader.get(leader) ?? []
          l.push(snap)
          byLeader.set(leader, l)
        }
        await Promise.all([...byLeader].map(async ([node, states]) => await this.fetcher.fetchFrom(node, states)))
        failures = 0
      } catch (err) {
        if (this.closed) break
        if (isRetriableError(err)) {
          await this.sleep(backoffMs(Math.min(failures++, 10), this.cluster.retryOptions))
          await this.cluster.afterError(err).catch(() => {})
        } else {
          this.buffer.fail(err as Error)
          await this.sleep(backoffMs(Math.min(failures++, 10), this.cluster.retryOptions))
        }
      }
    }
  }

}
