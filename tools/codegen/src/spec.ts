import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/** A version range as Kafka's JSON writes it: "0+", "1-3", "5", "none". */
export interface VersionRange { lo: number, hi: number }

export const NO_VERSIONS: VersionRange = { lo: 1, hi: 0 }
const OPEN = 0x7fff

export function parseVersions (s: string | undefined, fallback: VersionRange = NO_VERSIONS): VersionRange {
  if (s === undefined) return fallback
  const t = s.trim()
  if (t === 'none') return NO_VERSIONS
  let m = /^(\d+)\+$/.exec(t)
  if (m !== null) return { lo: Number(m[1]), hi: OPEN }
  m = /^(\d+)-(\d+)$/.exec(t)
  if (m !== null) return { lo: Number(m[1]), hi: Number(m[2]) }
  m = /^(\d+)$/.exec(t)
  if (m !== null) return { lo: Number(m[1]), hi: Number(m[1]) }
  throw new Error(`bad version range: ${s}`)
}

export function isEmpty (r: VersionRange): boolean { return r.lo > r.hi }

export function intersect (a: VersionRange, b: VersionRange): VersionRange {
  return { lo: Math.max(a.lo, b.lo), hi: Math.min(a.hi, b.hi) }
}

export function contains (r: VersionRange, v: number): boolean { return v >= r.lo && v <= r.hi }

/** One field of a message or struct, as read from the JSON. */
export interface FieldSpec {
  name: string
  type: string
  versions: VersionRange
  nullableVersions: VersionRange
  taggedVersions: VersionRange
  tag: number | null
  ignorable: boolean
  default: string | number | boolean | undefined
  flexibleVersions: VersionRange | null
  fields: FieldSpec[] | null
}

export interface StructSpec { name: string, versions: VersionRange, fields: FieldSpec[] }

export interface MessageSpec {
  file: string
  apiKey: number | null
  type: 'request' | 'response' | 'header'
  name: string
  validVersions: VersionRange
  flexibleVersions: VersionRange
  latestVersionUnstable: boolean
  listeners: string[]
  fields: FieldSpec[]
  commonStructs: StructSpec[]
}

/** Kafka's message JSON allows `//` line comments; strip them before parsing. */
export function stripComments (text: string): string {
  return text.split('\n').map(line => {
    let inString = false
    for (let i = 0; i < line.length; i++) {
      const c = line[i]
      if (c === '"' && line[i - 1] !== '\\') inString = !inString
      if (!inString && c === '/' && line[i + 1] === '/') return line.slice(0, i)
    }
    return line
  }).join('\n')
}

function parseField (raw: Record<string, unknown>): FieldSpec {
  const versions = parseVersions(raw.versions as string)
  const fields = Array.isArray(raw.fields) ? (raw.fields as Record<string, unknown>[]).map(parseField) : null
  return {
    name: raw.name as string,
    type: (raw.type as string).trim(),
    versions,
    nullableVersions: parseVersions(raw.nullableVersions as string | undefined),
    taggedVersions: parseVersions(raw.taggedVersions as string | undefined),
    tag: raw.tag === undefined ? null : Number(raw.tag),
    ignorable: raw.ignorable === true,
    default: raw.default as string | number | boolean | undefined,
    flexibleVersions: raw.flexibleVersions === undefined ? null : parseVersions(raw.flexibleVersions as string),
    fields
  }
}

export function parseMessage (file: string, text: string): MessageSpec | null {
  const raw = JSON.parse(stripComments(text)) as Record<string, unknown>
  const type = raw.type as string
  if (type !== 'request' && type !== 'response' && type !== 'header') return null
  return {
    file,
    apiKey: typeof raw.apiKey === 'number' ? raw.apiKey : null,
    type,
    name: raw.name as string,
    validVersions: parseVersions(raw.validVersions as string),
    flexibleVersions: parseVersions(raw.flexibleVersions as string),
    latestVersionUnstable: raw.latestVersionUnstable === true,
    listeners: Array.isArray(raw.listeners) ? raw.listeners as string[] : [],
    fields: ((raw.fields ?? []) as Record<string, unknown>[]).map(parseField),
    commonStructs: ((raw.commonStructs ?? []) as Record<string, unknown>[]).map(s => ({
      name: s.name as string,
      versions: parseVersions(s.versions as string),
      fields: ((s.fields ?? []) as Record<string, unknown>[]).map(parseField)
    }))
  }
}

export function loadMessages (dir: string): MessageSpec[] {
  const out: MessageSpec[] = []
  for (const f of readdirSync(dir).filter(f => f.endsWith('.json')).sort()) {
    const m = parseMessage(f, readFileSync(join(dir, f), 'utf8'))
    if (m !== null) out.push(m)
  }
  return out
}
