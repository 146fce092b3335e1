import { type FieldSpec, type MessageSpec, type VersionRange, NO_VERSIONS, intersect, isEmpty } from './spec.js'

/** A field's wire type, resolved against the message's structs. */
export type TypeRef =
  | { kind: 'bool' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64' | 'string' | 'bytes' | 'records' | 'uuid' }
  | { kind: 'array', elem: TypeRef }
  | { kind: 'struct', struct: StructModel }

export interface FieldModel {
  spec: FieldSpec
  prop: string
  type: TypeRef
  /** Versions in which the field is part of the fixed (non-tagged) layout. */
  regular: VersionRange
  /** Versions in which the field travels as a tagged field. */
  tagged: VersionRange
  nullable: VersionRange
  everNullable: boolean
}

export interface StructModel {
  tsName: string
  fields: FieldModel[]
}

export interface MessageModel {
  spec: MessageSpec
  /** Versions we generate and advertise: unstable latest versions are left out. */
  valid: VersionRange
  top: StructModel
  structs: StructModel[]
}

const PRIMS = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid'])

export function camel (name: string): string {
  return name[0]!.toLowerCase() + name.slice(1)
}

export function kebab (name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase()
}

/** Versions of `versions` that are not tagged; tagged versions are always a suffix in Kafka's schemas. */
function regularVersions (versions: VersionRange, tagged: VersionRange): VersionRange {
  if (isEmpty(tagged)) return versions
  if (tagged.lo <= versions.lo) return NO_VERSIONS
  return { lo: versions.lo, hi: Math.min(versions.hi, tagged.lo - 1) }
}

/**
 * Latest versions that this snapshot of the schemas still marks unstable but
 * that Kafka 4.0 released, and that clients depend on: ConsumerGroupHeartbeat
 * v1 (KIP-848 GA: client-generated member ids, SubscribedTopicRegex), which
 * librdkafka requires.
 */
export const RELEASED_IN_KAFKA_4: Readonly<Record<string, number>> = { ConsumerGroupHeartbeatRequest: 1 }

export function buildModel (spec: MessageSpec): MessageModel {
  const valid = { ...spec.validVersions }
  if (spec.latestVersionUnstable && RELEASED_IN_KAFKA_4[spec.name] !== valid.hi) valid.hi -= 1
  const structs: StructModel[] = []
  const common = new Map(spec.commonStructs.map(s => [s.name, s]))
  const byName = new Map<string, StructModel>()

  const structName = (n: string): string => n.startsWith(spec.name) ? n : spec.name + n

  const makeStruct = (name: string, fieldSpecs: FieldSpec[]): StructModel => {
    const existing = byName.get(name)
    if (existing !== undefined) return existing
    const model: StructModel = { tsName: structName(name), fields: [] }
    byName.set(name, model)
    structs.push(model)
    model.fields = fieldSpecs.map(makeField)
    return model
  }

  const resolve = (type: string, f: FieldSpec): TypeRef => {
    if (type.startsWith('[]')) return { kind: 'array', elem: resolve(type.slice(2), f) }
    if (PRIMS.has(type)) return { kind: type as 'int8' }
    if (f.fields !== null) return { kind: 'struct', struct: makeStruct(type, f.fields) }
    const c = common.get(type)
    if (c === undefined) throw new Error(`${spec.name}: unknown type ${type}`)
    return { kind: 'struct', struct: makeStruct(type, c.fields) }
  }

  const makeField = (f: FieldSpec): FieldModel => {
    const versions = intersect(f.versions, valid)
    const tagged = intersect(f.taggedVersions, versions)
    const nullable = intersect(f.nullableVersions, versions)
    return {
      spec: f,
      prop: camel(f.name),
      type: resolve(f.type, f),
      regular: regularVersions(versions, tagged),
      tagged,
      nullable,
      everNullable: !isEmpty(intersect(f.nullableVersions, valid))
    }
  }

  const top: StructModel = { tsName: spec.name, fields: [] }
  structs.push(top)
  top.fields = spec.fields.map(makeField)
  return { spec, valid, top, structs }
}
