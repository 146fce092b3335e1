import type { Reader } from './reader.js'
import type { Writer } from './writer.js'
import { ProtocolDecodeError, ProtocolEncodeError } from './errors.js'

/**
 * The shape a writer accepts: every field may be left out and then takes
 * its schema default, so handlers only spell out what they set.
 */
export type Input<T> =
  T extends Buffer ? T
    : T extends ReadonlyArray<infer E> ? ReadonlyArray<Input<E>>
      : T extends object ? { [K in keyof T]?: Input<T[K]> }
        : T

/** Reads a (compact when `flexible`) array; null only where the version allows it. */
export function readArray<T> (r: Reader, flexible: boolean, nullable: boolean, minElementSize: number, read: (r: Reader) => T): T[] | null {
  const at = r.offset
  const n = flexible ? r.compactArrayLength(minElementSize) : r.arrayLength(minElementSize)
  if (n < 0) {
    if (!nullable) throw new ProtocolDecodeError(`null where a non-nullable array was expected at offset ${at}`)
    return null
  }
  const out = new Array<T>(n)
  for (let i = 0; i < n; i++) out[i] = read(r)
  return out
}

/**
 * Writes a (compact when `flexible`) array. Element types are checked by the
 * generated caller; here items are untyped to keep the generated code small.
 */
export function writeArray (w: Writer, flexible: boolean, nullable: boolean, items: ReadonlyArray<any> | null, where: string, write: (w: Writer, item: any) => void): void {
  if (items === null) {
    if (!nullable) throw new ProtocolEncodeError(`${where} is null but not nullable in this version`)
    if (flexible) w.uvarint(0)
    else w.int32(-1)
    return
  }
  if (flexible) w.uvarint(items.length + 1)
  else w.int32(items.length)
  for (let i = 0; i < items.length; i++) write(w, items[i])
}

export function checkNotNull (x: unknown, where: string): void {
  if (x === null) throw new ProtocolEncodeError(`${where} is null but not nullable in this version`)
}

/** Deep equality against a schema default: decides whether a tagged field is written. */
export function isDefault (value: unknown, def: unknown): boolean {
  if (value === def) return true
  if (value === null || def === null || value === undefined || def === undefined) return false
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    return (def instanceof Uint8Array) && Buffer.compare(value, def) === 0
  }
  if (Array.isArray(value)) {
    if (!Array.isArray(def) || value.length !== def.length) return false
    return value.every((v, i) => isDefault(v, def[i]))
  }
  if (typeof value === 'object' && typeof def === 'object') {
    const d = def as Record<string, unknown>
    const v = value as Record<string, unknown>
    for (const k of Object.keys(d)) {
      if (!isDefault(v[k] === undefined ? d[k] : v[k], d[k])) return false
    }
    return true
  }
  return false
}
