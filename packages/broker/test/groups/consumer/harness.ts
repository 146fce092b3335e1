// A consumer group manager on a fake shard: records kept in memory (and
// replayed live as the shard does), a clock and timers the test moves, and a
// metadata image the test edits. `restart()` builds a new manager from the
// records' bytes, as a broker restart does.
import { createHash } from 'node:crypto'
import { ErrorCode } from '@tributary/protocol'
import { GroupWriteError, type GroupManager, type ShardContext } from '../../../src/groups/group-manager.js'
import { ConsumerGroupManager, type HeartbeatRequest, type HeartbeatResponse } from '../../../src/groups/consumer/index.js'
import { decodeGroupRecord, encodeGroupRecord, type GroupRecord } from '../../../src/groups/records/index.js'
import type { GroupSettings } from '../../../src/groups/settings.js'
import { OffsetStore } from '../../../src/groups/offsets/offset-store.js'
import { silentLogger, testGroupSettings } from '../fixtures.js'

export const silent = silentLogger

export const CONSUMER_SETTINGS: GroupSettings = testGroupSettings()

/** A stable topic id for a name (so that tests can write expected assignments). */
export function topicId (name: string): string {
  const h = createHash('sha256').update(name).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

export function imageOf (topics: Record<string, number>, internal: string[] = []): any {
  const byName = new Map<string, any>()
  for (const [name, n] of Object.entries(topics)) {
    byName.set(name, {
      name,
      id: topicId(name),
      internal: internal.includes(name),
      configs: {},
      partitions: Array.from({ length: n }, (_, index) => ({ index, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1] }))
    })
  }
  return { clusterId: 'c', controllerId: 1, epoch: 0, brokers: [], brokerConfigs: new Map(), topics: byName, topicsById: new Map([...byName.values()].map(t => [t.id, t])) }
}

/** Timers that fire only when the test advances the clock. */
export class FakeTimers {
  private readonly timers = new Map<string, { at: number, run: () => void }>()
  constructor (private readonly clock: { now: number }) {}
  schedule (key: string, delayMs: number, run: () => void): void { this.timers.set(key, { at: this.clock.now + delayMs, run }) }
  cancel (key: string): void { this.timers.delete(key) }
  has (key: string): boolean { return this.timers.has(key) }
  close (): void { this.timers.clear() }
  keys (): string[] { return [...this.timers.keys()] }
  /** Moves the clock and runs every timer that became due, in time order. */
  advance (ms: number): void {
    const until = this.clock.now + ms
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= until).sort(([, a], [, b]) => a.at - b.at)[0]
      if (due === undefined) break
      this.timers.delete(due[0])
      this.clock.now = Math.max(this.clock.now, due[1].at)
      due[1].run()
    }
    this.clock.now = until
  }
}

export class Harness {
  readonly clock = { now: 1_000_000 }
  readonly timers = new FakeTimers(this.clock)
  readonly records: GroupRecord[] = []
  image: any
  failWrites = false
  manager!: ConsumerGroupManager
  /** A stand-in for another group type's manager (a classic group in this shard). */
  other: GroupManager | undefined
  readonly ctx: ShardContext

  constructor (topics: Record<string, number> = {}, readonly settings: GroupSettings = CONSUMER_SETTINGS) {
    this.image = imageOf(topics)
    const self = this
    this.ctx = {
      partition: 0,
      settings,
      log: silent,
      timers: this.timers as any,
      metadata: { image: () => self.image } as any,
      offsets: new OffsetStore(),
      now: () => self.clock.now,
      async write (records: GroupRecord[]) {
        await Promise.resolve()
        if (self.failWrites) throw new GroupWriteError(ErrorCode.NOT_COORDINATOR, 'injected write failure')
        self.records.push(...records)
        for (const r of records) { self.manager.replay(r, true); self.other?.replay(r, true) }
      },
      groupType (groupId: string) {
        if (self.manager.has(groupId)) return 'consumer'
        return self.other?.has(groupId) === true ? 'classic' : undefined
      }
    }
    this.manager = new ConsumerGroupManager(this.ctx)
  }

  setTopics (topics: Record<string, number>, internal: string[] = []): void {
    this.image = imageOf(topics, internal)
  }

  async hb (req: Partial<HeartbeatRequest> & { memberId: string, memberEpoch: number }): Promise<HeartbeatResponse> {
    return await this.manager.heartbeat({
      groupId: 'g',
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: req.memberEpoch === 0 ? 60_000 : -1,
      subscribedTopicNames: null,
      subscribedTopicRegex: null,
      serverAssignor: null,
      topicPartitions: req.memberEpoch === 0 ? [] : null,
      clientId: 'client',
      clientHost: '/127.0.0.1',
      apiVersion: 1,
      managerOf: type => type === 'consumer' ? this.manager : this.other,
      ...req
    })
  }

  /** Lets queued timer operations (which run on the group's queue) finish. */
  async settle (): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise(resolve => setImmediate(resolve))
  }

  /** A new manager that loads every record written so far from its bytes (live = false). */
  restart (): ConsumerGroupManager {
    this.manager.close()
    this.timers.close()
    this.manager = new ConsumerGroupManager(this.ctx)
    for (const r of this.records) {
      const e = encodeGroupRecord(r)
      const d = decodeGroupRecord(e.key, e.value)
      if (d !== null) this.manager.replay(d, false)
    }
    this.manager.onLoaded()
    return this.manager
  }
}

/** Every partition held (assigned or pending revocation) by two members of a group, as "topic:partition". */
export function doublyOwned (m: ConsumerGroupManager, groupId = 'g'): string[] {
  const g = m.group(groupId)
  if (g === undefined) return []
  const seen = new Map<string, string>()
  const dup: string[] = []
  for (const member of g.members.values()) {
    for (const a of [member.assigned, member.pendingRevocation]) {
      for (const [t, ps] of a) {
        for (const p of ps) {
          const k = `${t}:${p}`
          const prev = seen.get(k)
          if (prev !== undefined && prev !== member.memberId) dup.push(k)
          seen.set(k, member.memberId)
        }
      }
    }
  }
  return dup
}
