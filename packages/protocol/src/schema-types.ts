/**
 * Shape of the data-only schema that the generator emits beside the codec
 * (generated/schemas.ts). Version ranges are inclusive [lo, hi] pairs.
 */
export type SchemaType =
  | 'bool' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64'
  | 'string' | 'bytes' | 'records' | 'uuid'
  | { array: SchemaType }
  | { struct: string }

export interface FieldSchema {
  name: string
  type: SchemaType
  regular: [number, number] | null
  tagged: [number, number] | null
  tag: number | null
  nullable: [number, number] | null
  ignorable: boolean
  /** The default as Kafka's JSON writes it, when it sets one. */
  default?: string
  flexibleOverride?: [number, number] | null
}

export interface MessageSchema {
  apiKey: number | null
  type: 'request' | 'response' | 'header'
  valid: [number, number]
  flexible: [number, number] | null
  top: string
  structs: Record<string, FieldSchema[]>
}
