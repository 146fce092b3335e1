/**
 * `max.connections.per.ip.overrides`: a comma list of `host:count` pairs
 * that replace `max.connections.per.ip` for those hosts. The host is what
 * the socket reports as the remote address; an IPv6 address keeps its
 * colons, so the count is after the last one.
 */

export type OverridesResult = { ok: true, value: Record<string, number> } | { ok: false, reason: string }

export function parseConnectionOverrides (value: string): OverridesResult {
  const out: Record<string, number> = {}
  if (value.trim() === '') return { ok: true, value: out }
  for (const pair of value.split(',').map(p => p.trim())) {
    const colon = pair.lastIndexOf(':')
    const host = colon < 0 ? '' : pair.slice(0, colon).trim()
    const count = colon < 0 ? '' : pair.slice(colon + 1).trim()
    if (host === '' || !/^\d+$/.test(count) || Number(count) > 2147483647) {
      return { ok: false, reason: `entry '${pair}' is not of the form host:count with a count between 0 and 2147483647` }
    }
    out[host] = Number(count)
  }
  return { ok: true, value: out }
}

export function checkConnectionOverrides (value: unknown): string | undefined {
  const r = parseConnectionOverrides(String(value))
  return r.ok ? undefined : r.reason
}
