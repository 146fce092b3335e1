import type { Input } from './primitives/helpers.js'
import type { Reader } from './primitives/reader.js'
import type { Writer } from './primitives/writer.js'

/**
 * What the generated module of one API exports for registries: its key,
 * the versions we generate (unstable versions are left out), where the
 * flexible (KIP-482) encoding starts, and the codec functions.
 */
export interface ApiDescriptor<Req = any, Res = any> {
  readonly apiKey: number
  readonly name: string
  readonly minVersion: number
  readonly maxVersion: number
  /** First flexible version of the request, or null if never flexible. */
  readonly requestFlexibleFrom: number | null
  readonly responseFlexibleFrom: number | null
  /** Kafka's listener kinds that serve this API (broker, controller, zkBroker). */
  readonly listeners: readonly string[]
  readRequest (r: Reader, version: number): Req
  writeRequest (w: Writer, version: number, m: Input<Req>): void
  readResponse (r: Reader, version: number): Res
  writeResponse (w: Writer, version: number, m: Input<Res>): void
  defaultRequest (): Req
  defaultResponse (): Res
}

export function isFlexible (from: number | null, version: number): boolean {
  return from !== null && version >= from
}
