import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { Connection, silentLogger } from './connection.js'
import type { ConnectionLimits, Logger, RequestHandler } from './connection.js'
import { channels } from './diagnostics.js'
import type { ConnectionRejectMessage } from './diagnostics.js'

/**
 * A TCP listener (one entry of Kafka's `listeners`): accepts connections,
 * enforces the connection limits and runs a Connection per socket.
 */

export interface ListenerOptions extends Partial<ConnectionLimits> {
  handler: RequestHandler
  /** Address to bind; omitted means every interface, like `PLAINTEXT://:9092`. */
  host?: string
  /** 0 picks an ephemeral port; read the result from `address`. */
  port: number
  /** Listener name, handed to handlers in ConnectionContext (default `PLAINTEXT`). */
  name?: string
  logger?: Logger
  /** Kafka: `max.connections` (per listener here). Extra connections are closed at once. */
  maxConnections?: number
  /** Kafka: `max.connections.per.ip`. */
  maxConnectionsPerIp?: number
  /** Kafka: `max.connections.per.ip.overrides`, keyed by the remote address as the socket reports it. */
  maxConnectionsPerIpOverrides?: Readonly<Record<string, number>>
  backlog?: number
}

export interface ListenerAddress {
  host: string
  port: number
  family: string
}

export interface ListenerCloseOptions {
  /**
   * true (default): stop accepting, let each connection answer the requests
   * it has read (drain), then close. false: close every connection now.
   */
  graceful?: boolean
  /** After this long a graceful close destroys the connections still open (default 30 s). */
  timeoutMs?: number
}

const DEFAULT_CLOSE_TIMEOUT_MS = 30_000

export class Listener {
  readonly name: string
  private readonly options: ListenerOptions
  private readonly log: Logger
  private readonly server: net.Server
  private readonly connections = new Set<Connection>()
  private readonly perIp = new Map<string, number>()
  private boundAddress: ListenerAddress | undefined
  private connectionIndex = 0
  private closing: Promise<void> | undefined

  /** Creates a listener and binds it. */
  static async start (options: ListenerOptions): Promise<Listener> {
    const listener = new Listener(options)
    await listener.listen()
    return listener
  }

  constructor (options: ListenerOptions) {
    this.options = options
    this.name = options.name ?? 'PLAINTEXT'
    this.log = (options.logger ?? silentLogger).child({ listener: this.name })
    // allowHalfOpen: a client that half-closes still gets the responses to
    // what it sent; the Connection ends our side once they are written.
    this.server = net.createServer({ allowHalfOpen: true }, this.onConnection)
  }

  /** The bound address; throws before `listen()` has resolved. */
  get address (): ListenerAddress {
    if (this.boundAddress === undefined) throw new Error(`listener ${this.name} is not bound`)
    return this.boundAddress
  }

  get port (): number { return this.address.port }

  get connectionCount (): number { return this.connections.size }

  listen (): Promise<ListenerAddress> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => { reject(err) }
      this.server.once('error', onError)
      this.server.listen({ host: this.options.host, port: this.options.port, backlog: this.options.backlog }, () => {
        this.server.off('error', onError)
        this.server.on('error', this.onServerError)
        const info = this.server.address() as AddressInfo
        this.boundAddress = { host: info.address, port: info.port, family: info.family }
        this.log.info({ ...this.boundAddress }, 'listening')
        resolve(this.boundAddress)
      })
    })
  }

  /** Stops accepting and closes every connection; see ListenerCloseOptions. Idempotent. */
  close (options: ListenerCloseOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(options.graceful ?? true, options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS)
    return this.closing
  }

  private async shutdown (graceful: boolean, timeoutMs: number): Promise<void> {
    // The callback runs once the server is unbound and every socket is gone.
    const serverClosed = new Promise<void>(resolve => {
      this.server.close(() => { resolve() })
    })
    const open = [...this.connections]
    if (graceful && open.length > 0) {
      let timer: NodeJS.Timeout | undefined
      const timedOut = new Promise<void>(resolve => { timer = setTimeout(resolve, timeoutMs) })
      await Promise.race([
        Promise.all(open.map(async conn => {
          await conn.drain()
          await conn.whenClosed
        })),
        timedOut
      ])
      clearTimeout(timer)
      if (this.connections.size > 0) {
        this.log.warn({ remaining: this.connections.size, timeoutMs }, 'graceful close timed out, closing remaining connections')
      }
    }
    for (const conn of this.connections) conn.close()
    await Promise.all(open.map(conn => conn.whenClosed))
    await serverClosed
    this.log.info({}, 'closed')
  }

  private readonly onConnection = (socket: net.Socket): void => {
    const ip = socket.remoteAddress ?? ''
    const reason = this.rejectReason(ip)
    if (reason !== undefined) {
      this.reject(socket, reason)
      return
    }
    // Kafka's Acceptor sets TCP_NODELAY (requests and responses are small and
    // latency-bound) and SO_KEEPALIVE on every accepted socket.
    socket.setNoDelay(true)
    socket.setKeepAlive(true)
    const conn = new Connection(socket, {
      handler: this.options.handler,
      listenerName: this.name,
      logger: this.options.logger ?? silentLogger,
      id: `${socket.localAddress ?? ''}:${socket.localPort ?? ''}-${ip}:${socket.remotePort ?? ''}-${this.connectionIndex++}`,
      maxFrameSize: this.options.maxFrameSize,
      maxInFlightRequests: this.options.maxInFlightRequests,
      maxBufferedResponseBytes: this.options.maxBufferedResponseBytes,
      idleTimeoutMs: this.options.idleTimeoutMs
    })
    this.connections.add(conn)
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1)
    void conn.whenClosed.then(() => {
      this.connections.delete(conn)
      const n = (this.perIp.get(ip) ?? 1) - 1
      if (n > 0) this.perIp.set(ip, n)
      else this.perIp.delete(ip)
    })
  }

  private rejectReason (ip: string): ConnectionRejectMessage['reason'] | undefined {
    if (this.closing !== undefined) return 'closing'
    if (this.connections.size >= (this.options.maxConnections ?? Infinity)) return 'max.connections'
    const perIpLimit = this.options.maxConnectionsPerIpOverrides?.[ip] ?? this.options.maxConnectionsPerIp ?? Infinity
    if ((this.perIp.get(ip) ?? 0) >= perIpLimit) return 'max.connections.per.ip'
    return undefined
  }

  /**
   * Kafka closes a connection over `max.connections.per.ip` at once, and
   * delays accepting over `max.connections`; closing at once in both cases
   * keeps the accept queue moving, and clients retry with backoff.
   */
  private reject (socket: net.Socket, reason: ConnectionRejectMessage['reason']): void {
    const message: ConnectionRejectMessage = {
      listenerName: this.name,
      remoteAddress: socket.remoteAddress,
      remotePort: socket.remotePort,
      reason
    }
    socket.destroy()
    this.log.info({ remote: `${message.remoteAddress ?? ''}:${message.remotePort ?? ''}`, reason }, 'rejected connection')
    if (channels.connectionReject.hasSubscribers) channels.connectionReject.publish(message)
  }

  private readonly onServerError = (err: Error): void => {
    // Accept failures (EMFILE and the like) must not take the broker down.
    this.log.error({ err }, 'listener error')
  }
}
