/*
 * The one JSON encoding of decoded protocol values used by the golden files
 * (written by tools/capture-golden/capture.mjs, read by golden.test.ts).
 * JSON has no int64 and no bytes, so:
 *
 *   bigint            -> { "$bigint": "123" }
 *   Buffer/Uint8Array -> { "$hex": "0a1b" }
 *
 * Everything else (numbers, strings, booleans, null, arrays, plain objects,
 * UUIDs which the codec already decodes to strings) is plain JSON. Objects
 * keep the key order of the decoded value, so a re-capture diffs cleanly.
 */

export type GoldenJson = null | boolean | number | string | GoldenJson[] | { [key: string]: GoldenJson }

/** Decoded value -> plain JSON tree. */
export function toGolden (value: unknown): GoldenJson {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot store the number ${value} in a golden file`)
    return value
  }
  if (typeof value === 'bigint') return { $bigint: value.toString() }
  if (value instanceof Uint8Array) return { $hex: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') }
  if (Array.isArray(value)) return value.map(toGolden)
  if (typeof value === 'object') {
    const out: { [key: string]: GoldenJson } = {}
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue
      out[k] = toGolden(v)
    }
    return out
  }
  throw new TypeError(`cannot store a ${typeof value} in a golden file`)
}

/** Plain JSON tree -> value with bigints and Buffers, the inverse of toGolden. */
export function fromGolden (json: GoldenJson): unknown {
  if (json === null || typeof json !== 'object') return json
  if (Array.isArray(json)) return json.map(fromGolden)
  const keys = Object.keys(json)
  if (keys.length === 1 && keys[0] === '$bigint' && typeof json.$bigint === 'string') return BigInt(json.$bigint)
  if (keys.length === 1 && keys[0] === '$hex' && typeof json.$hex === 'string') return Buffer.from(json.$hex, 'hex')
  const out: Record<string, unknown> = {}
  for (const k of keys) out[k] = fromGolden(json[k]!)
  return out
}

/** The text of a .json golden file: 2-space indent, trailing newline. */
export function stringifyGolden (value: unknown): string {
  return JSON.stringify(toGolden(value), null, 2) + '\n'
}

export function parseGolden (text: string): unknown {
  return fromGolden(JSON.parse(text) as GoldenJson)
}

/** Bytes -> hex text, 64 hex digits (32 bytes) a line, so that diffs show where frames differ. */
export function toHexLines (bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
  const lines: string[] = []
  for (let i = 0; i < hex.length; i += 64) lines.push(hex.slice(i, i + 64))
  return lines.join('\n') + '\n'
}

/** Inverse of toHexLines; ignores whitespace. */
export function fromHexLines (text: string): Buffer {
  const hex = text.replace(/\s+/g, '')
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new Error('golden hex file holds something other than pairs of hex digits')
  return Buffer.from(hex, 'hex')
}
