import { hostname as osHostname } from 'node:os'
import { isIPv6 } from 'node:net'
import { ConfigError } from './errors.js'

/**
 * Kafka's listener syntax: `listeners` and `advertised.listeners` are comma
 * lists of `NAME://host:port`, and `listener.security.protocol.map` gives
 * each NAME a security protocol. Names are case-insensitive and normalised
 * to upper case, as Kafka's ListenerName does.
 */

export const SecurityProtocol = {
  PLAINTEXT: 'PLAINTEXT',
  SSL: 'SSL',
  SASL_PLAINTEXT: 'SASL_PLAINTEXT',
  SASL_SSL: 'SASL_SSL'
} as const
export type SecurityProtocol = (typeof SecurityProtocol)[keyof typeof SecurityProtocol]

/** Protocols the network layer can serve today; the others are refused at startup. */
export const SUPPORTED_PROTOCOLS: ReadonlySet<SecurityProtocol> = new Set([SecurityProtocol.PLAINTEXT])

/** One parsed `NAME://host:port` entry. `host` is '' for "every interface". */
export interface ListenerAddressSpec {
  readonly name: string
  readonly host: string
  readonly port: number
}

/** A listener with its security protocol resolved from the map. */
export interface ListenerSpec extends ListenerAddressSpec {
  readonly securityProtocol: SecurityProtocol
}

/** What goes into Metadata/DescribeCluster responses for one listener. */
export interface AdvertisedEndpoint {
  readonly name: string
  readonly host: string
  readonly port: number
  readonly securityProtocol: SecurityProtocol
}

export type ParseResult<T> = { ok: true, value: T } | { ok: false, reason: string }

const NAME = /^[A-Za-z0-9_-]+$/
const ENTRY = /^([^:/]*):\/\/(\[[^\]]*\]|[^[\]:]*):([^:[\]]*)$/
const HOST = /^[A-Za-z0-9._-]*$/

/** Parses a `listeners`-style value; the reason names the faulty entry. */
export function parseListenerList (value: string): ParseResult<ListenerAddressSpec[]> {
  if (value.trim() === '') return { ok: false, reason: 'must list at least one listener as NAME://host:port' }
  const out: ListenerAddressSpec[] = []
  for (const entry of value.split(',').map(e => e.trim())) {
    const parsed = parseListener(entry)
    if (!parsed.ok) return parsed
    out.push(parsed.value)
  }
  const seen = new Set<string>()
  for (const l of out) {
    if (seen.has(l.name)) return { ok: false, reason: `listener name ${l.name} appears more than once` }
    seen.add(l.name)
  }
  // Two listeners cannot share a port on overlapping addresses; port 0 is
  // exempt since each bind then gets its own ephemeral port.
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      const a = out[i]!
      const b = out[j]!
      if (a.port !== 0 && a.port === b.port && (a.host === b.host || isWildcardHost(a.host) || isWildcardHost(b.host))) {
        return { ok: false, reason: `listeners ${a.name} and ${b.name} both use port ${a.port}` }
      }
    }
  }
  return { ok: true, value: out }
}

