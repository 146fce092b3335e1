import type { ApiDescriptor, Input, RequestHeader } from '@tributary/protocol'
import type { ConnectionContext } from '../network/index.js'
import type { BrokerState } from '../state.js'

/** What a handler sees of one request besides its body. */
export interface RequestContext {
  readonly broker: BrokerState
  readonly conn: ConnectionContext
  readonly header: RequestHeader
  readonly version: number
}

/**
 * One Kafka API served by the broker. Error codes go in the response;
 * throwing closes the connection, which is how Kafka treats a request it
 * cannot process at all. Returning null sends no response (acks=0).
 */
export interface Handler<Req = any, Res = any> {
  readonly api: ApiDescriptor<Req, Res>
  /** Versions advertised in ApiVersions and accepted; within the generated range. */
  readonly minVersion: number
  readonly maxVersion: number
  handle (request: Req, ctx: RequestContext): Promise<Input<Res> | null> | Input<Res> | null
}

export function defineHandler<Req, Res> (h: Handler<Req, Res>): Handler<Req, Res> {
  if (h.minVersion < h.api.minVersion || h.maxVersion > h.api.maxVersion || h.minVersion > h.maxVersion) {
    throw new Error(`${h.api.name}: handler versions ${h.minVersion}-${h.maxVersion} are outside the generated ${h.api.minVersion}-${h.api.maxVersion}`)
  }
  return h
}
