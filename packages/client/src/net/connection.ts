import { connect, type Socket } from 'node:net'
import { FrameDecoder, decodeResponse, encodeRequest, type ApiDescriptor, type Input } from '@tributary/protocol'
import { ApiVersionsApi, type ApiVersionsResponse } from '@tributary/protocol/apis/api-versions'
import { ConnectionError, KafkaError, RequestTimeoutError } from '../errors.js'
import { negotiateVersion, type BrokerVersions } from './versions.js'

export interface ConnectionOptions {
  host: string
  port: number
  /** Kafka's `client.id`, sent in every request header. */
  clientId?: string
  /** Node id this connection is for (-1 for a bootstrap address); used in messages. */
  nodeId?: number
  connectTimeoutMs?: number
  /** Default per-request timeout (Kafka's `request.timeout.ms`, 30 s). */
  requestTimeoutMs?: number
}

export interface RequestOptions {
  /** Overrides the negotiated version. */
  version?: number
  timeoutMs?: number
  /** Produce with acks=0: the broker sends no response; resolves once written. */
  noResponse?: boolean
}

interface Pending {
  decode: (payload: Buffer) => unknown
  resolve: (v: unknown) => void
  reject: (e: Error) => void
  timer: NodeJS.Timeout
}

const CLIENT_SOFTWARE_NAME = 'tributary-client'
const CLIENT_SOFTWARE_VERSION = '0.1.0'
const MAX_CORRELATION_ID = 0x7fffffff

/**
 * One TCP connection to one broker. Requests are pipelined: each is written
 * at once and its response found by correlation id, as Kafka's NetworkClient
 * does (the broker answers in request order per connection, but matching by
 * id keeps us honest). Each request has its own timeout; as in the Java
 * client, a timed-out request closes the connection, because the stream can
 * no longer be trusted to answer it and the retry goes to a fresh one.
 */
export class Connection {
  readonly host: string
  readonly port: number
  readonly nodeId: number
  readonly clientId: string
  readonly requestTimeoutMs: number
  /** The broker's API ranges; set once open() returns. */
  versions: BrokerVersions = new Map()

  private readonly socket: Socket
  private readonly decoder = new FrameDecoder()
  private readonly pending = new Map<number, Pending>()
  private nextCorrelationId = 1
  private closedWith: Error | undefined
  private draining = false
  private readonly closeListeners: Array<(err: Error) => void> = []

  private constructor (socket: Socket, opts: ConnectionOptions) {
    this.socket = socket
    this.host = opts.host
    this.port = opts.port
    this.nodeId = opts.nodeId ?? -1
    this.clientId = opts.clientId ?? 'tributary'
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000
    socket.setNoDelay(true)
    socket.on('data', chunk => this.onData(chunk))
    socket.on('error', err => this.fail(new ConnectionError(`connection to ${this.describe()} failed: ${err.message}`, { cause: err })))
    socket.on('close', () => this.fail(new ConnectionError(`connection to ${this.describe()} closed`)))
  }

