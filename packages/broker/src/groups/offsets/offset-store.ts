import type { OffsetCommitValue, OffsetRecord } from '../records/index.js'

export interface CommittedOffset { topic: string, partition: number, value: OffsetCommitValue }

/**
 * The committed offsets of the groups of one shard, rebuilt from the
 * offset records of `__consumer_offsets` (a tombstone removes one).
 */
export class OffsetStore {
  private readonly groups = new Map<string, Map<string, CommittedOffset>>()

  private static key (topic: string, partition: number): string { return `${topic}\u0000${partition}` }

  replay (record: OffsetRecord): void {
    const key = OffsetStore.key(record.topic, record.partition)
    if (record.value === null) {
      const g = this.groups.get(record.group)
      if (g === undefined) return
      g.delete(key)
      if (g.size === 0) this.groups.delete(record.group)
      return
    }
    let g = this.groups.get(record.group)
    if (g === undefined) { g = new Map(); this.groups.set(record.group, g) }
    g.set(key, { topic: record.topic, partition: record.partition, value: record.value })
  }

  get (group: string, topic: string, partition: number): OffsetCommitValue | undefined {
    return this.groups.get(group)?.get(OffsetStore.key(topic, partition))?.value
  }

  /** Every offset of a group, in no particular order. */
  all (group: string): CommittedOffset[] {
    const g = this.groups.get(group)
    return g === undefined ? [] : [...g.values()]
  }

  hasOffsets (group: string): boolean { return this.groups.has(group) }

  groupIds (): IterableIterator<string> { return this.groups.keys() }
}
