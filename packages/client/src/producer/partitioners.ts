import { murmur2, toPositive } from './murmur2.js'

export interface PartitionerInput {
  topic: string
  key: Uint8Array | null
  /** Encoded size of the record, for the sticky partitioner's byte count. */
  size: number
  partitionCount: number
}

/** Picks a partition for a record without an explicit one. */
export interface Partitioner {
  partition (input: PartitionerInput): number
}

/** The Java client's choice for a keyed record: toPositive(murmur2(key)) % partitions. */
export function keyedPartition (key: Uint8Array, partitionCount: number): number {
  return toPositive(murmur2(key)) % partitionCount
}

/**
 * Java's default partitioner (KIP-794's built-in partitioner, without the
 * adaptive part): keyed records hash with murmur2; keyless records stick to
 * one partition until about `batchSize` bytes went there, then move to
 * another at random, so that keyless traffic fills whole batches instead of
 * spraying small ones over every partition (KIP-480).
 */
export class DefaultPartitioner implements Partitioner {
  private readonly sticky = new Map<string, { partition: number, bytes: number }>()

  constructor (private readonly batchSize: number, private readonly random: () => number = Math.random) {}

  partition ({ topic, key, size, partitionCount }: PartitionerInput): number {
    if (key !== null) return keyedPartition(key, partitionCount)
    let s = this.sticky.get(topic)
    if (s === undefined || s.partition >= partitionCount || s.bytes >= this.batchSize) {
      s = { partition: this.next(s?.partition, partitionCount), bytes: 0 }
      this.sticky.set(topic, s)
    }
    s.bytes += size
    return s.partition
  }

  /** A random partition other than the previous one when there is a choice. */
  private next (previous: number | undefined, n: number): number {
    if (n <= 1) return 0
    if (previous === undefined || previous >= n) return Math.floor(this.random() * n)
    const p = Math.floor(this.random() * (n - 1))
    return p >= previous ? p + 1 : p
  }
}

/** Round-robin for keyless records (Java's RoundRobinPartitioner); keys still hash. */
export class RoundRobinPartitioner implements Partitioner {
  private readonly counters = new Map<string, number>()
  partition ({ topic, key, partitionCount }: PartitionerInput): number {
    if (key !== null) return keyedPartition(key, partitionCount)
    const n = this.counters.get(topic) ?? 0
    this.counters.set(topic, n + 1)
    return n % partitionCount
  }
}
