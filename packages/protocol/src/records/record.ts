import { ProtocolDecodeError, ProtocolEncodeError } from '../primitives/errors.js'
import { Reader } from '../primitives/reader.js'
import { Writer } from '../primitives/writer.js'

/*
 * One record inside a v2 batch (KIP-98). Lengths and deltas are zig-zag
 * varints:
 *
 *   length          varint   bytes that follow
 *   attributes      int8     unused, 0
 *   timestampDelta  varlong  from the batch's baseTimestamp
 *   offsetDelta     varint   from the batch's baseOffset
 *   keyLength       varint   -1 = null
 *   key             bytes
 *   valueLength     varint   -1 = null
 *   value           bytes
 *   headerCount     varint
 *   headers         [keyLength varint, key utf8, valueLength varint (-1 = null), value]
 */

export interface RecordHeader {
  key: string
  value: Buffer | null
}

export interface KafkaRecord {
  attributes: number
  offsetDelta: number
  timestampDelta: bigint
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

/** A decoded record with its absolute offset and timestamp. */
export interface DecodedRecord extends KafkaRecord {
  offset: bigint
  timestamp: bigint
}

/** What an encoder needs for one record; keys and values may be any byte array. */
export interface RecordHeaderInput {
  key: string
  value: Uint8Array | null
}

export interface RecordInput {
  key: Uint8Array | null
  value: Uint8Array | null
  headers?: RecordHeaderInput[]
}

/**
 * Smallest possible encoded record: one byte each for length, attributes,
 * timestampDelta, offsetDelta, keyLength, valueLength and headerCount.
 * Bounds a declared record count against the bytes that hold the records.
 */
export const MIN_RECORD_SIZE = 7

const utf8 = new TextEncoder()

function nullableBytes (w: Writer, v: Uint8Array | null): void {
  if (v === null) { w.varint(-1); return }
  w.varint(v.length)
  w.raw(v)
}

/**
 * Writes one record. The body goes to `scratch` first, because its length
 * prefix is a varint whose size depends on the body; the copy into `out` is
 * a memcpy, cheaper than sizing every field twice.
 */
export function writeRecord (out: Writer, scratch: Writer, rec: RecordInput, offsetDelta: number, timestampDelta: bigint): void {
  if (!Number.isInteger(offsetDelta) || offsetDelta < 0 || offsetDelta > 0x7fffffff) {
    throw new ProtocolEncodeError(`offsetDelta ${offsetDelta} is not an int32 >= 0`)
  }
  scratch.offset = 0
  scratch.int8(0)
  scratch.varlong(timestampDelta)
  scratch.varint(offsetDelta)
  nullableBytes(scratch, rec.key)
  nullableBytes(scratch, rec.value)
  const headers = rec.headers ?? []
  scratch.varint(headers.length)
  for (const h of headers) {
    const k = utf8.encode(h.key)
    scratch.varint(k.length)
    scratch.raw(k)
    nullableBytes(scratch, h.value)
  }
  out.varint(scratch.offset)
  out.raw(scratch.finish())
}

function readNullable (r: Reader, what: string): Buffer | null {
  const n = r.varint()
  if (n === -1) return null
  if (n < 0) throw new ProtocolDecodeError(`invalid ${what} length ${n}`)
  return r.raw(n, what)
}

/**
 * Reads one record. Every length is checked against the record's own
 * declared size, and the record must use exactly that many bytes, as
 * Kafka's DefaultRecord.readFrom insists.
 */
export function readRecord (r: Reader): KafkaRecord {
  const length = r.varint()
  if (length < 0) throw new ProtocolDecodeError(`invalid record length ${length} at offset ${r.offset}`)
  const body = new Reader(r.raw(length, 'record'))
  const attributes = body.int8()
  const timestampDelta = body.varlong()
  const offsetDelta = body.varint()
  const key = readNullable(body, 'record key')
  const value = readNullable(body, 'record value')
  const headerCount = body.varint()
  if (headerCount < 0) throw new ProtocolDecodeError(`invalid header count ${headerCount}`)
  // Each header takes at least two bytes (two varint lengths).
  if (headerCount * 2 > body.remaining) {
    throw new ProtocolDecodeError(`${headerCount} headers cannot fit in the ${body.remaining} bytes left in the record`)
  }
  const headers: RecordHeader[] = new Array(headerCount)
  for (let i = 0; i < headerCount; i++) {
    const keyLength = body.varint()
    if (keyLength < 0) throw new ProtocolDecodeError(`invalid header key length ${keyLength}`)
    const hkey = body.raw(keyLength, 'header key').toString('utf8')
    headers[i] = { key: hkey, value: readNullable(body, 'header value') }
  }
  if (body.remaining !== 0) {
    throw new ProtocolDecodeError(`record declared ${length} bytes but its fields used ${length - body.remaining}`)
  }
  return { attributes, offsetDelta, timestampDelta, key, value, headers }
}
