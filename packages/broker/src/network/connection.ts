import type { Duplex } from 'node:stream'
import { DEFAULT_MAX_FRAME_SIZE, FrameDecoder, ProtocolError, frameHeader } from '@tributary/protocol'
import { channels } from './diagnostics.js'

/**
 * One client connection: bytes in, frames out to a RequestHandler, responses
 * back in request order.
 *
 * Kafka reads one request per connection and mutes the channel until its
 * response is sent. Clients rely on the order of responses (they match them
 * to requests by position as much as by correlation id), not on that
 * one-at-a-time processing, so here requests may be processed concurrently
 * (a slow acks=all produce does not hold up a metadata request behind it in
 * the handler) while responses are written strictly in request order.
 *
 * The connection runs over any Duplex so that tests can drive it without
 * sockets; a net.Socket is the production case.
 */

/** The subset of pino's API the network layer uses; a pino Logger fits. */
export interface Logger {
  child (bindings: Record<string, unknown>): Logger
  debug (obj: object, msg?: string): void
  info (obj: object, msg?: string): void
  warn (obj: object, msg?: string): void
  error (obj: object, msg?: string): void
}

function noop (): void {}

export const silentLogger: Logger = {
  child: () => silentLogger,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop
}

/** What a handler may know about the connection a request came on. */
export interface ConnectionContext {
  /** Kafka's form: `localHost:localPort-remoteHost:remotePort-index`. */
  readonly id: string
  readonly remoteAddress: string | undefined
  readonly remotePort: number | undefined
  readonly localPort: number | undefined
  /** The listener the connection came in on, e.g. `PLAINTEXT`. */
  readonly listenerName: string
  /** True once the connection is closed; a late response is then dropped. */
  readonly closed: boolean
}

export interface RequestHandler {
  /**
   * Handles one request frame (header and body, without the size prefix)
   * and returns the response payload without its size prefix, or null when
   * the request gets no response (a produce with acks=0). Throwing or
   * rejecting closes the connection, as Kafka does for a request it cannot
   * parse or an unknown API key.
   *
   * `frame` may be a view of a socket chunk: copy what must outlive the call.
   * A payload given as parts is written in order, without joining them; the
   * parts must not change until written.
   */
  handle (frame: Buffer, conn: ConnectionContext): Promise<ResponsePayload | null> | ResponsePayload | null
}

/** A response without its size prefix: one buffer, or parts written back to back (a fetch's record sets stay uncopied). */
export type ResponsePayload = Buffer | readonly Buffer[]

function payloadLength (payload: ResponsePayload): number {
  if (Buffer.isBuffer(payload)) return payload.length
  let n = 0
  for (const part of payload) n += part.length
  return n
}

export interface ConnectionLimits {
  /** Largest request frame (Kafka: `socket.request.max.bytes`, 100 MiB). */
  maxFrameSize: number
  /**
   * Requests read but not yet answered before the connection stops reading
   * (Kafka: `queued.max.requests`, 500; Kafka's limit is broker-wide, this
   * one is per connection).
   */
  maxInFlightRequests: number
  /**
   * Response bytes produced but not yet taken by the peer (held behind a
   * slower earlier request, or buffered in the stream) above which the
   * connection stops reading, so that a client that does not read cannot
   * make the broker buffer without bound.
   */
  maxBufferedResponseBytes: number
  /**
   * Close a connection with no traffic and nothing in flight for this long
   * (Kafka: `connections.max.idle.ms`, 10 minutes). 0 disables.
   */
  idleTimeoutMs: number
}

export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = Object.freeze({
  maxFrameSize: DEFAULT_MAX_FRAME_SIZE,
  maxInFlightRequests: 500,
  maxBufferedResponseBytes: 8 * 1024 * 1024,
  idleTimeoutMs: 600_000
})

export interface ConnectionOptions extends Partial<ConnectionLimits> {
  handler: RequestHandler
  /** Defaults to one built from the stream's addresses when it is a socket. */
  id?: string
  listenerName?: string
  logger?: Logger
  /** Override what is read from a net.Socket (useful for other Duplexes). */
  remoteAddress?: string
  remotePort?: number
  localPort?: number
}

