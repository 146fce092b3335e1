// The records of `__consumer_offsets`, typed. A record's key starts with an
// int16 version that says what it is (Kafka's convention):
//   0, 1  committed offset (offset-commit.ts)
//   2     classic group metadata (group-metadata.ts)
//   3+    KIP-848 consumer group records; every one of their keys starts
//         with the group id. They are carried as `consumer` records with
//         their key and value bytes, decoded by groups/consumer/.
// A null value is a tombstone: the key is deleted (and compacted away).
import { Reader, Writer } from '@tributary/protocol'
import { decodeGroupMetadataValue, encodeGroupMetadataValue, writeGroupMetadataKey, type GroupMetadataValue } from './group-metadata.js'
import { decodeOffsetCommitValue, encodeOffsetCommitValue, readOffsetCommitKey, writeOffsetCommitKey, type OffsetCommitValue } from './offset-commit.js'

export type { GroupMemberMetadata, GroupMetadataValue } from './group-metadata.js'
export type { OffsetCommitValue } from './offset-commit.js'

export interface OffsetRecord { kind: 'offset', group: string, topic: string, partition: number, value: OffsetCommitValue | null }
export interface GroupMetadataRecord { kind: 'group', group: string, value: GroupMetadataValue | null }
/**
 * A KIP-848 record: `keyVersion` (>= 3) and the key bytes after the
 * version (which begin with the group id), with the raw value.
 */
export interface ConsumerGroupRecord { kind: 'consumer', group: string, keyVersion: number, key: Buffer, value: Buffer | null }

export type GroupRecord = OffsetRecord | GroupMetadataRecord | ConsumerGroupRecord

export interface EncodedRecord { key: Buffer, value: Buffer | null }

export function encodeGroupRecord (record: GroupRecord): EncodedRecord {
  const w = new Writer(64)
  switch (record.kind) {
    case 'offset':
      writeOffsetCommitKey(w, record)
      return { key: w.finish(), value: record.value === null ? null : encodeOffsetCommitValue(record.value) }
    case 'group':
      writeGroupMetadataKey(w, record.group)
      return { key: w.finish(), value: record.value === null ? null : encodeGroupMetadataValue(record.value) }
    case 'consumer':
      if (record.keyVersion < 3) throw new RangeError(`consumer group record key version ${record.keyVersion} is below 3`)
      w.int16(record.keyVersion).raw(record.key)
      return { key: w.finish(), value: record.value }
  }
}

/**
 * Decodes one record of the topic; null for a key this broker does not
 * know (a newer Kafka's record), which replay skips as Kafka does.
 * Throws on bytes that do not decode.
 */
export function decodeGroupRecord (key: Buffer, value: Buffer | null): GroupRecord | null {
  const r = new Reader(key)
  const version = r.int16()
  if (version === 0 || version === 1) {
    const k = readOffsetCommitKey(r)
    return { kind: 'offset', ...k, value: value === null ? null : decodeOffsetCommitValue(value) }
  }
  if (version === 2) {
    const group = r.string()
    return { kind: 'group', group, value: value === null ? null : decodeGroupMetadataValue(value) }
  }
  if (version >= 3 && version <= 32) {
    const rest = key.subarray(2)
    const group = new Reader(rest).string()
    return { kind: 'consumer', group, keyVersion: version, key: Buffer.from(rest), value: value === null ? null : Buffer.from(value) }
  }
  return null
}
