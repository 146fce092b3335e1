import { ConnectionError } from '../errors.js'
import { Connection, type ConnectionOptions } from './connection.js'

export interface HostPort { host: string, port: number }

/** Parses `host:port` (IPv6 as `[::1]:9092`). */
export function parseHostPort (s: string): HostPort {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s)
  if (m === null) throw new TypeError(`broker address '${s}' is not host:port`)
  const port = Number(m[2])
  if (port <= 0 || port > 65535) throw new TypeError(`broker address '${s}' has an invalid port`)
  return { host: m[1]!, port }
}

export type PoolOptions = Omit<ConnectionOptions, 'host' | 'port' | 'nodeId'>

/**
 * One connection per broker node, opened on first use and replaced when it
 * closes. Bootstrap addresses are tried in order until one answers; their
 * connections are kept apart from node connections because the bootstrap
 * address need not be any node's advertised address.
 */
export class ConnectionPool {
  private readonly byNode = new Map<number, Promise<Connection>>()
  private readonly byAddress = new Map<string, Promise<Connection>>()
  private closed = false

  constructor (private readonly opts: PoolOptions) {}

  /** The connection to a node, opening it if needed. */
  forNode (nodeId: number, addr: HostPort): Promise<Connection> {
    return this.cached(this.byNode, nodeId, () => Connection.open({ ...this.opts, ...addr, nodeId }))
  }

  /** A connection to the first bootstrap address that answers. */
  async bootstrap (addresses: readonly string[]): Promise<Connection> {
    let last: unknown
    for (const a of addresses) {
      const addr = parseHostPort(a)
      try {
        return await this.cached(this.byAddress, a, () => Connection.open({ ...this.opts, ...addr }))
      } catch (err) {
        last = err
      }
    }
    throw new ConnectionError(`no bootstrap broker answered (${addresses.join(', ')})`, { cause: last })
  }

  /** Any open node connection, for requests any broker can answer. */
  async anyOpen (): Promise<Connection | undefined> {
    for (const p of this.byNode.values()) {
      const c = await p.catch(() => undefined)
      if (c !== undefined && !c.closed) return c
    }
    return undefined
  }

  close (): void {
    this.closed = true
    for (const m of [this.byNode, this.byAddress] as Array<Map<unknown, Promise<Connection>>>) {
      for (const p of m.values()) p.then(c => c.close(), () => {})
      m.clear()
    }
  }

  private cached<K> (map: Map<K, Promise<Connection>>, key: K, open: () => Promise<Connection>): Promise<Connection> {
    if (this.closed) return Promise.reject(new ConnectionError('the client is closed'))
    const existing = map.get(key)
    if (existing !== undefined) {
      // A closed connection is replaced; a failed open is retried.
      return existing.then(c => c.closed ? this.reopen(map, key, existing, open) : c, () => this.reopen(map, key, existing, open))
    }
    return this.reopen(map, key, undefined, open)
  }

  private reopen<K> (map: Map<K, Promise<Connection>>, key: K, stale: Promise<Connection> | undefined, open: () => Promise<Connection>): Promise<Connection> {
    const current = map.get(key)
    if (current !== undefined && current !== stale) return current
    const p = open()
    map.set(key, p)
    p.then(c => { if (this.closed) c.close() }, () => { if (map.get(key) === p) map.delete(key) })
    return p
  }
}