interface Slot {
  done: boolean
  response: ResponsePayload | null
  /** Bytes of `response`. */
  length: number
}

const WRITTEN: Slot = Object.freeze({ done: true, response: null, length: 0 })

type State = 'open' | 'draining' | 'closed'

/** Fields a net.Socket has and a plain Duplex lacks. */
interface SocketLike {
  remoteAddress?: string
  remotePort?: number
  localAddress?: string
  localPort?: number
}

let anonymousIds = 0

export class Connection implements ConnectionContext {
  readonly id: string
  readonly remoteAddress: string | undefined
  readonly remotePort: number | undefined
  readonly localPort: number | undefined
  readonly listenerName: string
  /** Resolves once the stream has closed, for whatever reason. */
  readonly whenClosed: Promise<void>

  private readonly stream: Duplex
  private readonly handler: RequestHandler
  private readonly limits: ConnectionLimits
  private readonly log: Logger
  private readonly decoder: FrameDecoder

  /** One slot per request read, in request order; written from the head. */
  private slots: Slot[] = []
  private slotHead = 0
  /** Bytes of finished responses waiting behind an unfinished earlier one. */
  private heldBytes = 0
  private writeBlocked = false
  private readPaused = false
  private pumping = false
  private state: State = 'open'
  private ending = false
  private closeReason: unknown
  private closeEmitted = false

  private drainPromise: Promise<void> | undefined
  private resolveDrain: () => void = noop
  private resolveClosed: () => void = noop

  private idleTimer: NodeJS.Timeout | undefined
  private lastActivity = performance.now()

  constructor (stream: Duplex, options: ConnectionOptions) {
    this.stream = stream
    this.handler = options.handler
    this.limits = {
      maxFrameSize: options.maxFrameSize ?? DEFAULT_CONNECTION_LIMITS.maxFrameSize,
      maxInFlightRequests: options.maxInFlightRequests ?? DEFAULT_CONNECTION_LIMITS.maxInFlightRequests,
      maxBufferedResponseBytes: options.maxBufferedResponseBytes ?? DEFAULT_CONNECTION_LIMITS.maxBufferedResponseBytes,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_CONNECTION_LIMITS.idleTimeoutMs
    }
    if (!(this.limits.maxInFlightRequests >= 1)) throw new RangeError('maxInFlightRequests must be at least 1')
    this.decoder = new FrameDecoder({ maxFrameSize: this.limits.maxFrameSize })

    // Read the addresses now: a socket forgets them once it is destroyed.
    const socket = stream as Duplex & SocketLike
    this.remoteAddress = options.remoteAddress ?? socket.remoteAddress
    this.remotePort = options.remotePort ?? socket.remotePort
    this.localPort = options.localPort ?? socket.localPort
    this.listenerName = options.listenerName ?? 'PLAINTEXT'
    this.id = options.id ?? (socket.localAddress !== undefined
      ? `${socket.localAddress}:${this.localPort ?? ''}-${this.remoteAddress ?? ''}:${this.remotePort ?? ''}-${anonymousIds++}`
      : `stream-${anonymousIds++}`)
    this.log = (options.logger ?? silentLogger).child({
      connectionId: this.id,
      remote: `${this.remoteAddress ?? 'unknown'}:${this.remotePort ?? ''}`
    })
    this.whenClosed = new Promise(resolve => { this.resolveClosed = resolve })

    stream.on('data', this.onData)
    stream.on('end', this.onEnd)
    stream.on('drain', this.onDrain)
    stream.on('error', this.onError)
    stream.on('close', this.onClose)
    this.armIdleTimer(this.limits.idleTimeoutMs)

    if (channels.connectionOpen.hasSubscribers) channels.connectionOpen.publish({ connection: this })
    this.log.debug({}, 'connection opened')
    // A stream destroyed before we listened would never emit 'close' to us.
    if (stream.destroyed) queueMicrotask(this.onClose)
  }

  get closed (): boolean { return this.state === 'closed' }

