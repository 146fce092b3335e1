// Classic group metadata in `__consumer_offsets`, in Kafka's layout:
//   key   (version 2): group string
//   value (version 3): protocol type string, generation int32, protocol
//     nullable string, leader nullable string, current state timestamp
//     int64, members [member id string, group instance id nullable string,
//     client id string, client host string, rebalance timeout int32,
//     session timeout int32, subscription bytes, assignment bytes]
// Versions 0-2 lack some fields; we read 0-3 and write 3.
import { Reader, Writer } from '@tributary/protocol'

export interface GroupMemberMetadata {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  rebalanceTimeoutMs: number
  sessionTimeoutMs: number
  /** The member's metadata for the chosen protocol (opaque to the broker). */
  subscription: Buffer
  /** The assignment the leader gave it (opaque to the broker). */
  assignment: Buffer
}

export interface GroupMetadataValue {
  protocolType: string
  generation: number
  protocol: string | null
  leader: string | null
  /** When the group entered its current state (ms), -1n if unknown. */
  currentStateTimestamp: bigint
  members: GroupMemberMetadata[]
}

export function writeGroupMetadataKey (w: Writer, group: string): void {
  w.int16(2).string(group)
}

export function encodeGroupMetadataValue (v: GroupMetadataValue): Buffer {
  const w = new Writer(256)
  w.int16(3).string(v.protocolType).int32(v.generation).nullableString(v.protocol).nullableString(v.leader).int64(v.currentStateTimestamp)
  w.int32(v.members.length)
  for (const m of v.members) {
    w.string(m.memberId).nullableString(m.groupInstanceId).string(m.clientId).string(m.clientHost)
    w.int32(m.rebalanceTimeoutMs).int32(m.sessionTimeoutMs).bytes(m.subscription).bytes(m.assignment)
  }
  return w.finish()
}

export function decodeGroupMetadataValue (buf: Buffer): GroupMetadataValue {
  const r = new Reader(buf)
  const version = r.int16()
  if (version < 0 || version > 4) throw new RangeError(`group metadata value version ${version} is unknown`)
  const protocolType = r.string()
  const generation = r.int32()
  const protocol = r.nullableString()
  const leader = r.nullableString()
  const currentStateTimestamp = version >= 2 ? r.int64() : -1n
  const count = r.arrayLength(20)
  const members: GroupMemberMetadata[] = []
  for (let i = 0; i < count; i++) {
    const memberId = r.string()
    const groupInstanceId = version >= 3 ? r.nullableString() : null
    const clientId = r.string()
    const clientHost = r.string()
    const rebalanceTimeoutMs = version >= 1 ? r.int32() : -1
    const sessionTimeoutMs = r.int32()
    const subscription = Buffer.from(r.bytes())
    const assignment = Buffer.from(r.bytes())
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs: rebalanceTimeoutMs < 0 ? sessionTimeoutMs : rebalanceTimeoutMs, sessionTimeoutMs, subscription, assignment })
  }
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members }
}
