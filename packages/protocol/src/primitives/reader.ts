import { readInt64BE } from './int64.js'
import { ProtocolDecodeError } from './errors.js'
import { uuidFromBytes } from './uuid.js'

/**
 * Cursor over a received buffer. Every read checks the bytes that remain
 * before it touches them, and every declared length or element count is
 * checked against the remaining bytes before anything is allocated, so a
 * hostile frame can only produce a ProtocolDecodeError, never a huge
 * allocation, an out-of-bounds read or a hang.
 */
export class Reader {
  readonly buf: Buffer
  offset: number
  readonly end: number

  constructor (buf: Buffer, offset = 0, end = buf.length) {
    this.buf = buf
    this.offset = offset
    this.end = end
  }

  get remaining (): number { return this.end - this.offset }

  private need (n: number, what: string): void {
    if (n > this.end - this.offset) {
      throw new ProtocolDecodeError(`need ${n} bytes for ${what} at offset ${this.offset}, ${this.end - this.offset} remain`)
    }
  }

  bool (): boolean {
    this.need(1, 'bool')
    return this.buf[this.offset++] !== 0
  }

  int8 (): number {
    this.need(1, 'int8')
    return this.buf.readInt8(this.offset++)
  }

  int16 (): number {
    this.need(2, 'int16')
    const v = this.buf.readInt16BE(this.offset)
    this.offset += 2
    return v
  }

  uint16 (): number {
    this.need(2, 'uint16')
    const v = this.buf.readUInt16BE(this.offset)
    this.offset += 2
    return v
  }

  int32 (): number {
    this.need(4, 'int32')
    const v = this.buf.readInt32BE(this.offset)
    this.offset += 4
    return v
  }

  uint32 (): number {
    this.need(4, 'uint32')
    const v = this.buf.readUInt32BE(this.offset)
    this.offset += 4
    return v
  }

  int64 (): bigint {
    this.need(8, 'int64')
    const v = readInt64BE(this.buf, this.offset)
    this.offset += 8
    return v
  }

  float64 (): number {
    this.need(8, 'float64')
    const v = this.buf.readDoubleBE(this.offset)
    this.offset += 8
    return v
  }

  /** Unsigned LEB128 varint of at most 32 bits (5 bytes). */
  uvarint (): number {
    let result = 0
    let shift = 0
    for (let i = 0; i < 5; i++) {
      this.need(1, 'varint')
      const b = this.buf[this.offset++]!
      result |= (b & 0x7f) << shift
      if ((b & 0x80) === 0) return result >>> 0
      shift += 7
    }
    throw new ProtocolDecodeError(`varint longer than 5 bytes at offset ${this.offset}`)
  }

  /** Zig-zag signed varint (32 bits). */
  varint (): number {
    const v = this.uvarint()
    return (v >>> 1) ^ -(v & 1)
  }

  /** Zig-zag signed varlong (64 bits, up to 10 bytes). */
  varlong (): bigint {
    let result = 0n
    let shift = 0n
    for (let i = 0; i < 10; i++) {
      this.need(1, 'varlong')
      const b = this.buf[this.offset++]!
      result |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) return (result >> 1n) ^ -(result & 1n)
      shift += 7n
    }
    throw new ProtocolDecodeError(`varlong longer than 10 bytes at offset ${this.offset}`)
  }

  uuid (): string {
    this.need(16, 'uuid')
    const v = uuidFromBytes(this.buf, this.offset)
    this.offset += 16
    return v
  }

  /** Raw bytes without copying; callers that keep them beyond the frame must copy. */
  raw (n: number, what = 'bytes'): Buffer {
    if (n < 0) throw new ProtocolDecodeError(`negative length ${n} for ${what}`)
    this.need(n, what)
    const v = this.buf.subarray(this.offset, this.offset + n)
    this.offset += n
    return v
  }

  private text (n: number, what: string): string {
    this.need(n, what)
    const s = this.buf.toString('utf8', this.offset, this.offset + n)
    this.offset += n
    return s
  }

  string (): string {
    const n = this.int16()
    if (n < 0) throw new ProtocolDecodeError(`null where a non-nullable string was expected at offset ${this.offset - 2}`)
    return this.text(n, 'string')
  }

  nullableString (): string | null {
    const n = this.int16()
    if (n < 0) return null
    return this.text(n, 'string')
  }

  compactString (): string {
    const n = this.uvarint() - 1
    if (n < 0) throw new ProtocolDecodeError(`null where a non-nullable compact string was expected at offset ${this.offset}`)
    return this.text(n, 'compact string')
  }

  compactNullableString (): string | null {
    const n = this.uvarint() - 1
    if (n < 0) return null
    return this.text(n, 'compact string')
  }

  bytes (): Buffer {
    const n = this.int32()
    if (n < 0) throw new ProtocolDecodeError(`null where non-nullable bytes were expected at offset ${this.offset - 4}`)
    return this.raw(n)
  }

  nullableBytes (): Buffer | null {
    const n = this.int32()
    if (n < 0) return null
    return this.raw(n)
  }

  compactBytes (): Buffer {
    const n = this.uvarint() - 1
    if (n < 0) throw new ProtocolDecodeError(`null where non-nullable compact bytes were expected at offset ${this.offset}`)
    return this.raw(n)
  }

  compactNullableBytes (): Buffer | null {
    const n = this.uvarint() - 1
    if (n < 0) return null
    return this.raw(n)
  }

  /**
   * Array length (int32, -1 = null). The count is checked against the bytes
   * that remain, given that every element takes at least `minElementSize`
   * bytes, before the caller allocates anything.
   */
  arrayLength (minElementSize: number): number {
    const n = this.int32()
    if (n < -1) throw new ProtocolDecodeError(`negative array length ${n} at offset ${this.offset - 4}`)
    if (n > 0) this.checkCount(n, minElementSize)
    return n
  }

  /** Compact array length (uvarint N+1, 0 = null); returns -1 for null. */
  compactArrayLength (minElementSize: number): number {
    const n = this.uvarint() - 1
    if (n > 0) this.checkCount(n, minElementSize)
    return n
  }

  private checkCount (n: number, minElementSize: number): void {
    if (n * Math.max(1, minElementSize) > this.end - this.offset) {
      throw new ProtocolDecodeError(`array of ${n} elements cannot fit in the ${this.end - this.offset} bytes that remain at offset ${this.offset}`)
    }
  }

  /**
   * Reads a tagged-field section (KIP-482). `onTag` decodes a tag it knows
   * and returns true; unknown tags are skipped, as Kafka does.
   */
  taggedFields (onTag?: (tag: number, r: Reader) => boolean): void {
    const count = this.uvarint()
    this.checkCount(count, 2)
    let last = -1
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint()
      if (tag <= last) throw new ProtocolDecodeError(`tagged fields out of order: tag ${tag} after ${last}`)
      last = tag
      const size = this.uvarint()
      const start = this.offset
      this.need(size, 'tagged field')
      this.offset += size
      if (onTag !== undefined) {
        const r = new Reader(this.buf, start, start + size)
        if (onTag(tag, r) && r.remaining !== 0) {
          throw new ProtocolDecodeError(`tagged field ${tag} has ${r.remaining} trailing bytes`)
        }
      }
    }
  }
}
