// The broker-side assignors of KIP-848 consumer groups
// (group.consumer.assignors): `uniform` (Kafka's default, sticky and
// balanced) and `range` (co-partitioned ranges per topic). An assignor sees
// the members' subscriptions (topic ids) and the previous target assignment,
// and returns the new target for every member.
import { EMPTY_ASSIGNMENT, assignmentOf, type Assignment } from './assignment.js'

export interface AssignorMember {
  memberId: string
  instanceId: string | null
  rackId: string | null
  /** Ids of the topics the member subscribes to that exist. */
  topics: ReadonlySet<string>
  /** The member's previous target assignment (stickiness). */
  current: Assignment
}

export interface AssignorTopic {
  id: string
  name: string
  partitions: number
}

export interface Assignor {
  readonly name: string
  /** The target assignment of every member (members without partitions get an empty one). */
  assign (members: readonly AssignorMember[], topics: ReadonlyMap<string, AssignorTopic>): Map<string, Assignment>
}

const byMemberId = (a: AssignorMember, b: AssignorMember): number => a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0

/** Partitions of one member while an assignor works: topic id → set of partitions, and the count. */
class Bucket {
  readonly parts = new Map<string, Set<number>>()
  size = 0
  constructor (readonly member: AssignorMember) {}
  add (t: string, p: number): void {
    let s = this.parts.get(t)
    if (s === undefined) { s = new Set(); this.parts.set(t, s) }
    if (!s.has(p)) { s.add(p); this.size++ }
  }

  remove (t: string, p: number): void {
    const s = this.parts.get(t)
    if (s?.delete(p) === true) { this.size--; if (s.size === 0) this.parts.delete(t) }
  }

  toAssignment (): Assignment {
    return this.size === 0 ? EMPTY_ASSIGNMENT : assignmentOf(this.parts)
  }
}

const key = (t: string, p: number): string => `${t}:${p}`

/**
 * Kafka's UniformAssignor: every partition of the subscribed topics goes to
 * one subscribed member, the counts differ by at most one where the
 * subscriptions allow it, and partitions stay with their previous owner
 * unless balance needs them elsewhere. Homogeneous subscriptions (every
 * member subscribes to the same topics, the usual case) use quotas as
 * Kafka's optimized builder does; heterogeneous ones fill the least loaded
 * subscribed member, then move partitions from the most to the least loaded
 * members while that narrows the gap. Racks are not taken into account.
 */
export const uniformAssignor: Assignor = {
  name: 'uniform',
  assign (members, topics) {
    const sorted = [...members].sort(byMemberId)
    const buckets = sorted.map(m => new Bucket(m))
    const out = new Map<string, Assignment>()
    if (sorted.length === 0) return out
    const subscribed = new Map<string, Bucket[]>()
    for (const b of buckets) {
      for (const t of b.member.topics) {
        if (!topics.has(t)) continue
        let list = subscribed.get(t)
        if (list === undefined) { list = []; subscribed.set(t, list) }
        list.push(b)
      }
    }
    // Stickiness: each member keeps the valid partitions of its previous target (first claim wins).
    const taken = new Set<string>()
    for (const b of buckets) {
      for (const [t, ps] of b.member.current) {
        const topic = topics.get(t)
        if (topic === undefined || !b.member.topics.has(t)) continue
        for (const p of ps) {
          if (p < topic.partitions && !taken.has(key(t, p))) { taken.add(key(t, p)); b.add(t, p) }
        }
      }
    }
    const homogeneous = buckets.every(b => sameTopics(b.member.topics, buckets[0]!.member.topics, topics))
    if (homogeneous) assignHomogeneous(buckets, subscribed, topics, taken)
    else assignHeterogeneous(buckets, subscribed, topics, taken)
    for (const b of buckets) out.set(b.member.memberId, b.toAssignment())
    return out
  }
}

function sameTopics (a: ReadonlySet<string>, b: ReadonlySet<string>, topics: ReadonlyMap<string, AssignorTopic>): boolean {
  const fa = [...a].filter(t => topics.has(t))
  const fb = [...b].filter(t => topics.has(t))
  return fa.length === fb.length && fa.every(t => b.has(t))
}

/** Unassigned partitions in a stable order: topics by name, then partition. */
function unassigned (subscribed: Map<string, Bucket[]>, topics: ReadonlyMap<string, AssignorTopic>, taken: Set<string>): Array<[string, number]> {
  const ids = [...subscribed.keys()].sort((x, y) => {
    const a = topics.get(x)!.name; const b = topics.get(y)!.name
    return a < b ? -1 : a > b ? 1 : 0
  })
  const out: Array<[string, number]> = []
  for (const t of ids) {
    const n = topics.get(t)!.partitions
    for (let p = 0; p < n; p++) if (!taken.has(key(t, p))) out.push([t, p])
  }
  return out
}

