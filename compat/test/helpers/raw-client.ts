// A minimal Kafka wire client for tests that must control every byte: one
// TCP connection, frames written as given, responses read one frame at a
// time with a timeout. It knows framing (via the protocol package's
// FrameDecoder) and nothing else, so a test can send frames no real client
// would build (unknown keys, future versions, truncated bodies).
import { connect, type Socket } from 'node:net'
import { FrameDecoder, decodeResponse, encodeFrame, encodeRequest, type ApiDescriptor, type Input } from '@tributary/protocol'

const DEFAULT_TIMEOUT_MS = 5000

/** The connection closed before a frame arrived. */
export class ConnectionClosedError extends Error {
  readonly code = 'COMPAT_CONNECTION_CLOSED'
}

interface Waiter {
  resolve (frame: Buffer): void
  reject (err: Error): void
  timer: NodeJS.Timeout
}

export class RawClient {
  /** Frames read so far (each without its size prefix). */
  framesReceived = 0
  private readonly decoder = new FrameDecoder()
  private readonly frames: Buffer[] = []
  private readonly waiters: Waiter[] = []
  private readonly closedPromise: Promise<void>
  private closed = false
  private nextCorrelationId = 1

  private constructor (private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      let got: Buffer[]
      try {
        got = this.decoder.decode(chunk)
      } catch (err) {
        socket.destroy(err as Error)
        return
      }
      for (const frame of got) {
        this.framesReceived++
        const waiter = this.waiters.shift()
        if (waiter === undefined) this.frames.push(frame)
        else {
          clearTimeout(waiter.timer)
          waiter.resolve(frame)
        }
      }
    })
    // A reset by the broker is one way of closing; 'close' follows it.
    socket.on('error', () => {})
    this.closedPromise = new Promise(resolve => {
      socket.once('close', () => {
        this.closed = true
        for (const w of this.waiters.splice(0)) {
          clearTimeout(w.timer)
          w.reject(new ConnectionClosedError('connection closed before a response frame'))
        }
        resolve()
      })
    })
  }

  /** Opens a connection, failing after `timeoutMs`. */
  static connect (host: string, port: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port })
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new Error(`connect to ${host}:${port} did not finish within ${timeoutMs} ms`))
      }, timeoutMs)
      socket.once('error', err => { clearTimeout(timer); reject(err) })
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.removeAllListeners('error')
        resolve(new RawClient(socket))
      })
    })
  }

  get isClosed (): boolean { return this.closed }

  /** Writes bytes as they are: a whole frame, part of one, or garbage. */
  send (bytes: Buffer): void {
    this.socket.write(bytes)
  }

  /** Writes a payload with its int32 size prefix. */
  sendPayload (payload: Buffer): void {
    this.socket.write(encodeFrame(payload))
  }

  /** Reads the next response frame (without its size prefix). */
  readFrame (timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Buffer> {
    const ready = this.frames.shift()
    if (ready !== undefined) return Promise.resolve(ready)
    if (this.closed) return Promise.reject(new ConnectionClosedError('connection is closed'))
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(waiter)
          if (i >= 0) this.waiters.splice(i, 1)
          reject(new Error(`no response frame within ${timeoutMs} ms`))
        }, timeoutMs)
      }
      this.waiters.push(waiter)
    })
  }

  /** Encodes a request with the generated codec, sends it, and decodes the answer. */
  async request<Req, Res> (api: ApiDescriptor<Req, Res>, version: number, body: Input<Req>, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<{ correlationId: number, body: Res }> {
    const correlationId = this.nextCorrelationId++
    this.send(encodeRequest(api, version, correlationId, 'tributary-compat', body))
    const response = decodeResponse(api, version, await this.readFrame(timeoutMs))
    if (response.correlationId !== correlationId) {
      throw new Error(`${api.name} v${version}: correlation id ${response.correlationId}, expected ${correlationId}`)
    }
    return response
  }

  /** Resolves when the peer has closed the connection; rejects after `timeoutMs`. */
  waitClosed (timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    if (this.closed) return Promise.resolve()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`connection still open after ${timeoutMs} ms`)), timeoutMs)
    })
    return Promise.race([this.closedPromise, timeout]).finally(() => clearTimeout(timer))
  }

  /** Closes our side; safe to call more than once. */
  close (): void {
    this.socket.destroy()
  }
}
