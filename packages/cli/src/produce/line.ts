import { usage } from '../common/errors.js'

/**
 * One input line into a record. With `--header-separator HS` a line starts
 * with headers `k=v,k2=v2` then HS; with `--key-separator KS` (kcat's -K,
 * kafka-console-producer's key.separator) the key comes before KS. A line
 * without the key separator has no key. Headers from `-H k=v` go on every
 * record, before per-line ones.
 */
export interface LineFormat { keySeparator?: string, headerSeparator?: string, headers: Array<{ key: string, value: string }> }

export interface ParsedLine { key: string | null, value: string, headers: Array<{ key: string, value: string }> }

export function parseHeaders (text: string, where: string): Array<{ key: string, value: string }> {
  if (text === '') return []
  return text.split(',').map(h => {
    const i = h.indexOf('=')
    if (i <= 0) throw usage(`${where}: header '${h}' is not key=value`)
    return { key: h.slice(0, i), value: h.slice(i + 1) }
  })
}

export function parseLine (line: string, f: LineFormat, lineNo: number): ParsedLine {
  let rest = line
  const headers = [...f.headers]
  if (f.headerSeparator !== undefined) {
    const i = rest.indexOf(f.headerSeparator)
    if (i >= 0) {
      headers.push(...parseHeaders(rest.slice(0, i), `line ${lineNo}`))
      rest = rest.slice(i + f.headerSeparator.length)
    }
  }
  let key: string | null = null
  if (f.keySeparator !== undefined) {
    const i = rest.indexOf(f.keySeparator)
    if (i >= 0) {
      key = rest.slice(0, i)
      rest = rest.slice(i + f.keySeparator.length)
    }
  }
  return { key, value: rest, headers }
}
