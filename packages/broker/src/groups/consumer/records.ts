// KIP-848 consumer group records in `__consumer_offsets`. Keys follow
// Kafka: an int16 key version that says what the record is, then the group
// id and, for per-member records, the member id (int16-length strings):
//   3  ConsumerGroupMetadata                  (group)          group epoch
//   4  ConsumerGroupPartitionMetadata         (group)          subscribed topics' metadata
//   5  ConsumerGroupMemberMetadata            (group, member)  the member's subscription
//   6  ConsumerGroupTargetAssignmentMetadata  (group)          target assignment epoch
//   7  ConsumerGroupTargetAssignmentMember    (group, member)  the member's target assignment
//   8  ConsumerGroupCurrentMemberAssignment   (group, member)  the member's epochs, state, partitions
// Other KIP-848 keys (16, resolved regular expressions) are skipped on
// load: we resolve regexes against the metadata image instead.
//
// Values are Tributary's own compact encodings (not Kafka's schemas),
// each starting with int16 version 0:
//   3  int32 group epoch
//   4  int32 count, then per topic: string name, uuid id, int32 partitions
//   5  nullable string instance id, nullable string rack id, string client
//      id, string client host, int32 rebalance timeout ms, nullable string
//      server assignor, nullable string topic regex, int32 count, then the
//      subscribed topic names (string each)
//   6  int32 target assignment epoch
//   7  assignment
//   8  int32 member epoch, int32 previous member epoch, int8 state
//      (Kafka's MemberState: 1 unrevoked partitions, 2 unreleased
//      partitions, 3 stable), assignment assigned, assignment pending
//      revocation
// where an assignment is int32 topic count, then per topic: uuid topic id,
// int32 count, int32 partitions. A null value is a tombstone.
import { Reader, Writer } from '@tributary/protocol'
import type { ConsumerGroupRecord, GroupRecord } from '../records/index.js'
import { assignmentOf, type Assignment } from './assignment.js'
import { MEMBER_STATE_CODES, type CurrentAssignment, type MemberState } from './reconcile.js'

export interface MemberMetadata {
  instanceId: string | null
  rackId: string | null
  clientId: string
  clientHost: string
  rebalanceTimeoutMs: number
  serverAssignor: string | null
  subscribedTopicRegex: string | null
  subscribedTopicNames: readonly string[]
}

export interface TopicMetadata { id: string, partitions: number }
/** Topic name → id and partition count, for every subscribed topic that exists. */
export type SubscriptionMetadata = ReadonlyMap<string, TopicMetadata>

export type ConsumerRecordData =
  | { type: 'group-epoch', group: string, epoch: number | null }
  | { type: 'partition-metadata', group: string, topics: SubscriptionMetadata | null }
  | { type: 'member', group: string, memberId: string, value: MemberMetadata | null }
  | { type: 'target-epoch', group: string, epoch: number | null }
  | { type: 'target', group: string, memberId: string, assignment: Assignment | null }
  | { type: 'current', group: string, memberId: string, value: CurrentAssignment | null }

export const KEY_VERSIONS = {
  'group-epoch': 3,
  'partition-metadata': 4,
  member: 5,
  'target-epoch': 6,
  target: 7,
  current: 8
} as const

const STATES = new Map<number, MemberState>(Object.entries(MEMBER_STATE_CODES).map(([k, v]) => [v, k as MemberState]))

function writeAssignment (w: Writer, a: Assignment): void {
  w.int32(a.size)
  for (const [topicId, ps] of a) {
    w.uuid(topicId).int32(ps.length)
    for (const p of ps) w.int32(p)
  }
}

function readAssignment (r: Reader): Assignment {
  const n = r.arrayLength(20)
  const entries: Array<[string, number[]]> = []
  for (let i = 0; i < n; i++) {
    const topicId = r.uuid()
    const m = r.arrayLength(4)
    const ps: number[] = []
    for (let j = 0; j < m; j++) ps.push(r.int32())
    entries.push([topicId, ps])
  }
  return assignmentOf(entries)
}