  /** Requests read whose responses have not yet been handed to the stream. */
  get inFlight (): number { return this.slots.length - this.slotHead }

  /**
   * Stops reading requests (anything not yet dispatched is dropped), waits
   * until every dispatched request is answered and its response flushed to
   * the stream, then ends the write side. Resolves when the responses are
   * out or the connection closed otherwise. Idempotent.
   */
  drain (): Promise<void> {
    if (this.state === 'closed') return Promise.resolve()
    if (this.drainPromise === undefined) {
      this.drainPromise = new Promise(resolve => { this.resolveDrain = resolve })
      this.state = 'draining'
      this.decoder.reset()
      // Keep consuming (and discarding) input: the peer's FIN is only seen
      // by reading, and closing a socket with unread input makes the kernel
      // send a reset that can discard responses still in flight.
      this.resumeReading()
      this.maybeFinishDrain()
    }
    return this.drainPromise
  }

  /** Closes now, dropping unanswered requests and unwritten responses. */
  close (reason?: unknown): void {
    if (this.state === 'closed') return
    this.markClosed(reason)
    this.stream.destroy()
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.state !== 'open') return
    this.lastActivity = performance.now()
    try {
      this.decoder.push(chunk)
    } catch (err) {
      // Kafka closes the connection on a bad size prefix (InvalidReceiveException).
      this.fail(err, 'invalid request frame')
      return
    }
    this.pump()
  }

  private readonly onEnd = (): void => {
    if (this.decoder.partialBytes > 0) {
      this.log.debug({ partialBytes: this.decoder.partialBytes }, 'peer closed in the middle of a frame')
    }
    // The peer will send nothing more; answer what it already sent, then end.
    void this.drain()
  }

  private readonly onDrain = (): void => {
    if (!this.writeBlocked) return
    this.writeBlocked = false
    this.flush()
  }

  private readonly onError = (err: Error): void => {
    // Resets and broken pipes are the peer going away, not our failure.
    const code = (err as NodeJS.ErrnoException).code
    const peerGone = code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT'
    this.log[peerGone ? 'debug' : 'warn']({ err }, 'connection error')
    this.close(err)
  }

  private readonly onClose = (): void => {
    if (this.closeEmitted) return
    this.closeEmitted = true
    this.markClosed(undefined)
    this.stream.off('data', this.onData)
    this.resolveDrain()
    this.resolveClosed()
    if (channels.connectionClose.hasSubscribers) {
      channels.connectionClose.publish(this.closeReason === undefined
        ? { connection: this }
        : { connection: this, error: this.closeReason })
    }
    this.log.debug({}, 'connection closed')
  }

  /** Dispatches decoded frames while under the limits; pauses reading when over. */
  private pump (): void {
    if (this.pumping) return
    this.pumping = true
    // Responses answered synchronously while one chunk is dispatched go out
    // in one writev instead of one write per response.
    this.stream.cork()
    try {
      while (this.state === 'open') {
        if (this.overLimits()) {
          this.pauseReading()
          return
        }
        const frame = this.decoder.next()
        if (frame === undefined) {
          this.resumeReading()
          return
        }
        this.dispatch(frame)
      }
    } finally {
      this.pumping = false
      if (!this.stream.destroyed) this.stream.uncork()
    }
  }

  private overLimits (): boolean {
    return this.inFlight >= this.limits.maxInFlightRequests ||
      this.heldBytes + this.stream.writableLength > this.limits.maxBufferedResponseBytes
  }

  private dispatch (frame: Buffer): void {
    const slot: Slot = { done: false, response: null, length: 0 }
    this.slots.push(slot)
    let result: Promise<ResponsePayload | null> | ResponsePayload | null
    try {
      result = this.handler.handle(frame, this)
    } catch (err) {
      this.fail(err, 'request handler failed')
      return
    }
    if (isPromiseLike(result)) {
      result.then(
        response => { this.settle(slot, response) },
        (err: unknown) => { this.fail(err, 'request handler failed') }
      )
    } else {
      this.settle(slot, result)
    }
  }

  private settle (slot: Slot, response: ResponsePayload | null): void {
    if (this.state === 'closed') return
    try {
      const length = response === null ? 0 : payloadLength(response)
      if (response !== null) frameHeader(length) // validates the size before it is queued
      slot.done = true
      slot.response = response
      slot.length = length
      this.heldBytes += length
      this.flush()
    } catch (err) {
      this.fail(err, 'cannot write response')
    }
  }

  /** Writes finished responses from the head of the queue, in request order. */
  private flush (): void {
    if (this.writeBlocked || this.state === 'closed') return
    let corked = false
    try {
      while (this.slotHead < this.slots.length) {
        const slot = this.slots[this.slotHead] as Slot
        if (!slot.done) break
        // Drop the reference so the response can be collected once written.
        this.slots[this.slotHead++] = WRITTEN
        const response = slot.response
        if (response === null) continue // no response, but it kept its place
        if (!corked) {
          // One writev for the prefixes and payloads written in this pass.
          this.stream.cork()
          corked = true
        }
        this.heldBytes -= slot.length
        this.stream.write(frameHeader(slot.length))
        let accepted = true
        if (Buffer.isBuffer(response)) accepted = this.stream.write(response)
        else for (const part of response) accepted = this.stream.write(part)
        if (!accepted) {
          // Buffered anyway; write nothing more until the stream drains.
          this.writeBlocked = true
          break
        }
      }
    } finally {
      if (corked) {
        this.stream.uncork()
        this.lastActivity = performance.now()
      }
    }
    if (this.slotHead === this.slots.length) {
      this.slots = []
      this.slotHead = 0
    } else if (this.slotHead >= 1024 && this.slotHead * 2 >= this.slots.length) {
      // A connection that always has something in flight never empties the
      // queue; compact it now and then so it does not grow with every request.
      this.slots = this.slots.slice(this.slotHead)
      this.slotHead = 0
    }
    if (this.state === 'draining') this.maybeFinishDrain()
    else this.pump()
  }

  private maybeFinishDrain (): void {
    if (this.state !== 'draining' || this.ending || this.writeBlocked || this.inFlight > 0) return
    this.ending = true
    this.stream.end(() => { this.resolveDrain() })
  }

  private pauseReading (): void {
    if (this.readPaused) return
    this.readPaused = true
    this.stream.pause()
  }

  private resumeReading (): void {
    if (!this.readPaused) return
    this.readPaused = false
    this.stream.resume()
  }

  private fail (err: unknown, msg: string): void {
    if (this.state === 'closed') return
    // A client's bad bytes are its problem (warn); anything else is ours (error).
    if (err instanceof ProtocolError) this.log.warn({ err }, msg)
    else this.log.error({ err }, msg)
    this.close(err)
  }

  private markClosed (reason: unknown): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.closeReason = reason
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer)
    this.idleTimer = undefined
    this.slots = []
    this.slotHead = 0
    this.heldBytes = 0
    this.decoder.reset()
  }

  private armIdleTimer (delayMs: number): void {
    if (!(this.limits.idleTimeoutMs > 0) || !Number.isFinite(this.limits.idleTimeoutMs)) return
    this.idleTimer = setTimeout(this.onIdleTimer, Math.max(1, delayMs))
    this.idleTimer.unref()
  }

  private readonly onIdleTimer = (): void => {
    this.idleTimer = undefined
    if (this.state === 'closed') return
    const idleFor = performance.now() - this.lastActivity
    // A connection waiting on us (a long poll, a response the peer has not
    // read yet) is not idle.
    const busy = this.inFlight > 0 || this.stream.writableLength > 0
    if (busy || idleFor < this.limits.idleTimeoutMs) {
      this.armIdleTimer(busy ? this.limits.idleTimeoutMs : this.limits.idleTimeoutMs - idleFor)
      return
    }
    this.log.info({ idleMs: Math.round(idleFor) }, 'closing idle connection (connections.max.idle.ms)')
    this.close()
  }
}

function isPromiseLike<T> (value: PromiseLike<T> | T): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}
