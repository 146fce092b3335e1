import { join } from 'node:path'
import type { EpochEntry } from './types.js'
import { CheckpointFormatError, parseOffsetField, readCheckpointSync, writeCheckpoint } from './checkpoint-file.js'
import { LEADER_EPOCH_CHECKPOINT } from './segment-files.js'

export const LEADER_EPOCH_CHECKPOINT_VERSION = 0

/**
 * The leader epoch cache of a partition (KIP-101, Kafka's
 * LeaderEpochFileCache): for each leader epoch, the first offset written in
 * it. Followers and OffsetForLeaderEpoch use it to find where logs diverge.
 * Persisted as `leader-epoch-checkpoint` ("epoch startOffset" lines).
 *
 * Invariant: epochs and start offsets both strictly increase.
 * Changes are made in memory and marked dirty; the owner persists them
 * (DiskLog does it in its next group commit, before acknowledging a
 * durable append). Not concurrent: called on the event loop.
 */
export class LeaderEpochCache {
  private list: EpochEntry[] = []
  private dirty = false

  constructor (readonly path: string) {}

  /** Loads `<dir>/leader-epoch-checkpoint`; a damaged file yields an empty cache (`damaged` set) rather than a failed open. */
  static load (dir: string): { cache: LeaderEpochCache, damaged: Error | null } {
    const cache = new LeaderEpochCache(join(dir, LEADER_EPOCH_CHECKPOINT))
    try {
      const lines = readCheckpointSync(cache.path, LEADER_EPOCH_CHECKPOINT_VERSION) ?? []
      for (const line of lines) {
        const [epochField, offsetField, extra] = line.split(' ')
        const epoch = Number(epochField)
        if (extra !== undefined || !Number.isInteger(epoch) || epoch < 0) throw new CheckpointFormatError(cache.path, `bad line ${JSON.stringify(line)}`)
        const startOffset = parseOffsetField(cache.path, offsetField)
        const last = cache.list[cache.list.length - 1]
        if (last !== undefined && (epoch <= last.epoch || startOffset < last.startOffset)) throw new CheckpointFormatError(cache.path, 'entries out of order')
        cache.list.push({ epoch, startOffset })
      }
      return { cache, damaged: null }
    } catch (err) {
      const fresh = new LeaderEpochCache(cache.path)
      fresh.dirty = true
      return { cache: fresh, damaged: err as Error }
    }
  }

  entries (): EpochEntry[] { return this.list.map(e => ({ ...e })) }

  latest (): EpochEntry | undefined {
    const last = this.list[this.list.length - 1]
    return last === undefined ? undefined : { ...last }
  }

  latestEpoch (): number {
    // Called on every append: no read at index -1 of an empty list (a slow property lookup in V8).
    const n = this.list.length
    return n === 0 ? -1 : this.list[n - 1]!.epoch
  }

  get isDirty (): boolean { return this.dirty }

  /**
   * Records that `epoch` starts at `startOffset`. Only a newer epoch changes
   * anything (the leader writes its epoch on each append; replays of an
   * epoch already known are no-ops). Entries that the new one contradicts
   * (start offset at or after it) are removed, as in Kafka.
   */
  assign (epoch: number, startOffset: bigint): boolean {
    if (epoch < 0) return false
    const last = this.list[this.list.length - 1]
    if (last !== undefined && epoch <= last.epoch) return false
    while (this.list.length > 0 && this.list[this.list.length - 1]!.startOffset >= startOffset) this.list.pop()
    this.list.push({ epoch, startOffset })
    this.dirty = true
    return true
  }

  /** Drops epochs that start at or after `endOffset` (log truncation). */
  truncateFromEnd (endOffset: bigint): void {
    const before = this.list.length
    while (this.list.length > 0 && this.list[this.list.length - 1]!.startOffset >= endOffset) this.list.pop()
    if (this.list.length !== before) this.dirty = true
  }

  /**
   * The log start moved to `startOffset`: epochs that end below it go, and the
   * epoch that holds it now starts there (Kafka's truncateFromStart).
   */
  truncateFromStart (startOffset: bigint): void {
    let keepFrom = 0
    while (keepFrom + 1 < this.list.length && this.list[keepFrom + 1]!.startOffset <= startOffset) keepFrom++
    const first = this.list[keepFrom]
    if (first === undefined) return
    if (keepFrom > 0 || first.startOffset < startOffset) {
      this.list = this.list.slice(keepFrom)
      if (first.startOffset < startOffset) this.list[0] = { epoch: first.epoch, startOffset }
      this.dirty = true
    }
  }

  clear (): void {
    if (this.list.length > 0) this.dirty = true
    this.list = []
  }

  /**
   * OffsetForLeaderEpoch (KIP-101, KIP-279), with Kafka's answers: the latest
   * epoch ends at the log end; an older one ends where the next higher epoch
   * starts and is reported as the largest known epoch <= the requested one
   * (or the requested one itself if it is below every known epoch); an
   * epoch above the latest, or -1, is undefined ({ -1, -1n }).
   */
  endOffsetFor (epoch: number, logEndOffset: bigint): { epoch: number, endOffset: bigint } {
    const undefinedEpoch = { epoch: -1, endOffset: -1n }
    if (epoch < 0 || this.list.length === 0) return undefinedEpoch
    if (epoch === this.latestEpoch()) return { epoch, endOffset: logEndOffset }
    const higher = this.list.findIndex(e => e.epoch > epoch)
    if (higher === -1) return undefinedEpoch
    const floor = higher - 1
    return { epoch: floor >= 0 ? this.list[floor]!.epoch : epoch, endOffset: this.list[higher]!.startOffset }
  }

  /** Writes the checkpoint file if anything changed (atomic replace). */
  async persist (): Promise<void> {
    if (!this.dirty) return
    this.dirty = false
    const lines = this.list.map(e => `${e.epoch} ${e.startOffset}`)
    try {
      await writeCheckpoint(this.path, LEADER_EPOCH_CHECKPOINT_VERSION, lines)
    } catch (err) {
      this.dirty = true
      throw err
    }
  }
}
