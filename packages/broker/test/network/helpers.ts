import net from 'node:net'
import { Duplex } from 'node:stream'
import { FrameDecoder, encodeFrame } from '@tributary/protocol'
import type { ConnectionContext, Logger, RequestHandler } from '../../src/network/index.js'

/** Bound for every network wait in these tests. */
export const WAIT_MS = 5000

export function withTimeout<T> (promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new Error(`timed out after ${ms} ms waiting for ${what}`)) }, ms)
  })
  return Promise.race([promise, timeout]).finally(() => { clearTimeout(timer) })
}

export function sleep (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

/** Polls `check` every 10 ms, at most `ms` long. */
export async function waitFor (check: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
  const rounds = Math.ceil(ms / 10)
  for (let i = 0; i < rounds; i++) {
    if (check()) return
    await sleep(10)
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`)
}

/**
 * The toy protocol of these tests. Request: int32 id, int32 delay ms, int8
 * action, then padding. Response: int32 id, then `responseSize - 4` bytes.
 */
export const Action = { echo: 0, noResponse: 1, throw: 2, reject: 3, hang: 4 } as const
export type ActionName = keyof typeof Action

export function request (id: number, options: { delayMs?: number, action?: ActionName, padding?: number } = {}): Buffer {
  const b = Buffer.alloc(9 + (options.padding ?? 0))
  b.writeInt32BE(id, 0)
  b.writeInt32BE(options.delayMs ?? 0, 4)
  b.writeInt8(Action[options.action ?? 'echo'], 8)
  return b
}

export function responseId (frame: Buffer): number {
  return frame.readInt32BE(0)
}

export interface TestHandler extends RequestHandler {
  /** Ids in the order the handler was called. */
  readonly calls: number[]
  /** Ids in the order the handler finished. */
  readonly finished: number[]
  readonly contexts: ConnectionContext[]
  /** Resolves every request parked by the `hang` action with its echo. */
  releaseHung (): void
}

/** A handler for the toy protocol; `responseSize` pads every response. */
export function testHandler (options: { responseSize?: number } = {}): TestHandler {
  const calls: number[] = []
  const finished: number[] = []
  const contexts: ConnectionContext[] = []
  let hung: Array<() => void> = []
  const responseSize = Math.max(4, options.responseSize ?? 4)
  const respond = (id: number): Buffer => {
    const r = Buffer.alloc(responseSize)
    r.writeInt32BE(id, 0)
    finished.push(id)
    return r
  }
  return {
    calls,
    finished,
    contexts,
    releaseHung () {
      const waiting = hung
      hung = []
      for (const release of waiting) release()
    },
    handle (frame, conn) {
      const id = frame.readInt32BE(0)
      const delayMs = frame.readInt32BE(4)
      const action = frame.readInt8(8)
      calls.push(id)
      contexts.push(conn)
      if (action === Action.throw) throw new Error(`request ${id} is malformed`)
      if (action === Action.reject) return Promise.reject(new Error(`request ${id} failed`))
      if (action === Action.hang) {
        return new Promise(resolve => { hung.push(() => { resolve(respond(id)) }) })
      }
      const answer = (): Buffer | null => {
        if (action === Action.noResponse) {
          finished.push(id)
          return null
        }
        return respond(id)
      }
      if (delayMs === 0) return answer()
      return sleep(delayMs).then(answer)
    }
  }
}

export interface LogEntry {
  level: string
  bindings: Record<string, unknown>
  obj: object
  msg: string | undefined
}

/** A Logger that records what it is given, with the child bindings merged. */
export function recordingLogger (entries: LogEntry[] = [], bindings: Record<string, unknown> = {}): Logger & { entries: LogEntry[] } {
  const at = (level: string) => (obj: object, msg?: string): void => { entries.push({ level, bindings, obj, msg }) }
  return {
    entries,
    child: (more) => recordingLogger(entries, { ...bindings, ...more }),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error')
  }
}

/** A client speaking size-prefixed frames over a real socket. */
export class TestClient {
  readonly socket: net.Socket
  readonly received: Buffer[] = []
  private readonly decoder = new FrameDecoder({ maxFrameSize: 64 * 1024 * 1024 })
  private readonly closedPromise: Promise<void>
  private wake: () => void = () => {}

  static async connect (port: number, host = '127.0.0.1'): Promise<TestClient> {
    const socket = net.connect({ port, host })
    await withTimeout(new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    }), 'connect')
    return new TestClient(socket)
  }

  private constructor (socket: net.Socket) {
    this.socket = socket
    socket.setNoDelay(true)
    socket.on('error', () => {}) // resets are expected in several tests; 'close' is what we watch
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.decode(chunk)) this.received.push(frame)
      this.wake()
    })
    this.closedPromise = new Promise(resolve => socket.once('close', () => { resolve() }))
  }

  send (...payloads: Buffer[]): void {
    this.socket.write(Buffer.concat(payloads.map(p => encodeFrame(p))))
  }

  /** Waits until `n` responses have arrived in total and returns them all. */
  async responses (n: number, ms = WAIT_MS): Promise<Buffer[]> {
    await withTimeout(new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.received.length >= n) resolve()
        else if (this.socket.destroyed) reject(new Error(`socket closed after ${this.received.length} of ${n} responses`))
      }
      this.wake = check
      void this.closedPromise.then(check)
      check()
    }), `${n} responses`, ms)
    return this.received.slice(0, n)
  }

  async ids (n: number, ms = WAIT_MS): Promise<number[]> {
    return (await this.responses(n, ms)).map(responseId)
  }

  closed (ms = WAIT_MS): Promise<void> {
    return withTimeout(this.closedPromise, 'the server to close the socket', ms)
  }

  get isClosed (): boolean { return this.socket.destroyed }

  destroy (): void {
    this.socket.destroy()
  }
}

/** Two Duplexes wired back to back, in memory: what one writes the other reads. */
export function duplexPair (): [Duplex, Duplex] {
  const sides: Duplex[] = []
  const make = (peer: () => Duplex): Duplex => new Duplex({
    read () {},
    write (chunk: Buffer, _encoding, callback) {
      peer().push(chunk)
      callback()
    },
    final (callback) {
      peer().push(null)
      callback()
    }
  })
  sides.push(make(() => sides[1] as Duplex), make(() => sides[0] as Duplex))
  return [sides[0] as Duplex, sides[1] as Duplex]
}
