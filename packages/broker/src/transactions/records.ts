// Transaction state records of `__transaction_state`, in Kafka's layout so
// that tools reading the topic understand them:
//   key   (version 0): transactional id string
//   value (version 0): producer id int64, producer epoch int16, timeout int32,
//                      state int8, partitions [topic string, [int32]],
//                      last update timestamp int64, start timestamp int64
// A null value (tombstone) removes the transactional id
// (transactional.id.expiration.ms). Version 1 values are the flexible form
// with tagged fields (previous producer id, KIP-890 part 2); we read the
// fields they share with version 0 and write version 0.
import { Reader, Writer } from '@tributary/protocol'
import { stateById, stateIds, type TxnState } from './state.js'

export interface TxnRecordValue {
  producerId: bigint
  producerEpoch: number
  timeoutMs: number
  state: TxnState
  partitions: Array<{ topic: string, partitions: number[] }>
  lastUpdateTimestamp: bigint
  startTimestamp: bigint
}

export function encodeTxnKey (transactionalId: string): Buffer {
  return new Writer(32).int16(0).string(transactionalId).finish()
}

export function decodeTxnKey (buf: Buffer): string {
  const r = new Reader(buf)
  const version = r.int16()
  if (version !== 0) throw new RangeError(`transaction log key version ${version} is unknown`)
  return r.string()
}

export function encodeTxnValue (v: TxnRecordValue): Buffer {
  const w = new Writer(64)
  w.int16(0).int64(v.producerId).int16(v.producerEpoch).int32(v.timeoutMs).int8(stateIds[v.state])
  w.int32(v.partitions.length)
  for (const t of v.partitions) {
    w.string(t.topic).int32(t.partitions.length)
    for (const p of t.partitions) w.int32(p)
  }
  w.int64(v.lastUpdateTimestamp).int64(v.startTimestamp)
  return w.finish()
}

export function decodeTxnValue (buf: Buffer): TxnRecordValue {
  const r = new Reader(buf)
  const version = r.int16()
  if (version !== 0 && version !== 1) throw new RangeError(`transaction log value version ${version} is unknown`)
  const flexible = version >= 1
  const producerId = r.int64()
  const producerEpoch = r.int16()
  const timeoutMs = r.int32()
  const stateId = r.int8()
  const state = stateById(stateId)
  const count = flexible ? r.uvarint() - 1 : r.int32()
  const partitions: TxnRecordValue['partitions'] = []
  for (let i = 0; i < Math.max(0, count); i++) {
    const topic = flexible ? r.compactString() : r.string()
    const n = flexible ? r.uvarint() - 1 : r.int32()
    const ps: number[] = []
    for (let j = 0; j < Math.max(0, n); j++) ps.push(r.int32())
    if (flexible) r.taggedFields()
    partitions.push({ topic, partitions: ps })
  }
  const lastUpdateTimestamp = r.int64()
  const startTimestamp = r.int64()
  return { producerId, producerEpoch, timeoutMs, state, partitions, lastUpdateTimestamp, startTimestamp }
}
