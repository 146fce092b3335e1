import { ProtocolEncodeError, ProtocolError } from './primitives/errors.js'

/**
 * Kafka framing: every request and response on a connection is an int32
 * big-endian size followed by exactly `size` bytes (Kafka's NetworkReceive /
 * NetworkSend). This module only splits and builds frames; it never looks
 * inside them and imports no I/O.
 */

/** Bytes of the size prefix. */
export const FRAME_HEADER_SIZE = 4

/** Largest size an int32 prefix can declare. */
const MAX_INT32 = 0x7fffffff

/** Kafka's default for `socket.request.max.bytes` (100 MiB). */
export const DEFAULT_MAX_FRAME_SIZE = 104857600

/**
 * The declared size exceeds the limit. Kafka rejects such a receive as soon
 * as it has read the prefix (InvalidReceiveException) and closes the
 * connection, so that a peer cannot make the broker allocate or buffer the
 * body.
 */
export class FrameTooLargeError extends ProtocolError {
  readonly size: number
  readonly maxFrameSize: number
  constructor (size: number, maxFrameSize: number) {
    super('TRIB_PROTOCOL_FRAME_TOO_LARGE', `frame of ${size} bytes exceeds the limit of ${maxFrameSize} bytes`)
    this.size = size
    this.maxFrameSize = maxFrameSize
  }
}

/** The prefix declares a negative size; Kafka treats it as a corrupt receive. */
export class InvalidFrameSizeError extends ProtocolError {
  readonly size: number
  constructor (size: number) {
    super('TRIB_PROTOCOL_INVALID_FRAME_SIZE', `frame size ${size} is negative`)
    this.size = size
  }
}

export interface FrameDecoderOptions {
  /** Largest accepted frame body (Kafka: `socket.request.max.bytes`). */
  maxFrameSize?: number
}

const EMPTY = Buffer.alloc(0)

/**
 * Incremental splitter for size-prefixed frames.
 *
 * `push()` takes chunks as they come off the wire (cut anywhere, even inside
 * the prefix) and validates each prefix as soon as it is complete, before a
 * byte of that frame's body is kept. Complete frames are queued and taken
 * with `next()`, which lets a caller stop taking requests (backpressure)
 * without the decoder losing bytes.
 *
 * A frame that lies within one chunk is returned as a view of that chunk (no
 * copy). A frame that spans chunks is collected as a list of views and copied
 * once when its last byte arrives, so a large frame in many small chunks
 * costs linear, not quadratic, time.
 *
 * After a size error the decoder is poisoned: the stream is out of sync and
 * Kafka closes the connection, so further pushes throw the same error.
 */
export class FrameDecoder {
  readonly maxFrameSize: number

  private readonly header = Buffer.alloc(FRAME_HEADER_SIZE)
  private headerFill = 0
  /** Body size of the frame being collected; -1 while reading a prefix. */
  private bodySize = -1
  private parts: Buffer[] = []
  private partsBytes = 0

  private ready: Buffer[] = []
  private readyHead = 0
  private failure: ProtocolError | undefined

  constructor (options: FrameDecoderOptions = {}) {
    const max = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE
    if (!Number.isInteger(max) || max < 0 || max > MAX_INT32) {
      throw new RangeError(`maxFrameSize must be an integer in [0, ${MAX_INT32}], got ${max}`)
    }
    this.maxFrameSize = max
  }

  /** Number of complete frames waiting to be taken with `next()`. */
  get readyCount (): number { return this.ready.length - this.readyHead }

  /**
   * Bytes of an incomplete frame held so far (prefix and body). Non-zero at
   * end of stream means the peer sent a truncated frame.
   */
  get partialBytes (): number {
    return this.bodySize < 0 ? this.headerFill : FRAME_HEADER_SIZE + this.partsBytes
  }

