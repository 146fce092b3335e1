import { writeInt64BE } from './int64.js'
import { ProtocolEncodeError } from './errors.js'
import { uuidToBytes } from './uuid.js'

const textEncoder = new TextEncoder()

export interface WriterOptions {
  /**
   * Byte arrays of at least this many bytes given to raw() (and so to the
   * bytes fields: a fetch response's `records`) are not copied but kept by
   * reference as parts of their own; take the result with finishParts().
   * Kafka serves fetches with sendfile for the same reason: the record
   * bytes are the bulk of the response and need no encoding.
   */
  spliceAbove?: number
}

/**
 * Append-only encoder into a growing buffer. One Writer builds one frame;
 * `finish()` returns a view of the written bytes without copying.
 */
export class Writer {
  buf: Buffer
  /** Position in `buf`; the bytes written so far unless parts were spliced out (see `length`). */
  offset: number
  private readonly spliceAbove: number
  /** Finished parts (views of earlier buffer contents and spliced arrays), when splicing. */
  private parts: Buffer[] | null = null
  private partStart = 0
  private partsBytes = 0

  constructor (initialSize = 256, options: WriterOptions = {}) {
    this.buf = Buffer.allocUnsafe(initialSize)
    this.offset = 0
    this.spliceAbove = options.spliceAbove ?? Infinity
  }

  /** Bytes written so far, spliced parts included. */
  get length (): number {
    return this.partsBytes + this.offset - this.partStart
  }

  private ensure (n: number): void {
    const need = this.offset + n
    if (need <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < need) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.buf.copy(next, 0, 0, this.offset)
    this.buf = next
  }

  finish (): Buffer {
    if (this.parts !== null) throw new Error('a Writer that spliced parts is finished with finishParts()')
    return this.buf.subarray(0, this.offset)
  }

  /**
   * The written bytes as a list of buffers, in order: views of this
   * writer's buffer and the spliced arrays themselves, which the caller
   * must therefore not change until the parts are consumed.
   */
  finishParts (): Buffer[] {
    const parts = this.parts ?? []
    if (this.offset > this.partStart) parts.push(this.buf.subarray(this.partStart, this.offset))
    return parts
  }

  bool (v: boolean): this {
    this.ensure(1)
    this.buf[this.offset++] = v ? 1 : 0
    return this
  }

  int8 (v: number): this {
    this.ensure(1)
    this.buf.writeInt8(v, this.offset)
    this.offset += 1
    return this
  }

  int16 (v: number): this {
    this.ensure(2)
    this.buf.writeInt16BE(v, this.offset)
    this.offset += 2
    return this
  }

  uint16 (v: number): this {
    this.ensure(2)
    this.buf.writeUInt16BE(v, this.offset)
    this.offset += 2
    return this
  }

  int32 (v: number): this {
    this.ensure(4)
    this.buf.writeInt32BE(v, this.offset)
    this.offset += 4
    return this
  }

  uint32 (v: number): this {
    this.ensure(4)
    this.buf.writeUInt32BE(v, this.offset)
    this.offset += 4
    return this
  }

  int64 (v: bigint): this {
    this.ensure(8)
    writeInt64BE(this.buf, this.offset, v)
    this.offset += 8
    return this
  }

  float64 (v: number): this {
    this.ensure(8)
    this.buf.writeDoubleBE(v, this.offset)
    this.offset += 8
    return this
  }

  uvarint (v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new ProtocolEncodeError(`uvarint out of range: ${v}`)
    this.ensure(5)
    while (v > 0x7f) {
      this.buf[this.offset++] = (v & 0x7f) | 0x80
      v >>>= 7
    }
    this.buf[this.offset++] = v
    return this
  }

  varint (v: number): this {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new ProtocolEncodeError(`varint out of range: ${v}`)
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0)
  }

  varlong (v: bigint): this {
    let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n))
    this.ensure(10)
    while (z > 0x7fn) {
      this.buf[this.offset++] = Number(z & 0x7fn) | 0x80
      z >>= 7n
    }
    this.buf[this.offset++] = Number(z)
    return this
  }

  uuid (v: string): this {
    return this.raw(uuidToBytes(v))
  }

  raw (v: Uint8Array): this {
    if (v.length >= this.spliceAbove) return this.splice(v)
    this.ensure(v.length)
    this.buf.set(v, this.offset)
    this.offset += v.length
    return this
  }

  private splice (v: Uint8Array): this {
    const parts = this.parts ??= []
    if (this.offset > this.partStart) {
      parts.push(this.buf.subarray(this.partStart, this.offset))
      this.partsBytes += this.offset - this.partStart
    }
    // Later writes go on after the view just taken, never into it; a grown
    // buffer leaves the old one, and the views of it, as they were.
    this.partStart = this.offset
    parts.push(Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength))
    this.partsBytes += v.length
    return this
  }

  private utf8 (v: string): Uint8Array {
    return textEncoder.encode(v)
  }

  string (v: string): this {
    if (typeof v !== 'string') throw new ProtocolEncodeError(`expected a string, got ${v === null ? 'null' : typeof v}`)
    const b = this.utf8(v)
    if (b.length > 0x7fff) throw new ProtocolEncodeError(`string of ${b.length} bytes is longer than 32767`)
    return this.int16(b.length).raw(b)
  }

  nullableString (v: string | null): this {
    if (v === null) return this.int16(-1)
    return this.string(v)
  }

  compactString (v: string): this {
    if (typeof v !== 'string') throw new ProtocolEncodeError(`expected a string, got ${v === null ? 'null' : typeof v}`)
    const b = this.utf8(v)
    return this.uvarint(b.length + 1).raw(b)
  }

  compactNullableString (v: string | null): this {
    if (v === null) return this.uvarint(0)
    return this.compactString(v)
  }

  bytes (v: Uint8Array): this {
    if (!(v instanceof Uint8Array)) throw new ProtocolEncodeError('expected bytes')
    return this.int32(v.length).raw(v)
  }

  nullableBytes (v: Uint8Array | null): this {
    if (v === null) return this.int32(-1)
    return this.bytes(v)
  }

  compactBytes (v: Uint8Array): this {
    if (!(v instanceof Uint8Array)) throw new ProtocolEncodeError('expected bytes')
    return this.uvarint(v.length + 1).raw(v)
  }

  compactNullableBytes (v: Uint8Array | null): this {
    if (v === null) return this.uvarint(0)
    return this.compactBytes(v)
  }

  /** Reserves `n` bytes and returns their position, to be filled in later (sizes, CRCs). */
  reserve (n: number): number {
    this.ensure(n)
    const at = this.offset
    this.offset += n
    return at
  }
}

/** Bytes a uvarint takes, for computing tagged-field sizes. */
export function uvarintSize (v: number): number {
  let n = 1
  while (v > 0x7f) { v >>>= 7; n++ }
  return n
}
