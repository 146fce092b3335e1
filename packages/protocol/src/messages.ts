import type { ApiDescriptor } from './api-descriptor.js'
import { isFlexible } from './api-descriptor.js'
import { type RequestHeader, readRequestHeader, writeRequestHeader } from './generated/request-header.js'
import { readResponseHeader, writeResponseHeader } from './generated/response-header.js'
import { ProtocolDecodeError } from './primitives/errors.js'
import type { Input } from './primitives/helpers.js'
import { Reader } from './primitives/reader.js'
import { Writer } from './primitives/writer.js'

/** Finds the codec of an API key: `apiByKey` from `@tributary/protocol/apis`, or a narrower registry. */
export type ApiLookup = (apiKey: number) => ApiDescriptor | undefined

export const API_VERSIONS_KEY = 18
const CONTROLLED_SHUTDOWN_KEY = 7

/**
 * Request header version: v2 (tagged fields) for flexible versions, v1
 * otherwise, v0 only for ControlledShutdown v0. A version above the
 * highest we know counts as flexible when the API has a flexible range,
 * as Kafka does, so that a newer ApiVersions request can still be read
 * (KIP-511).
 */
export function requestHeaderVersion (api: ApiDescriptor, version: number): number {
  if (api.apiKey === CONTROLLED_SHUTDOWN_KEY && version === 0) return 0
  return isFlexible(api.requestFlexibleFrom, version) ? 2 : 1
}

/** Response header version: v1 for flexible versions, except ApiVersions which always answers with v0 (KIP-511). */
export function responseHeaderVersion (api: ApiDescriptor, version: number): number {
  if (api.apiKey === API_VERSIONS_KEY) return 0
  return isFlexible(api.responseFlexibleFrom, version) ? 1 : 0
}

export interface DecodedRequestHeader {
  header: RequestHeader
  headerVersion: number
  /** The API, or undefined when the lookup does not know the key. */
  api: ApiDescriptor | undefined
  /** Positioned at the start of the request body. */
  body: Reader
}

/**
 * Decodes the header of one request frame (without its size prefix). The
 * body is left for the handler so that an unsupported version can be
 * answered without parsing it.
 */
export function decodeRequestHeader (frame: Buffer, lookup: ApiLookup): DecodedRequestHeader {
  if (frame.length < 8) throw new ProtocolDecodeError(`request of ${frame.length} bytes is shorter than a header`)
  const apiKey = frame.readInt16BE(0)
  const version = frame.readInt16BE(2)
  const api = lookup(apiKey)
  const headerVersion = api === undefined ? 1 : requestHeaderVersion(api, version)
  const r = new Reader(frame)
  const header = readRequestHeader(r, headerVersion)
  return { header, headerVersion, api, body: r }
}

/** A complete request frame, size prefix included: what a client sends. */
export function encodeRequest<Req> (api: ApiDescriptor<Req>, version: number, correlationId: number, clientId: string | null, body: Input<Req>): Buffer {
  const w = new Writer(256)
  w.reserve(4)
  writeRequestHeader(w, requestHeaderVersion(api, version), { requestApiKey: api.apiKey, requestApiVersion: version, correlationId, clientId })
  api.writeRequest(w, version, body)
  const frame = w.finish()
  frame.writeInt32BE(frame.length - 4, 0)
  return frame
}

/** A response payload without its size prefix: what a handler hands to the connection. */
export function encodeResponse<Res> (api: ApiDescriptor<unknown, Res>, version: number, correlationId: number, body: Input<Res>): Buffer {
  const w = new Writer(256)
  writeResponseHeader(w, responseHeaderVersion(api, version), { correlationId })
  api.writeResponse(w, version, body)
  return w.finish()
}

/**
 * Like encodeResponse, but byte arrays of at least `spliceAbove` bytes (the
 * record sets of a fetch) are not copied: the payload comes back as parts
 * that reference them, to be written out in order (a writev).
 */
export function encodeResponseParts<Res> (api: ApiDescriptor<unknown, Res>, version: number, correlationId: number, body: Input<Res>, spliceAbove: number): Buffer[] {
  const w = new Writer(256, { spliceAbove })
  writeResponseHeader(w, responseHeaderVersion(api, version), { correlationId })
  api.writeResponse(w, version, body)
  return w.finishParts()
}

/** Decodes a response payload (without size prefix). */
export function decodeResponse<Res> (api: ApiDescriptor<unknown, Res>, version: number, payload: Buffer): { correlationId: number, body: Res } {
  const r = new Reader(payload)
  const { correlationId } = readResponseHeader(r, responseHeaderVersion(api, version))
  const body = api.readResponse(r, version)
  if (r.remaining !== 0) throw new ProtocolDecodeError(`${r.remaining} trailing bytes after ${api.name} response v${version}`)
  return { correlationId, body }
}
