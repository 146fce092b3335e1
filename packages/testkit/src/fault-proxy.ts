import { createServer, connect, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy on 127.0.0.1 that breaks connections on purpose (issue 6:
 * an idempotent producer whose connections are reset mid-request must
 * write no duplicates and leave no gaps).
 *
 * Every connection is forwarded to the target. Before forwarding a chunk,
 * the proxy may inject a fault: it forwards only part of the chunk (so a
 * request or a response is cut in the middle) and then resets both sides
 * (RST, as a crashed peer or a middlebox would). Faults come either after a
 * fixed number of bytes of one connection (`resetAfterBytes`) or at random
 * per chunk with a seeded generator (`probability`, `seed`), so a failing
 * run can be replayed; `direction` picks requests, responses or both (a
 * response cut after the broker appended is the case that makes a producer
 * retry a batch that is already in the log). At most `maxFaults` faults are
 * injected, then the proxy only forwards, so every test is bounded.
 */
export interface FaultProxyOptions {
  /** Where connections go; may be set later with setTarget (the broker must advertise the proxy's port). */
  target?: { host: string, port: number }
  /** Reset a connection once this many bytes went through it in the chosen direction. */
  resetAfterBytes?: number
  /** Chance, per forwarded chunk, of a fault (0..1). */
  probability?: number
  seed?: number
  direction?: 'requests' | 'responses' | 'both'
  /** Upper bound on injected faults (default 10). */
  maxFaults?: number
}

export class FaultProxy {
  /** Faults injected so far. */
  faults = 0
  /** Connections accepted so far. */
  connections = 0
  private target: { host: string, port: number } | undefined
  private readonly sockets = new Set<Socket>()
  private rng: () => number

  private constructor (private readonly server: Server, readonly port: number, private readonly options: FaultProxyOptions) {
    this.target = options.target
    this.rng = mulberry32(options.seed ?? 1)
  }

  static async start (options: FaultProxyOptions = {}): Promise<FaultProxy> {
    const server = createServer()
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('fault proxy: no TCP address')
    const proxy = new FaultProxy(server, address.port, options)
    server.on('connection', client => proxy.accept(client))
    return proxy
  }

  get host (): string { return '127.0.0.1' }
  get address (): string { return `127.0.0.1:${this.port}` }

  setTarget (host: string, port: number): void { this.target = { host, port } }

  /** Stops injecting faults (connections made from now on are only forwarded). */
  disarm (): void { this.options.maxFaults = this.faults }

  private accept (client: Socket): void {
    this.connections++
    const target = this.target
    if (target === undefined) { client.resetAndDestroy(); return }
    const upstream = connect(target.port, target.host)
    this.sockets.add(client).add(upstream)
    const forget = (s: Socket): void => { this.sockets.delete(s) }
    client.on('close', () => { forget(client); upstream.destroy() })
    upstream.on('close', () => { forget(upstream); client.destroy() })
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
    const dir = this.options.direction ?? 'both'
    this.pipe(client, upstream, dir === 'requests' || dir === 'both', client, upstream)
    this.pipe(upstream, client, dir === 'responses' || dir === 'both', client, upstream)
  }

  private pipe (from: Socket, to: Socket, faulty: boolean, client: Socket, upstream: Socket): void {
    let bytes = 0
    from.on('data', (chunk: Buffer) => {
      if (faulty && this.faults < (this.options.maxFaults ?? 10)) {
        const after = this.options.resetAfterBytes
        let cut = -1
        if (after !== undefined && bytes + chunk.length >= after) cut = Math.max(0, after - bytes)
        else if (this.options.probability !== undefined && this.rng() < this.options.probability) cut = Math.floor(this.rng() * chunk.length)
        if (cut >= 0) {
          this.faults++
          if (cut > 0) to.write(chunk.subarray(0, cut))
          // Let the partial write leave before the reset, so that the peer really sees a cut frame.
          setImmediate(() => { client.resetAndDestroy(); upstream.resetAndDestroy() })
          from.pause()
          return
        }
      }
      bytes += chunk.length
      if (!to.write(chunk)) {
        from.pause()
        to.once('drain', () => from.resume())
      }
    })
  }

  async close (): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>(resolve => this.server.close(() => resolve()))
  }
}

/** A small seeded PRNG (mulberry32), enough to make fault schedules reproducible. */
function mulberry32 (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
