// Partition assignments of KIP-848 consumer groups: topic id → partition
// ids, as the heartbeat carries them. An Assignment is treated as immutable:
// every change builds a new one, so members and targets can share them and a
// group snapshot is a shallow copy.

/** Topic id → partition ids, ascending; a topic without partitions is absent. */
export type Assignment = ReadonlyMap<string, readonly number[]>

export const EMPTY_ASSIGNMENT: Assignment = new Map()

/** An assignment from (topic id, partitions) pairs: partitions sorted and de-duplicated, empty topics dropped. */
export function assignmentOf (entries: Iterable<readonly [string, Iterable<number>]>): Assignment {
  const out = new Map<string, number[]>()
  for (const [topicId, partitions] of entries) {
    const set = new Set(out.get(topicId))
    for (const p of partitions) set.add(p)
    if (set.size > 0) out.set(topicId, [...set].sort((a, b) => a - b))
  }
  return out
}

export function sameAssignment (a: Assignment, b: Assignment): boolean {
  if (a === b) return true
  if (a.size !== b.size) return false
  for (const [topicId, pa] of a) {
    const pb = b.get(topicId)
    if (pb === undefined || pb.length !== pa.length) return false
    for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return false
  }
  return true
}

export function partitionCount (a: Assignment): number {
  let n = 0
  for (const ps of a.values()) n += ps.length
  return n
}

export function hasPartition (a: Assignment, topicId: string, partition: number): boolean {
  return a.get(topicId)?.includes(partition) ?? false
}

/** Every (topic id, partition) of an assignment. */
export function * partitionsOf (a: Assignment): Generator<[string, number]> {
  for (const [topicId, ps] of a) for (const p of ps) yield [topicId, p]
}

/** The heartbeat's and describe's form, topics in id order. */
export function toTopicPartitions (a: Assignment): Array<{ topicId: string, partitions: number[] }> {
  return [...a].sort(([x], [y]) => x < y ? -1 : x > y ? 1 : 0).map(([topicId, ps]) => ({ topicId, partitions: [...ps] }))
}

/** The partitions a heartbeat reports as owned (null: not reported). */
export type OwnedPartitions = ReadonlyArray<{ topicId: string, partitions: readonly number[] }> | null

/** Whether every owned partition is in `a` (Kafka's isSubset; null is not a subset). */
export function ownedIsSubset (owned: OwnedPartitions, a: Assignment): boolean {
  if (owned === null) return false
  for (const t of owned) for (const p of t.partitions) if (!hasPartition(a, t.topicId, p)) return false
  return true
}

/** Whether the member still reports any partition of `a` as owned; not reporting counts as owning. */
export function ownsAnyOf (owned: OwnedPartitions, a: Assignment): boolean {
  if (owned === null) return true
  for (const t of owned) {
    const ps = a.get(t.topicId)
    if (ps === undefined) continue
    for (const p of t.partitions) if (ps.includes(p)) return true
  }
  return false
}