  /** Connects and negotiates API versions (KIP-511 ApiVersions first). */
  static async open (opts: ConnectionOptions): Promise<Connection> {
    const timeoutMs = opts.connectTimeoutMs ?? 10_000
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: opts.host, port: opts.port })
      const timer = setTimeout(() => {
        s.destroy()
        reject(new ConnectionError(`connecting to ${opts.host}:${opts.port} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      s.once('connect', () => { clearTimeout(timer); s.removeAllListeners('error'); resolve(s) })
      s.once('error', err => { clearTimeout(timer); reject(new ConnectionError(`cannot connect to ${opts.host}:${opts.port}: ${err.message}`, { cause: err })) })
    })
    const conn = new Connection(socket, opts)
    try {
      conn.versions = await conn.apiVersions()
    } catch (err) {
      conn.close()
      throw err
    }
    return conn
  }

  get closed (): boolean { return this.closedWith !== undefined }

  /** Called once when the connection closes for any reason. */
  onClose (listener: (err: Error) => void): void {
    if (this.closedWith !== undefined) listener(this.closedWith)
    else this.closeListeners.push(listener)
  }

  /** The version this connection uses for an API: the highest both sides speak. */
  versionFor (api: ApiDescriptor): number {
    return negotiateVersion(api, this.versions, this.nodeId >= 0 ? this.nodeId : undefined)
  }

  supports (apiKey: number): boolean {
    return this.versions.has(apiKey)
  }

  /** Sends a request at the negotiated version; every failure (also an unsupported API or an encoding error) is a rejection. */
  async send<Req, Res> (api: ApiDescriptor<Req, Res>, body: Input<Req>, opts: RequestOptions = {}): Promise<Res> {
    const version = opts.version ?? this.versionFor(api)
    return await this.sendRaw(api, version, body, payload => decodeResponse(api, version, payload).body, opts)
  }

  /**
   * Closes cleanly: no new requests, waits (up to `timeoutMs`) for the
   * answers of requests already sent, then ends the socket.
   */
  async closeGracefully (timeoutMs = this.requestTimeoutMs): Promise<void> {
    if (this.closedWith !== undefined) return
    this.draining = true
    const deadline = Date.now() + timeoutMs
    while (this.pending.size > 0 && Date.now() < deadline && this.closedWith === undefined) {
      await new Promise(resolve => setTimeout(resolve, 5))
    }
    this.socket.end()
    this.fail(new ConnectionError(`connection to ${this.describe()} closed by the client`))
  }

  /** Closes the socket now; pending requests fail with a retriable ConnectionError. */
  close (): void {
    this.fail(new ConnectionError(`connection to ${this.describe()} closed by the client`))
  }

  private sendRaw<Req, Res> (api: ApiDescriptor<Req, unknown>, version: number, body: Input<Req>, decode: (p: Buffer) => Res, opts: RequestOptions): Promise<Res> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith)
    if (this.draining) return Promise.reject(new ConnectionError(`connection to ${this.describe()} is closing`))
    const correlationId = this.nextCorrelationId
    this.nextCorrelationId = correlationId === MAX_CORRELATION_ID ? 1 : correlationId + 1
    let frame: Buffer
    try {
      frame = encodeRequest(api, version, correlationId, this.clientId, body)
    } catch (err) {
      return Promise.reject(err)
    }
    if (opts.noResponse === true) {
      return new Promise((resolve, reject) => {
        this.socket.write(frame, err => err == null ? resolve(undefined as Res) : reject(new ConnectionError(`write to ${this.describe()} failed: ${err.message}`, { cause: err })))
      })
    }
    const timeoutMs = opts.timeoutMs ?? this.requestTimeoutMs
    return new Promise<Res>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId)
        reject(new RequestTimeoutError(`${api.name} v${version} to ${this.describe()} got no response within ${timeoutMs} ms`))
        this.fail(new ConnectionError(`connection to ${this.describe()} closed after a request timed out`))
      }, timeoutMs)
      this.pending.set(correlationId, { decode, resolve: resolve as (v: unknown) => void, reject, timer })
      this.socket.write(frame)
    })
  }

  /**
   * ApiVersions at the highest version we know. A broker that does not know
   * it answers UNSUPPORTED_VERSION in the v0 layout with its own range
   * (KIP-511), and we ask again at the broker's highest.
   */
  private async apiVersions (): Promise<BrokerVersions> {
    const body = { clientSoftwareName: CLIENT_SOFTWARE_NAME, clientSoftwareVersion: CLIENT_SOFTWARE_VERSION }
    const decodeEither = (payload: Buffer): ApiVersionsResponse => {
      try {
        return decodeResponse(ApiVersionsApi, 3, payload).body
      } catch {
        return decodeResponse(ApiVersionsApi, 0, payload).body
      }
    }
    let res = await this.sendRaw(ApiVersionsApi, 3, body, decodeEither, {})
    if (res.errorCode === 35) {
      const own = res.apiKeys.find(k => k.apiKey === ApiVersionsApi.apiKey)
      const v = Math.min(own?.maxVersion ?? 0, 3)
      res = await this.sendRaw(ApiVersionsApi, v, body, p => decodeResponse(ApiVersionsApi, v, p).body, {})
    }
    if (res.errorCode !== 0) throw KafkaError.fromCode(res.errorCode, `ApiVersions to ${this.describe()}`)
    return new Map(res.apiKeys.map(k => [k.apiKey, [k.minVersion, k.maxVersion] as const]))
  }

  private onData (chunk: Buffer): void {
    let frames: Buffer[]
    try {
      frames = this.decoder.decode(chunk)
    } catch (err) {
      this.fail(new ConnectionError(`bad frame from ${this.describe()}: ${(err as Error).message}`, { cause: err }))
      return
    }
    for (const frame of frames) {
      if (frame.length < 4) continue
      const correlationId = frame.readInt32BE(0)
      const p = this.pending.get(correlationId)
      // Unknown ids belong to requests that timed out; the connection is closing anyway.
      if (p === undefined) continue
      this.pending.delete(correlationId)
      clearTimeout(p.timer)
      try {
        p.resolve(p.decode(frame))
      } catch (err) {
        p.reject(err as Error)
      }
    }
  }

  private fail (err: Error): void {
    if (this.closedWith !== undefined) return
    this.closedWith = err
    this.socket.destroy()
    for (const p of this.pending.values()) {
      clearTimeout(p.timer)
      p.reject(err)
    }
    this.pending.clear()
    for (const l of this.closeListeners.splice(0)) l(err)
  }

  private describe (): string {
    return this.nodeId >= 0 ? `broker ${this.nodeId} (${this.host}:${this.port})` : `${this.host}:${this.port}`
  }
}
