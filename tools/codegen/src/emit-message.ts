import type { FieldModel, MessageModel, StructModel, TypeRef } from './model.js'
import { type VersionRange, intersect, isEmpty } from './spec.js'

/**
 * Emits the TypeScript for one message (a request, a response or a header):
 * interfaces, default factories, and read/write functions that branch on
 * the version. Conditions are simplified against the message's valid
 * versions so that a field present in every version costs no branch.
 */
export class MessageEmitter {
  private readonly out: string[] = []
  constructor (private readonly msg: MessageModel) {}

  /**
   * A test of `v` for the versions `r`, simplified within `ctx` (the
   * versions in which the surrounding code runs).
   */
  cond (r: VersionRange, ctx: VersionRange = this.msg.valid): string {
    const v = intersect(ctx, this.msg.valid)
    const x = intersect(r, v)
    if (isEmpty(x)) return 'false'
    if (x.lo <= v.lo && x.hi >= v.hi) return 'true'
    if (x.lo <= v.lo) return `v <= ${x.hi}`
    if (x.hi >= v.hi) return `v >= ${x.lo}`
    return `(v >= ${x.lo} && v <= ${x.hi})`
  }

  private flexCond (f?: FieldModel, ctx?: VersionRange): string {
    if (f?.spec.flexibleVersions != null) return this.cond(intersect(f.spec.flexibleVersions, this.msg.spec.flexibleVersions), ctx)
    return this.cond(this.msg.spec.flexibleVersions, ctx)
  }

  emit (): string {
    for (const s of this.msg.structs) this.emitInterface(s)
    for (const s of this.msg.structs) this.emitDefault(s)
    for (const s of this.msg.structs) this.emitRead(s)
    for (const s of this.msg.structs) this.emitWrite(s)
    return this.out.join('\n')
  }

  tsType (t: TypeRef): string {
    switch (t.kind) {
      case 'bool': return 'boolean'
      case 'int64': return 'bigint'
      case 'string': case 'uuid': return 'string'
      case 'bytes': case 'records': return 'Buffer'
      case 'array': return `${this.tsType(t.elem)}[]`
      case 'struct': return t.struct.tsName
      default: return 'number'
    }
  }

  private fieldType (f: FieldModel): string {
    const base = this.tsType(f.type)
    return f.everNullable || this.defaultIsNull(f) ? `${base} | null` : base
  }

  private emitInterface (s: StructModel): void {
    this.out.push(`export interface ${s.tsName} {`)
    for (const f of s.fields) {
      this.out.push(`  /** ${describeVersions(f)} */`)
      this.out.push(`  ${f.prop}: ${this.fieldType(f)}`)
    }
    this.out.push('}', '')
  }

  private defaultIsNull (f: FieldModel): boolean {
    return f.spec.default === 'null' || (f.type.kind === 'records' && f.everNullable && f.spec.default === undefined)
  }

  defaultExpr (f: FieldModel): string {
    const d = f.spec.default
    if (this.defaultIsNull(f)) return 'null'
    const t = f.type
    switch (t.kind) {
      case 'bool': return String(d === true || d === 'true')
      case 'int8': case 'int16': case 'uint16': case 'int32': case 'uint32': case 'float64':
        return d === undefined || d === '' ? '0' : String(Number(d))
      case 'int64': return d === undefined || d === '' ? '0n' : `${BigInt(Number(d))}n`
      case 'string': return JSON.stringify(d === undefined ? '' : String(d))
      case 'uuid': return '$ZERO_UUID'
      case 'bytes': case 'records': return 'Buffer.alloc(0)'
      case 'array': return '[]'
      case 'struct': return `default${t.struct.tsName}()`
    }
  }

  private emitDefault (s: StructModel): void {
    this.out.push(`export function default${s.tsName} (): ${s.tsName} {`)
    this.out.push(`  return { ${s.fields.map(f => `${f.prop}: ${this.defaultExpr(f)}`).join(', ')} }`)
    this.out.push('}', '')
  }

