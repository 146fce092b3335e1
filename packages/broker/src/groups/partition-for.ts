/**
 * The `__consumer_offsets` partition that owns a group, as Kafka computes
 * it: the absolute value of Java's `String.hashCode()` of the group id,
 * modulo the partition count (`Utils.abs`, which maps Integer.MIN_VALUE to
 * 0). Clients never compute it, but tools that read the topic do, and the
 * same id must land where Kafka would put it.
 */
export function javaStringHashCode (s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0
  return h
}

export function partitionForGroup (groupId: string, partitions: number): number {
  const h = javaStringHashCode(groupId)
  const abs = h === -2147483648 ? 0 : Math.abs(h)
  return abs % partitions
}
