import fc from 'fast-check'
import { uuidFromBytes } from '../../src/primitives/uuid.js'
import type { FieldSchema, MessageSchema, SchemaType } from '../../src/schema-types.js'

const within = (r: [number, number] | null, v: number): boolean => r !== null && v >= r[0] && v <= r[1]

export function isPresent (f: FieldSchema, v: number): boolean {
  return within(f.regular, v) || within(f.tagged, v)
}

function primitive (t: SchemaType): fc.Arbitrary<unknown> {
  switch (t) {
    case 'bool': return fc.boolean()
    case 'int8': return fc.integer({ min: -128, max: 127 })
    case 'int16': return fc.integer({ min: -32768, max: 32767 })
    case 'uint16': return fc.integer({ min: 0, max: 65535 })
    case 'int32': return fc.integer({ min: -0x80000000, max: 0x7fffffff })
    case 'uint32': return fc.integer({ min: 0, max: 0xffffffff })
    case 'int64': return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
    case 'float64': return fc.double({ noNaN: true })
    case 'string': return fc.string({ unit: 'grapheme', maxLength: 12 })
    case 'bytes': case 'records': return fc.uint8Array({ maxLength: 24 }).map(b => Buffer.from(b))
    case 'uuid': return fc.uint8Array({ minLength: 16, maxLength: 16 }).map(b => uuidFromBytes(b))
    default: throw new Error(`not a primitive: ${JSON.stringify(t)}`)
  }
}

/**
 * Values of one message at one version, built from the generated schema:
 * only the fields that the version carries are set (the others are left to
 * their defaults), and null appears only where the version allows it.
 */
export function messageArbitrary (schema: MessageSchema, v: number): fc.Arbitrary<Record<string, unknown>> {
  const type = (t: SchemaType): fc.Arbitrary<unknown> => {
    if (typeof t === 'string') return primitive(t)
    if ('array' in t) return fc.array(type(t.array), { maxLength: 3 })
    return struct(t.struct)
  }
  const struct = (name: string): fc.Arbitrary<Record<string, unknown>> => {
    const fields = schema.structs[name]!
    const record: Record<string, fc.Arbitrary<unknown>> = {}
    for (const f of fields) {
      if (!isPresent(f, v)) continue
      const base = type(f.type)
      record[f.name] = within(f.nullable, v) ? fc.option(base, { nil: null, freq: 4 }) : base
    }
    return fc.record(record) as fc.Arbitrary<Record<string, unknown>>
  }
  return struct(schema.top)
}

/**
 * Checks that every field set in `expected` came back equal in `actual`
 * (fields left out took defaults, which the byte-level check covers).
 */
export function assertSubset (expected: unknown, actual: unknown, path = '$'): void {
  if (expected === null || typeof expected !== 'object' || Buffer.isBuffer(expected)) {
    const same = Buffer.isBuffer(expected)
      ? Buffer.isBuffer(actual) && expected.equals(actual)
      : Object.is(expected, actual)
    if (!same) throw new Error(`${path}: expected ${fmt(expected)}, got ${fmt(actual)}`)
    return
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) throw new Error(`${path}: expected an array of ${expected.length}, got ${fmt(actual)}`)
    expected.forEach((e, i) => assertSubset(e, actual[i], `${path}[${i}]`))
    return
  }
  if (actual === null || typeof actual !== 'object') throw new Error(`${path}: expected an object, got ${fmt(actual)}`)
  for (const [k, e] of Object.entries(expected)) assertSubset(e, (actual as Record<string, unknown>)[k], `${path}.${k}`)
}

function fmt (x: unknown): string {
  if (typeof x === 'bigint') return `${x}n`
  if (Buffer.isBuffer(x)) return `<${x.toString('hex')}>`
  try { return JSON.stringify(x) } catch { return String(x) }
}
