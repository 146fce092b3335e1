/**
 * Output: aligned tables with UPPERCASE headers by default (rpk,
 * kafka-consumer-groups.sh), JSON with `--format json`. JSON goes to stdout
 * as one document; bigints are written as numbers.
 */
export type Format = 'text' | 'json'

export function parseFormat (f: string | undefined): Format {
  if (f === undefined || f === 'text' || f === 'table') return 'text'
  if (f === 'json') return 'json'
  throw Object.assign(new Error(`unknown --format '${f}'`), { usage: true })
}

type Cell = string | number | bigint | boolean | null | undefined

function cell (v: Cell): string {
  if (v === null || v === undefined) return '-'
  return String(v)
}

/** Columns padded to the widest cell; the last column is not padded. */
export function table (headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const text = [headers.map(h => h.toUpperCase()), ...rows.map(r => r.map(cell))]
  const widths = headers.map((_, i) => Math.max(...text.map(r => (r[i] ?? '').length)))
  return text.map(r => r.map((c, i) => i === r.length - 1 ? c : c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n'
}

export function toJson (value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v, 2) + '\n'
}

export function write (s: string): void {
  process.stdout.write(s)
}
