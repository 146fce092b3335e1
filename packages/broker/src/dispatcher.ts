import {
  API_VERSIONS_KEY, ErrorCode, ProtocolError, decodeRequestHeader, encodeResponse,
  type ApiDescriptor, type ApiLookup, type RequestHeader
} from '@tributary/protocol'
import { ApiVersionsApi } from '@tributary/protocol/apis/api-versions'
import { advertisedApiVersions } from './handlers/advertised.js'
import type { RequestContext } from './handlers/define.js'
import { handlerFor } from './handlers/registry.js'
import type { ConnectionContext, RequestHandler } from './network/index.js'
import type { BrokerState } from './state.js'
import { channels } from './diagnostics.js'

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

function servedApi (apiKey: number): ApiDescriptor | undefined {
  return handlerFor(apiKey)?.api
}

/**
 * Frame -> header -> handler -> response bytes. An unknown API key, an
 * unsupported version (other than of ApiVersions) or a body that does not
 * decode rejects the request, which closes its connection only.
 */
export class Dispatcher implements RequestHandler {
  private interceptor: RequestInterceptor | undefined
  /** Codecs the dispatcher can decode: the served APIs, or every API while a test interceptor is set. */
  private lookup: ApiLookup = servedApi

  constructor (private readonly broker: BrokerState) {}

  /**
   * Installs a test interceptor. It may answer APIs the broker does not
   * serve, so every codec is loaded first (normally only the served ones
   * are, which keeps start-up fast).
   */
  async setInterceptor (interceptor: RequestInterceptor | undefined): Promise<void> {
    if (interceptor !== undefined) {
      const { apiByKey } = await import('@tributary/protocol/apis')
      this.lookup = apiByKey
    } else {
      this.lookup = servedApi
    }
    this.interceptor = interceptor
  }

  async handle (frame: Buffer, conn: ConnectionContext): Promise<Buffer | null> {
    const { header, api, body } = decodeRequestHeader(frame, this.lookup)
    const apiKey = header.requestApiKey
    const version = header.requestApiVersion
    if (api === undefined) throw new RequestRejectedError(`API key ${apiKey} is not supported`)
    const handler = handlerFor(apiKey)
    const intercept = this.interceptor
    if (handler === undefined && intercept === undefined) throw new RequestRejectedError(`API ${api.name} (key ${apiKey}) is not supported`)
    const min = handler?.minVersion ?? api.minVersion
    const max = handler?.maxVersion ?? api.maxVersion
    if (version < min || version > max) {
      if (apiKey === API_VERSIONS_KEY) return this.unsupportedApiVersions(header.correlationId)
      throw new RequestRejectedError(`${api.name} v${version} is not supported (v${min}-${max})`)
    }
    const request = api.readRequest(body, version)
    const started = channels.requestStart.hasSubscribers ? process.hrtime.bigint() : 0n
    if (channels.requestStart.hasSubscribers) channels.requestStart.publish({ apiKey, version, conn: conn.id })
    let response: unknown
    if (intercept !== undefined) response = await intercept({ api, header, version, request, conn })
    if (response === undefined) {
      if (handler === undefined) throw new RequestRejectedError(`API ${api.name} (key ${apiKey}) is not supported`)
      const ctx: RequestContext = { broker: this.broker, conn, header, version }
      response = await handler.handle(request, ctx)
    }
    if (channels.requestEnd.hasSubscribers) channels.requestEnd.publish({ apiKey, version, conn: conn.id, durationNs: process.hrtime.bigint() - started })
    if (response === null) return null
    return encodeResponse(api, version, header.correlationId, response as object)
  }

  /**
   * KIP-511: a client may open with a newer ApiVersions than we know. We
   * answer in v0 with UNSUPPORTED_VERSION and, as Kafka does, only the
   * range of ApiVersions itself, so that it can retry with a version we share.
   */
  private unsupportedApiVersions (correlationId: number): Buffer {
    return encodeResponse(ApiVersionsApi, 0, correlationId, {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: advertisedApiVersions().filter(k => k.apiKey === API_VERSIONS_KEY)
    })
  }
}
