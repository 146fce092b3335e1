import { mock } from 'node:test'
import { ErrorCode, Writer } from '@tributary/protocol'
import type { MetadataStore } from '@tributary/metadata'
import { GroupWriteError, type GroupType, type ShardContext } from '../../../src/groups/group-manager.js'
import { ClassicGroupManager } from '../../../src/groups/classic/manager.js'
import type { JoinParams, JoinResponse, SyncResponse } from '../../../src/groups/classic/types.js'
import { OffsetStore } from '../../../src/groups/offsets/offset-store.js'
import type { GroupRecord } from '../../../src/groups/records/index.js'
import type { GroupSettings } from '../../../src/groups/settings.js'
import { Timers } from '../../../src/groups/timers.js'
import type { Logger } from '../../../src/network/index.js'
import { silentLogger, testGroupSettings } from '../fixtures.js'

const silent: Logger = silentLogger

export const SETTINGS: GroupSettings = testGroupSettings({ offsetsTopicPartitions: 1 })

/**
 * A coordinator shard without a log: `write` records the batches and
 * replays them into the manager (live), after a microtask, or fails, or
 * waits for `release()` when `gate()` was called.
 */
export class FakeShard implements ShardContext {
  readonly partition = 0
  readonly log = silent
  readonly timers = new Timers()
  readonly metadata = null as unknown as MetadataStore
  readonly offsets = new OffsetStore()
  readonly settings: GroupSettings
  readonly written: GroupRecord[][] = []
  readonly manager: ClassicGroupManager
  failWith: number | null = null
  private gated: Array<() => void> | null = null

  constructor (settings: Partial<GroupSettings> = {}) {
    this.settings = { ...SETTINGS, ...settings }
    this.manager = new ClassicGroupManager(this)
  }

  now (): number { return Date.now() }

  gate (): void { this.gated = [] }
  release (): void { const g = this.gated ?? []; this.gated = null; for (const r of g) r() }

  async write (records: GroupRecord[]): Promise<void> {
    if (this.gated !== null) await new Promise<void>(resolve => this.gated!.push(resolve))
    else await Promise.resolve()
    if (this.failWith !== null) throw new GroupWriteError(this.failWith, 'injected failure')
    this.written.push(records)
    for (const r of records) this.manager.replay(r, true)
  }

  groupType (groupId: string): GroupType | undefined { return this.manager.has(groupId) ? 'classic' : undefined }

  /** The last metadata record written for a group. */
  lastGroupRecord (groupId: string): GroupRecord | undefined {
    for (let i = this.written.length - 1; i >= 0; i--) {
      const r = this.written[i]!.find(x => x.kind === 'group' && x.group === groupId)
      if (r !== undefined) return r
    }
    return undefined
  }
}

/** Fake timers (setTimeout and Date) for one test; returns `tick`. */
export function useFakeTime (t: { after: (fn: () => void) => void }): (ms: number) => Promise<void> {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 })
  t.after(() => mock.timers.reset())
  // The mock runs due callbacks at the end time of a tick, so a timer set from a callback would start late:
  // time advances in steps of at most 250 ms (the tests' deadlines fall on step boundaries).
  return async (ms: number) => {
    let left = ms
    do {
      const step = Math.min(left, 250)
      mock.timers.tick(step)
      left -= step
      await settle()
      // Timers a callback scheduled with no delay (a rescheduled initial rebalance) run too.
      for (let i = 0; i < 3; i++) { mock.timers.tick(0); await settle() }
    } while (left > 0)
  }
}

/** Lets pending promise callbacks run (writes resolve after microtasks). */
export async function settle (): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>(resolve => setImmediate(resolve))
}

export interface Tracked<T> { promise: Promise<T>, value: T | undefined, done: boolean }

export function track<T> (promise: Promise<T>): Tracked<T> {
  const t: Tracked<T> = { promise, value: undefined, done: false }
  void promise.then(v => { t.value = v; t.done = true })
  return t
}

/** A consumer-protocol subscription (ConsumerProtocolSubscription) of `version` for `topics`. */
export function subscription (topics: string[], version = 0): Buffer {
  const w = new Writer(64)
  w.int16(version).int32(topics.length)
  for (const t of topics) w.string(t)
  w.nullableBytes(null)
  if (version >= 1) w.int32(0)
  if (version >= 2) w.int32(-1)
  if (version >= 3) w.nullableString(null)
  return w.finish()
}

export function params (p: Partial<JoinParams> & { groupId?: string } = {}): JoinParams {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t']) }],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: true,
    supportsSkipAssignment: false,
    ...p
  }
}

/**
 * A member's full KIP-394 join: the first JoinGroup gets MEMBER_ID_REQUIRED
 * and the id, the second parks until the join phase completes.
 */
export async function joinWithId (m: ClassicGroupManager, p: Partial<JoinParams> = {}): Promise<{ memberId: string, response: Tracked<JoinResponse> }> {
  const first = await m.join(params(p))
  if (first.errorCode !== ErrorCode.MEMBER_ID_REQUIRED) throw new Error(`expected MEMBER_ID_REQUIRED, got ${first.errorCode}`)
  return { memberId: first.memberId, response: track(m.join(params({ ...p, memberId: first.memberId }))) }
}

export function syncReq (groupId: string, memberId: string, generationId: number, assignments: Record<string, string> = {}): Parameters<ClassicGroupManager['sync']>[0] {
  return { groupId, memberId, generationId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: Object.entries(assignments).map(([id, a]) => ({ memberId: id, assignment: Buffer.from(a) })) }
}

/** Forms a Stable group of `n` dynamic members (gen 1) with assignment "a<i>" each; returns their ids (leader first). */
export async function stableGroup (shard: FakeShard, n: number, tick: (ms: number) => Promise<void>, groupId = 'g'): Promise<string[]> {
  const m = shard.manager
  const joins = []
  for (let i = 0; i < n; i++) joins.push(await joinWithId(m, { groupId, clientId: `c${i}` }))
  await tick(0)
  const ids = joins.map(j => j.memberId)
  const responses = joins.map(j => j.response.value as JoinResponse)
  if (responses.some(r => r === undefined || r.errorCode !== ErrorCode.NONE)) throw new Error(`join did not complete: ${JSON.stringify(responses)}`)
  const leader = responses[0]!.leader
  const ordered = [leader, ...ids.filter(id => id !== leader)]
  const syncs: Array<Tracked<SyncResponse>> = []
  for (const id of ordered.slice(1)) syncs.push(track(m.sync(syncReq(groupId, id, 1))))
  const assignments = Object.fromEntries(ordered.map((id, i) => [id, `a${i}`]))
  syncs.unshift(track(m.sync(syncReq(groupId, leader, 1, assignments))))
  await settle()
  if (syncs.some(s => s.value?.errorCode !== ErrorCode.NONE)) throw new Error('sync did not complete')
  return ordered
}
