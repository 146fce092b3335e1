import { usage } from './errors.js'

/** `-c k=v` repeated (or `k=v,k2=v2`) into an object. */
export function keyValues (list: readonly string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const item of list ?? []) {
    const i = item.indexOf('=')
    if (i <= 0) throw usage(`${flag} '${item}' is not key=value`, `write it as ${flag} key=value`)
    out[item.slice(0, i)] = item.slice(i + 1)
  }
  return out
}

export function collect (value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

export function intArg (value: string | undefined, flag: string, min = 0): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw usage(`${flag} '${value}' is not an integer >= ${min}`)
  return n
}

/** A timestamp in ms since the epoch, or an ISO date (`2026-11-22T10:00:00Z`). */
export function timestampArg (value: string, flag: string): number {
  if (/^\d+$/.test(value)) return Number(value)
  const t = Date.parse(value)
  if (Number.isNaN(t)) throw usage(`${flag} timestamp '${value}' is neither ms since the epoch nor an ISO date`)
  return t
}
