// Committed offsets in `__consumer_offsets`, in Kafka's layout so that
// tools reading the topic understand them:
//   key   (version 1): group string, topic string, partition int32
//   value (version 3): offset int64, leader epoch int32, metadata string,
//                      commit timestamp int64
// Version 1 values also carried an expire timestamp (offset commit v2-v4);
// we read versions 0-3 and write 3, or 1 when an explicit expire time must
// be kept, as Kafka does.
import { Reader, Writer } from '@tributary/protocol'

export interface OffsetCommitKey { group: string, topic: string, partition: number }

export interface OffsetCommitValue {
  offset: bigint
  /** -1 when unknown. */
  leaderEpoch: number
  metadata: string
  commitTimestamp: bigint
  /** Explicit expiry (OffsetCommit v2-v4 retention_time_ms), else -1n. */
  expireTimestamp: bigint
}

export function writeOffsetCommitKey (w: Writer, key: OffsetCommitKey): void {
  w.int16(1).string(key.group).string(key.topic).int32(key.partition)
}

export function readOffsetCommitKey (r: Reader): OffsetCommitKey {
  return { group: r.string(), topic: r.string(), partition: r.int32() }
}

export function encodeOffsetCommitValue (v: OffsetCommitValue): Buffer {
  const w = new Writer(64)
  if (v.expireTimestamp >= 0n) {
    w.int16(1).int64(v.offset).string(v.metadata).int64(v.commitTimestamp).int64(v.expireTimestamp)
  } else {
    w.int16(3).int64(v.offset).int32(v.leaderEpoch).string(v.metadata).int64(v.commitTimestamp)
  }
  return w.finish()
}

export function decodeOffsetCommitValue (buf: Buffer): OffsetCommitValue {
  const r = new Reader(buf)
  const version = r.int16()
  if (version < 0 || version > 4) throw new RangeError(`offset commit value version ${version} is unknown`)
  const offset = r.int64()
  const leaderEpoch = version >= 3 ? r.int32() : -1
  const metadata = r.string()
  const commitTimestamp = r.int64()
  const expireTimestamp = version === 1 ? r.int64() : -1n
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp }
}