  /** Minimal encoded size of one element of type `t`, for array-length checks before allocation. */
  minSize (t: TypeRef, flexible: boolean, seen = new Set<StructModel>()): number {
    switch (t.kind) {
      case 'bool': case 'int8': return 1
      case 'int16': case 'uint16': return 2
      case 'int32': case 'uint32': return 4
      case 'int64': case 'float64': return 8
      case 'uuid': return 16
      case 'string': return flexible ? 1 : 2
      case 'bytes': case 'records': case 'array': return flexible ? 1 : 4
      case 'struct': {
        if (seen.has(t.struct)) return 1
        seen.add(t.struct)
        let min = Infinity
        const v = this.msg.valid
        for (let ver = v.lo; ver <= v.hi; ver++) {
          const flex = this.msg.spec.flexibleVersions.lo <= ver && ver <= this.msg.spec.flexibleVersions.hi
          let size = flex ? 1 : 0
          for (const f of t.struct.fields) {
            if (ver >= f.regular.lo && ver <= f.regular.hi) {
              const nullable = ver >= f.nullable.lo && ver <= f.nullable.hi
              size += f.type.kind === 'struct' && nullable ? 1 : this.minSize(f.type, flex, seen)
            }
          }
          min = Math.min(min, size)
        }
        seen.delete(t.struct)
        return Math.max(1, min === Infinity ? 1 : min)
      }
    }
  }

  readExpr (t: TypeRef, r: string, flex: string, nullable: string, f: FieldModel): string {
    const pick = (c: string, a: string, b: string): string => c === 'true' ? a : c === 'false' ? b : `(${c} ? ${a} : ${b})`
    switch (t.kind) {
      case 'string':
        return pick(nullable,
          pick(flex, `${r}.compactNullableString()`, `${r}.nullableString()`),
          pick(flex, `${r}.compactString()`, `${r}.string()`))
      case 'bytes': case 'records':
        return pick(nullable,
          pick(flex, `${r}.compactNullableBytes()`, `${r}.nullableBytes()`),
          pick(flex, `${r}.compactBytes()`, `${r}.bytes()`))
      case 'array': {
        const min = this.minSize(t.elem, flex !== 'false')
        const elem = this.readExpr(t.elem, 'r', flex, 'false', f)
        const call = `$readArray(${r}, ${flex}, ${nullable}, ${min}, r => ${elem})`
        return nullable === 'false' ? `${call}!` : call
      }
      case 'struct': {
        const read = `read${t.struct.tsName}(${r}, v)`
        return pick(nullable, `(${r}.int8() < 0 ? null : ${read})`, read)
      }
      default: return `${r}.${t.kind}()`
    }
  }

  writeStmt (t: TypeRef, w: string, x: string, flex: string, nullable: string, where: string): string {
    const pick = (c: string, a: string, b: string): string => c === 'true' ? a : c === 'false' ? b : `if (${c}) { ${a} } else { ${b} }`
    switch (t.kind) {
      case 'string':
        return pick(nullable,
          pick(flex, `${w}.compactNullableString(${x})`, `${w}.nullableString(${x})`),
          pick(flex, `${w}.compactString(${x} as string)`, `${w}.string(${x} as string)`))
      case 'bytes': case 'records':
        return pick(nullable,
          pick(flex, `${w}.compactNullableBytes(${x})`, `${w}.nullableBytes(${x})`),
          pick(flex, `${w}.compactBytes(${x} as Buffer)`, `${w}.bytes(${x} as Buffer)`))
      case 'array': {
        const elem = this.writeStmt(t.elem, 'w', 'e', flex, 'false', where)
        return `$writeArray(${w}, ${flex}, ${nullable}, ${x}, ${JSON.stringify(where)}, (w, e) => { ${elem} })`
      }
      case 'struct': {
        const write = `write${t.struct.tsName}(${w}, v, ${x} as Input<${t.struct.tsName}>)`
        if (nullable === 'false') return `$checkNotNull(${x}, ${JSON.stringify(where)}); ${write}`
        const nullableWrite = `{ if (${x} === null) ${w}.int8(-1); else { ${w}.int8(1); ${write} } }`
        return nullable === 'true' ? nullableWrite : `if (${nullable}) ${nullableWrite} else { $checkNotNull(${x}, ${JSON.stringify(where)}); ${write} }`
      }
      default: return `${w}.${t.kind}(${x} as ${this.tsType(t)})`
    }
  }

