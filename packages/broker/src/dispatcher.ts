import {
  API_VERSIONS_KEY, ErrorCode, ProtocolError, decodeRequestHeader, encodeResponse, encodeResponseParts,
  type ApiDescriptor, type ApiLookup, type RequestHeader
} from '@tributary/protocol'
import { ApiVersionsApi } from '@tributary/protocol/apis/api-versions'
import type { Handler, RequestContext } from './handlers/define.js'
import type { ConnectionContext, RequestHandler, ResponsePayload } from './network/index.js'
import type { BrokerState } from './state.js'
import { channels } from './diagnostics.js'

/**
 * Byte fields of at least this size go out by reference instead of being
 * copied into the response (a fetch's record sets, which the log hands over
 * as immutable buffers). Smaller ones are cheaper to copy than to write as
 * parts of their own.
 */
const SPLICE_ABOVE_BYTES = 4096

/**
 * Thrown for a request the broker will not answer (unknown API key,
 * unsupported version); the connection closes, as in Kafka. It is the
 * client's mistake, so it is a ProtocolError and logged as a warning.
 */
export class RequestRejectedError extends ProtocolError {
  constructor (message: string) {
    super('TRIB_BROKER_REQUEST_REJECTED', message)
  }
}

export interface InterceptedRequest {
  readonly api: ApiDescriptor
  readonly header: RequestHeader
  readonly version: number
  readonly request: unknown
  readonly conn: ConnectionContext
}

/**
 * A test hook (the testkit's fault injection, R11): it sees every decoded
 * request first and may answer it itself by returning a response body, or
 * return undefined to let the broker handle it. It may also delay, or
 * throw to close the connection.
 */
export type RequestInterceptor = (req: InterceptedRequest) => unknown | Promise<unknown>

/** What the dispatcher needs of the handler registry, loaded lazily (see Dispatcher.load). */
interface Registry {
  handlerFor: (apiKey: number) => Handler | undefined
  advertisedApiVersions: () => Array<{ apiKey: number, minVersion: number, maxVersion: number }>
}

async function loadRegistry (): Promise<Registry> {
  const [{ handlerFor }, { advertisedApiVersions }] = await Promise.all([import('./handlers/registry.js'), import('./handlers/advertised.js')])
  return { handlerFor, advertisedApiVersions }
}

/**
 * Frame -> header -> handler -> response bytes. An unknown API key, an
 * unsupported version (other than of ApiVersions) or a body that does not
 * decode rejects the request, which closes its connection only.
 */
export class Dispatcher implements RequestHandler {
  private interceptor: RequestInterceptor | undefined
  private registry: Registry | undefined
  private loading: Promise<Registry> | undefined
  /** Every codec, while a test interceptor is set; otherwise the served APIs' codecs. */
  private allApis: ApiLookup | undefined

  constructor (private readonly broker: BrokerState) {}

  /**
   * Loads the handlers and their codecs (most of the broker's code). The
   * broker starts this once its listeners are bound, so that start-up is
   * not held by compiling code no request has needed yet; a request that
   * comes first waits for it.
   */
  load (): Promise<Registry> {
    this.loading ??= loadRegistry().then(r => { this.registry = r; return r })
    return this.loading
  }

  /**
   * Installs a test interceptor. It may answer APIs the broker does not
   * serve, so every codec is loaded first (normally only the served ones
   * are, which keeps start-up fast).
   */
  async setInterceptor (interceptor: RequestInterceptor | undefined): Promise<void> {
    if (interceptor !== undefined) {
      // Not '@tributary/protocol/apis': importing that namespace makes the
      // CommonJS bundle of `tributary start` define its thousand exports at
      // start-up, interceptor or not.
      const { apiByKey } = await import('@tributary/protocol/apis/by-key')
      this.allApis = apiByKey
    } else {
      this.allApis = undefined
    }
    this.interceptor = interceptor
  }

  /*
   * Not an async function: most handlers answer without waiting, and then
   * so does this (the connection writes a synchronous answer at once). V8
   * gives every call of an async function a generator object with all of
   * its registers, several per request on the produce and fetch paths.
   * A synchronous throw closes the connection just as a rejection does.
   */
  handle (frame: Buffer, conn: ConnectionContext): Promise<ResponsePayload | null> | ResponsePayload | null {
    const registry = this.registry
    // Only requests that arrive while the handlers are still loading, right after start.
    if (registry === undefined) return this.load().then(() => this.handle(frame, conn))
    const { handlerFor } = registry
    const { header, api, body } = decodeRequestHeader(frame, this.allApis ?? (key => handlerFor(key)?.api))
    const apiKey = header.requestApiKey
    const version = header.requestApiVersion
    if (api === undefined) throw new RequestRejectedError(`API key ${apiKey} is not supported`)
    const handler = handlerFor(apiKey)
    const intercept = this.interceptor
    if (handler === undefined && intercept === undefined) throw new RequestRejectedError(`API ${api.name} (key ${apiKey}) is not supported`)
    const min = handler?.minVersion ?? api.minVersion
    const max = handler?.maxVersion ?? api.maxVersion
    if (version < min || version > max) {
      if (apiKey === API_VERSIONS_KEY) return this.unsupportedApiVersions(registry, header.correlationId)
      throw new RequestRejectedError(`${api.name} v${version} is not supported (v${min}-${max})`)
    }
    const request = api.readRequest(body, version)
    const started = channels.requestStart.hasSubscribers ? process.hrtime.bigint() : 0n
    if (channels.requestStart.hasSubscribers) channels.requestStart.publish({ apiKey, version, conn: conn.id })
    if (intercept !== undefined) return this.intercepted(intercept, { api, header, version, request, conn }, handler, started)
    const ctx: RequestContext = { broker: this.broker, conn, header, version }
    const result = (handler as Handler).handle(request, ctx)
    if (result instanceof Promise) return result.then(response => this.respond(api, header, conn, response, started))
    return this.respond(api, header, conn, result, started)
  }

  /** A request a test interceptor sees first; it answers, or leaves it to the handler by returning undefined. */
  private async intercepted (intercept: RequestInterceptor, req: InterceptedRequest, handler: Handler | undefined, started: bigint): Promise<ResponsePayload | null> {
    let response = await intercept(req)
    if (response === undefined) {
      if (handler === undefined) throw new RequestRejectedError(`API ${req.api.name} (key ${req.api.apiKey}) is not supported`)
      response = await handler.handle(req.request, { broker: this.broker, conn: req.conn, header: req.header, version: req.version })
    }
    return this.respond(req.api, req.header, req.conn, response, started)
  }

  private respond (api: ApiDescriptor, header: RequestHeader, conn: ConnectionContext, response: unknown, started: bigint): ResponsePayload | null {
    const apiKey = header.requestApiKey
    const version = header.requestApiVersion
    if (channels.requestEnd.hasSubscribers) channels.requestEnd.publish({ apiKey, version, conn: conn.id, durationNs: process.hrtime.bigint() - started })
    if (response === null) return null
    return encodeResponseParts(api, version, header.correlationId, response as object, SPLICE_ABOVE_BYTES)
  }

  /**
   * KIP-511: a client may open with a newer ApiVersions than we know. We
   * answer in v0 with UNSUPPORTED_VERSION and, as Kafka does, only the
   * range of ApiVersions itself, so that it can retry with a version we share.
   */
  private unsupportedApiVersions (registry: Registry, correlationId: number): Buffer {
    return encodeResponse(ApiVersionsApi, 0, correlationId, {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: registry.advertisedApiVersions().filter(k => k.apiKey === API_VERSIONS_KEY)
    })
  }
}