function assignHomogeneous (buckets: Bucket[], subscribed: Map<string, Bucket[]>, topics: ReadonlyMap<string, AssignorTopic>, taken: Set<string>): void {
  let total = 0
  for (const t of subscribed.keys()) total += topics.get(t)!.partitions
  const n = buckets.length
  const quota = Math.floor(total / n)
  let extra = total % n
  // Members that already hold more than the quota keep one extra partition
  // while extras remain, the fullest first; the rest of their surplus is freed.
  const byLoad = [...buckets].sort((a, b) => b.size - a.size || byMemberId(a.member, b.member))
  const target = new Map<Bucket, number>()
  for (const b of byLoad) {
    if (b.size > quota && extra > 0) { target.set(b, quota + 1); extra-- } else target.set(b, quota)
  }
  for (const b of byLoad) {
    const max = target.get(b)!
    if (b.size <= max) continue
    // Free the highest partitions of the topics last in name order.
    const owned = [...b.parts].flatMap(([t, ps]) => [...ps].map(p => [t, p] as [string, number]))
      .sort(([ta, pa], [tb, pb]) => cmpTopic(topics, ta, tb) || pa - pb)
    while (b.size > max) {
      const [t, p] = owned.pop()!
      b.remove(t, p)
      taken.delete(key(t, p))
    }
  }
  // Fill every member up to the quota, least loaded first; the partitions
  // left then are the extras still unclaimed, one each to members at quota.
  const free = unassigned(subscribed, topics, taken)
  let i = 0
  for (const b of [...buckets].sort((a, b) => a.size - b.size || byMemberId(a.member, b.member))) {
    while (b.size < quota && i < free.length) { const [t, p] = free[i++]!; b.add(t, p); taken.add(key(t, p)) }
  }
  for (const b of buckets) {
    if (i >= free.length) break
    if (target.get(b) === quota) { const [t, p] = free[i++]!; b.add(t, p); taken.add(key(t, p)) }
  }
}

function cmpTopic (topics: ReadonlyMap<string, AssignorTopic>, a: string, b: string): number {
  const x = topics.get(a)?.name ?? a; const y = topics.get(b)?.name ?? b
  return x < y ? -1 : x > y ? 1 : 0
}

function assignHeterogeneous (buckets: Bucket[], subscribed: Map<string, Bucket[]>, topics: ReadonlyMap<string, AssignorTopic>, taken: Set<string>): void {
  // Topics with fewer subscribers first: they have the fewest choices.
  const free = unassigned(subscribed, topics, taken)
    .sort(([ta, pa], [tb, pb]) => subscribed.get(ta)!.length - subscribed.get(tb)!.length || cmpTopic(topics, ta, tb) || pa - pb)
  for (const [t, p] of free) {
    const candidates = subscribed.get(t)!
    let best = candidates[0]!
    for (const b of candidates) if (b.size < best.size) best = b
    best.add(t, p)
    taken.add(key(t, p))
  }
  // Balance: move a partition from a member to a less loaded subscriber while
  // their counts differ by two or more. Each move lowers the sum of squared
  // counts, so this ends; the cap is a guard against a bug, not a limit.
  let guard = 0
  const limit = (taken.size + 1) * (buckets.length + 1)
  for (;;) {
    if (guard++ > limit) break
    let moved = false
    const byLoad = [...buckets].sort((a, b) => b.size - a.size || byMemberId(a.member, b.member))
    outer:
    for (const from of byLoad) {
      const owned = [...from.parts].flatMap(([t, ps]) => [...ps].map(p => [t, p] as [string, number]))
        .sort(([ta, pa], [tb, pb]) => cmpTopic(topics, tb, ta) || pb - pa)
      for (const [t, p] of owned) {
        let to: Bucket | undefined
        for (const b of subscribed.get(t) ?? []) if (b !== from && (to === undefined || b.size < to.size)) to = b
        if (to !== undefined && from.size - to.size >= 2) {
          from.remove(t, p)
          to.add(t, p)
          moved = true
          break outer
        }
      }
    }
    if (!moved) break
  }
}

/**
 * Kafka's server-side RangeAssignor: for each topic, its subscribers in
 * order (instance id, else member id) get contiguous ranges of partitions,
 * the first `partitions % subscribers` of them one more. Members subscribed
 * to the same topics get the same partition numbers of each (co-partitioning).
 */
export const rangeAssignor: Assignor = {
  name: 'range',
  assign (members, topics) {
    const order = (m: AssignorMember): string => m.instanceId ?? m.memberId
    const sorted = [...members].sort((a, b) => order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : byMemberId(a, b))
    const buckets = new Map(sorted.map(m => [m.memberId, new Bucket(m)]))
    for (const topic of topics.values()) {
      const subs = sorted.filter(m => m.topics.has(topic.id))
      if (subs.length === 0) continue
      const quota = Math.floor(topic.partitions / subs.length)
      const extra = topic.partitions % subs.length
      let next = 0
      subs.forEach((m, i) => {
        const count = quota + (i < extra ? 1 : 0)
        const b = buckets.get(m.memberId)!
        for (let p = next; p < next + count; p++) b.add(topic.id, p)
        next += count
      })
    }
    const out = new Map<string, Assignment>()
    for (const [id, b] of buckets) out.set(id, b.toAssignment())
    return out
  }
}

export const ASSIGNORS: ReadonlyMap<string, Assignor> = new Map([uniformAssignor, rangeAssignor].map(a => [a.name, a]))