  private emitRead (s: StructModel): void {
    const o = this.out
    o.push(`export function read${s.tsName} (r: Reader, v: number): ${s.tsName} {`)
    const flexAll = this.flexCond()
    for (const f of s.fields) {
      const regular = this.cond(f.regular)
      const read = this.readExpr(f.type, 'r', this.flexCond(f, f.regular), this.cond(f.nullable, f.regular), f)
      const def = this.defaultExpr(f)
      const t = this.fieldType(f)
      const decl = isEmpty(f.tagged) ? 'const' : 'let'
      if (regular === 'true') o.push(`  ${decl} ${f.prop}: ${t} = ${read}`)
      else if (regular === 'false') o.push(`  ${decl} ${f.prop}: ${t} = ${def}`)
      else o.push(`  ${decl} ${f.prop}: ${t} = ${regular} ? ${read} : ${def}`)
    }
    const tagged = s.fields.filter(f => !isEmpty(f.tagged)).sort((a, b) => a.spec.tag! - b.spec.tag!)
    if (flexAll !== 'false') {
      if (tagged.length === 0) {
        o.push(`  if (${flexAll}) r.taggedFields()`)
      } else {
        o.push(`  if (${flexAll}) {`)
        o.push('    r.taggedFields((tag, tr) => {')
        o.push('      switch (tag) {')
        for (const f of tagged) {
          o.push(`        case ${f.spec.tag}:`)
          const c = this.cond(f.tagged)
          const read = this.readExpr(f.type, 'tr', 'true', this.cond(f.nullable, f.tagged), f)
          o.push(c === 'true' ? `          ${f.prop} = ${read}; return true` : `          if (${c}) { ${f.prop} = ${read}; return true } return false`)
        }
        o.push('      }')
        o.push('      return false')
        o.push('    })')
        o.push('  }')
      }
    }
    o.push(`  return { ${s.fields.map(f => f.prop).join(', ')} }`)
    o.push('}', '')
  }

  private emitWrite (s: StructModel): void {
    const o = this.out
    o.push(`export function write${s.tsName} (w: Writer, v: number, m: Input<${s.tsName}>): void {`)
    for (const f of s.fields) {
      const where = `${s.tsName}.${f.prop}`
      const regular = this.cond(f.regular)
      const taggedCond = this.cond(f.tagged)
      const present = this.cond({ lo: Math.min(f.regular.lo, f.tagged.lo), hi: Math.max(f.regular.hi, f.tagged.hi) })
      const x = `m.${f.prop}`
      const val = `(${x} === undefined ? ${this.defaultExpr(f)} : ${x})`
      if (regular !== 'false') {
        const stmt = this.writeStmt(f.type, 'w', `${f.prop}`, this.flexCond(f, f.regular), this.cond(f.nullable, f.regular), where)
        o.push(`  const ${f.prop} = ${val}`)
        o.push(regular === 'true' ? `  ${stmt}` : `  if (${regular}) { ${stmt} }`)
      }
      if (present !== 'true' && !f.spec.ignorable) {
        // A value the version cannot carry is an error, never silently dropped.
        o.push(`  if (!(${present}) && ${x} !== undefined && !$isDefault(${x}, ${this.defaultExpr(f)})) throw new $UnsupportedVersionError(\`${where} cannot be written in version \${v}\`)`)
      }
      void taggedCond
    }
    const flexAll = this.flexCond()
    const tagged = s.fields.filter(f => !isEmpty(f.tagged)).sort((a, b) => a.spec.tag! - b.spec.tag!)
    if (flexAll !== 'false') {
      if (tagged.length === 0) {
        o.push(flexAll === 'true' ? '  w.uvarint(0)' : `  if (${flexAll}) w.uvarint(0)`)
      } else {
        o.push(`  if (${flexAll}) {`)
        o.push('    const $tags: [number, Writer][] = []')
        for (const f of tagged) {
          const where = `${s.tsName}.${f.prop}`
          const c = this.cond(f.tagged)
          const def = this.defaultExpr(f)
          const stmt = this.writeStmt(f.type, 't', 'x', 'true', this.cond(f.nullable, f.tagged), where)
          o.push(`    if (${c}) { const x = m.${f.prop}; if (x !== undefined && !$isDefault(x, ${def})) { const t = new Writer(64); ${stmt}; $tags.push([${f.spec.tag}, t]) } }`)
        }
        o.push('    w.uvarint($tags.length)')
        o.push('    for (const [tag, t] of $tags) { w.uvarint(tag); w.uvarint(t.offset); w.raw(t.finish()) }')
        o.push('  }')
      }
    }
    o.push('}', '')
  }
}

function describeVersions (f: FieldModel): string {
  const r = (x: VersionRange): string => isEmpty(x) ? 'none' : x.hi >= 0x7fff ? `v${x.lo}+` : x.lo === x.hi ? `v${x.lo}` : `v${x.lo}-${x.hi}`
  const parts = [`${f.spec.type}`]
  if (!isEmpty(f.regular)) parts.push(r(f.regular))
  if (!isEmpty(f.tagged)) parts.push(`tagged ${r(f.tagged)} (tag ${f.spec.tag})`)
  if (!isEmpty(f.nullable)) parts.push(`nullable ${r(f.nullable)}`)
  if (isEmpty(f.regular) && isEmpty(f.tagged)) parts.push('not in any generated version')
  return parts.join(', ')
}