function encodeValue (d: ConsumerRecordData): Buffer | null {
  const w = new Writer(64)
  w.int16(0)
  switch (d.type) {
    case 'group-epoch':
    case 'target-epoch':
      if (d.epoch === null) return null
      w.int32(d.epoch)
      break
    case 'partition-metadata': {
      if (d.topics === null) return null
      const names = [...d.topics.keys()].sort()
      w.int32(names.length)
      for (const name of names) { const t = d.topics.get(name)!; w.string(name).uuid(t.id).int32(t.partitions) }
      break
    }
    case 'member': {
      const m = d.value
      if (m === null) return null
      w.nullableString(m.instanceId).nullableString(m.rackId).string(m.clientId).string(m.clientHost).int32(m.rebalanceTimeoutMs)
      w.nullableString(m.serverAssignor).nullableString(m.subscribedTopicRegex).int32(m.subscribedTopicNames.length)
      for (const name of m.subscribedTopicNames) w.string(name)
      break
    }
    case 'target':
      if (d.assignment === null) return null
      writeAssignment(w, d.assignment)
      break
    case 'current': {
      const c = d.value
      if (c === null) return null
      w.int32(c.memberEpoch).int32(c.previousMemberEpoch).int8(MEMBER_STATE_CODES[c.state])
      writeAssignment(w, c.assigned)
      writeAssignment(w, c.pendingRevocation)
      break
    }
  }
  return w.finish()
}

export function encodeConsumerRecord (d: ConsumerRecordData): ConsumerGroupRecord {
  const k = new Writer(32).string(d.group)
  if (d.type === 'member' || d.type === 'target' || d.type === 'current') k.string(d.memberId)
  return { kind: 'consumer', group: d.group, keyVersion: KEY_VERSIONS[d.type], key: k.finish(), value: encodeValue(d) }
}

/** The typed record, or null for a key version this module does not keep (e.g. 16, regular expressions). Throws on bad bytes. */
export function decodeConsumerRecord (rec: GroupRecord): ConsumerRecordData | null {
  if (rec.kind !== 'consumer') return null
  const k = new Reader(rec.key)
  const group = k.string()
  const value = rec.value === null ? null : new Reader(rec.value)
  if (value !== null) {
    const version = value.int16()
    if (version !== 0) throw new RangeError(`consumer group record value version ${version} is unknown`)
  }
  switch (rec.keyVersion) {
    case 3: return { type: 'group-epoch', group, epoch: value === null ? null : value.int32() }
    case 6: return { type: 'target-epoch', group, epoch: value === null ? null : value.int32() }
    case 4: {
      if (value === null) return { type: 'partition-metadata', group, topics: null }
      const n = value.arrayLength(22)
      const topics = new Map<string, TopicMetadata>()
      for (let i = 0; i < n; i++) { const name = value.string(); topics.set(name, { id: value.uuid(), partitions: value.int32() }) }
      return { type: 'partition-metadata', group, topics }
    }
    case 5: {
      const memberId = k.string()
      if (value === null) return { type: 'member', group, memberId, value: null }
      const instanceId = value.nullableString()
      const rackId = value.nullableString()
      const clientId = value.string()
      const clientHost = value.string()
      const rebalanceTimeoutMs = value.int32()
      const serverAssignor = value.nullableString()
      const subscribedTopicRegex = value.nullableString()
      const n = value.arrayLength(2)
      const subscribedTopicNames: string[] = []
      for (let i = 0; i < n; i++) subscribedTopicNames.push(value.string())
      return { type: 'member', group, memberId, value: { instanceId, rackId, clientId, clientHost, rebalanceTimeoutMs, serverAssignor, subscribedTopicRegex, subscribedTopicNames } }
    }
    case 7: {
      const memberId = k.string()
      return { type: 'target', group, memberId, assignment: value === null ? null : readAssignment(value) }
    }
    case 8: {
      const memberId = k.string()
      if (value === null) return { type: 'current', group, memberId, value: null }
      const memberEpoch = value.int32()
      const previousMemberEpoch = value.int32()
      const code = value.int8()
      const state = STATES.get(code)
      if (state === undefined) throw new RangeError(`member state ${code} is unknown`)
      const assigned = readAssignment(value)
      const pendingRevocation = readAssignment(value)
      return { type: 'current', group, memberId, value: { memberEpoch, previousMemberEpoch, state, assigned, pendingRevocation } }
    }
    default:
      return null
  }
}