  /**
   * Feeds bytes. Throws FrameTooLargeError or InvalidFrameSizeError when a
   * prefix is out of range; frames completed earlier in the same chunk stay
   * queued.
   */
  push (chunk: Buffer): void {
    if (this.failure !== undefined) throw this.failure
    const len = chunk.length
    let off = 0
    while (off < len) {
      if (this.bodySize < 0) {
        let size: number
        if (this.headerFill === 0 && len - off >= FRAME_HEADER_SIZE) {
          size = chunk.readInt32BE(off)
          off += FRAME_HEADER_SIZE
        } else {
          const n = Math.min(FRAME_HEADER_SIZE - this.headerFill, len - off)
          chunk.copy(this.header, this.headerFill, off, off + n)
          this.headerFill += n
          off += n
          if (this.headerFill < FRAME_HEADER_SIZE) return
          this.headerFill = 0
          size = this.header.readInt32BE(0)
        }
        this.checkSize(size)
        if (size === 0) {
          this.emit(EMPTY)
          continue
        }
        this.bodySize = size
      }

      const need = this.bodySize - this.partsBytes
      const avail = len - off
      if (avail === 0) return
      if (avail < need) {
        // Keep a view, not a copy; the single copy happens on completion.
        this.parts.push(off === 0 ? chunk : chunk.subarray(off))
        this.partsBytes += avail
        return
      }
      if (this.parts.length === 0) {
        this.emit(chunk.subarray(off, off + need))
      } else {
        const frame = Buffer.allocUnsafe(this.bodySize)
        let pos = 0
        for (const part of this.parts) {
          part.copy(frame, pos)
          pos += part.length
        }
        chunk.copy(frame, pos, off, off + need)
        this.parts = []
        this.partsBytes = 0
        this.emit(frame)
      }
      off += need
      this.bodySize = -1
    }
  }

  /** Takes the oldest complete frame (without its prefix), if any. */
  next (): Buffer | undefined {
    if (this.readyHead === this.ready.length) return undefined
    const frame = this.ready[this.readyHead]
    this.ready[this.readyHead++] = EMPTY
    if (this.readyHead === this.ready.length) {
      this.ready = []
      this.readyHead = 0
    } else if (this.readyHead >= 1024 && this.readyHead * 2 >= this.ready.length) {
      this.ready = this.ready.slice(this.readyHead)
      this.readyHead = 0
    }
    return frame
  }

  /** Convenience for callers without backpressure: push, then take every complete frame. */
  decode (chunk: Buffer): Buffer[] {
    this.push(chunk)
    const out: Buffer[] = []
    for (let frame = this.next(); frame !== undefined; frame = this.next()) out.push(frame)
    return out
  }

  /** Drops queued frames and any partial frame, e.g. when a connection stops reading for good. */
  reset (): void {
    this.ready = []
    this.readyHead = 0
    this.parts = []
    this.partsBytes = 0
    this.headerFill = 0
    this.bodySize = -1
  }

  private checkSize (size: number): void {
    if (size < 0) this.failure = new InvalidFrameSizeError(size)
    else if (size > this.maxFrameSize) this.failure = new FrameTooLargeError(size, this.maxFrameSize)
    if (this.failure !== undefined) throw this.failure
  }

  private emit (frame: Buffer): void {
    this.ready.push(frame)
  }
}

/** The 4-byte size prefix for a frame body of `size` bytes. */
export function frameHeader (size: number): Buffer {
  if (!Number.isInteger(size) || size < 0 || size > MAX_INT32) {
    throw new ProtocolEncodeError(`frame size ${size} does not fit an int32 prefix`)
  }
  const header = Buffer.allocUnsafe(FRAME_HEADER_SIZE)
  header.writeInt32BE(size, 0)
  return header
}

/**
 * Prefix + payload in one buffer. Copies the payload; a writer that cares
 * about large payloads can write `frameHeader(n)` and the payload separately.
 */
export function encodeFrame (payload: Uint8Array): Buffer {
  if (payload.length > MAX_INT32) {
    throw new ProtocolEncodeError(`frame size ${payload.length} does not fit an int32 prefix`)
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_SIZE + payload.length)
  frame.writeInt32BE(payload.length, 0)
  frame.set(payload, FRAME_HEADER_SIZE)
  return frame
}