function parseListener (entry: string): ParseResult<ListenerAddressSpec> {
  if (entry === '') return { ok: false, reason: 'contains an empty listener entry' }
  const m = ENTRY.exec(entry)
  if (m === null) {
    if (/^[^:/]*:\/\/[^[]*:.*:/.test(entry)) {
      return { ok: false, reason: `in ${entry}, an IPv6 host must be in brackets, e.g. PLAINTEXT://[::1]:9092` }
    }
    return { ok: false, reason: `${entry} is not of the form NAME://host:port` }
  }
  const [, rawName, rawHost, rawPort] = m as unknown as [string, string, string, string]
  if (!NAME.test(rawName)) {
    return { ok: false, reason: `in ${entry}, the name must be letters, digits, '_' or '-'` }
  }
  let host = rawHost
  if (host.startsWith('[')) {
    host = host.slice(1, -1)
    if (!isIPv6(host)) return { ok: false, reason: `in ${entry}, ${host} is not an IPv6 address` }
  } else if (!HOST.test(host)) {
    return { ok: false, reason: `in ${entry}, ${host} is not a valid host name` }
  }
  if (rawPort === '') return { ok: false, reason: `${entry} has no port` }
  if (!/^\d+$/.test(rawPort) || Number(rawPort) > 65535) {
    return { ok: false, reason: `in ${entry}, port ${rawPort} is not between 0 and 65535` }
  }
  return { ok: true, value: { name: rawName.toUpperCase(), host, port: Number(rawPort) } }
}

/** Parses `listener.security.protocol.map` (`NAME:PROTOCOL,...`). */
export function parseSecurityProtocolMap (value: string): ParseResult<Map<string, SecurityProtocol>> {
  const map = new Map<string, SecurityProtocol>()
  if (value.trim() === '') return { ok: true, value: map }
  const known = Object.values(SecurityProtocol) as string[]
  for (const pair of value.split(',').map(p => p.trim())) {
    const colon = pair.indexOf(':')
    const name = colon < 0 ? '' : pair.slice(0, colon).trim().toUpperCase()
    const protocol = colon < 0 ? '' : pair.slice(colon + 1).trim().toUpperCase()
    if (name === '' || !NAME.test(name)) return { ok: false, reason: `entry '${pair}' is not of the form NAME:PROTOCOL` }
    if (!known.includes(protocol)) {
      return { ok: false, reason: `entry '${pair}': the protocol must be one of ${known.join(', ')}` }
    }
    if (map.has(name)) return { ok: false, reason: `listener name ${name} is mapped more than once` }
    map.set(name, protocol as SecurityProtocol)
  }
  return { ok: true, value: map }
}

/** Validator form of parseListenerList, for the definitions table. */
export function checkListenerList (value: unknown): string | undefined {
  const r = parseListenerList(String(value))
  return r.ok ? undefined : r.reason
}

export function checkSecurityProtocolMap (value: unknown): string | undefined {
  const r = parseSecurityProtocolMap(String(value))
  return r.ok ? undefined : r.reason
}

/** True for a host that binds every interface: empty, 0.0.0.0 or ::. */
export function isWildcardHost (host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::'
}

/** The host to pass to `server.listen()`: undefined binds every interface. */
export function bindHost (listener: ListenerAddressSpec): string | undefined {
  return listener.host === '' ? undefined : listener.host
}

/**
 * Gives each listener its security protocol. Only PLAINTEXT can be served
 * now, so any other protocol stops startup with a message saying so rather
 * than a listener that clients cannot talk to.
 */
export function resolveSecurityProtocols (
  listeners: readonly ListenerAddressSpec[],
  protocolMap: ReadonlyMap<string, SecurityProtocol>,
  key: string
): ListenerSpec[] {
  return listeners.map(l => {
    const securityProtocol = protocolMap.get(l.name)
    if (securityProtocol === undefined) {
      throw new ConfigError(
        `No security protocol is defined for listener ${l.name} of ${key}: add ${l.name}:PLAINTEXT to listener.security.protocol.map`,
        { key: 'listener.security.protocol.map' })
    }
    if (!SUPPORTED_PROTOCOLS.has(securityProtocol)) {
      throw new ConfigError(
        `Listener ${l.name} uses security protocol ${securityProtocol}, which Tributary does not support yet; only PLAINTEXT listeners can be configured`,
        { key })
    }
    return { ...l, securityProtocol }
  })
}

/**
 * Checks `advertised.listeners` against `listeners`, as Kafka does: each
 * advertised name must be a bound listener, and 0.0.0.0/:: cannot be
 * advertised since no client can connect to it.
 */
export function checkAdvertisedListeners (
  advertised: readonly ListenerAddressSpec[],
  listeners: readonly ListenerAddressSpec[]
): void {
  const names = new Set(listeners.map(l => l.name))
  for (const a of advertised) {
    if (!names.has(a.name)) {
      throw new ConfigError(
        `advertised.listeners names listener ${a.name}, which is not in listeners (${[...names].join(', ')})`,
        { key: 'advertised.listeners' })
    }
    if (a.host === '0.0.0.0' || a.host === '::') {
      throw new ConfigError(
        `advertised.listeners cannot advertise ${a.host} for ${a.name}: clients need a routable host name or address`,
        { key: 'advertised.listeners' })
    }
  }
}

/**
 * The endpoint clients are told about for one advertised listener, once the
 * matching listener is bound.
 *
 * - Port 0 means "whatever port the bind got", so it is replaced by
 *   `boundPort`; an explicit port is kept (it may be a NAT or proxy port).
 * - A wildcard host is replaced by this machine's host name, as Kafka does
 *   (it advertises the canonical host name). Binding one address, e.g.
 *   127.0.0.1 in tests, advertises that address unchanged. Clients that
 *   cannot resolve the host name need `advertised.listeners`.
 */
export function advertisedEndpoint (
  listener: ListenerSpec,
  boundPort: number,
  hostname: string = osHostname()
): AdvertisedEndpoint {
  return {
    name: listener.name,
    host: isWildcardHost(listener.host) ? hostname : listener.host,
    port: listener.port === 0 ? boundPort : listener.port,
    securityProtocol: listener.securityProtocol
  }
}
