import diagnosticsChannel from 'node:diagnostics_channel'
import type { ConnectionContext } from './connection.js'

/**
 * The network layer's diagnostics channels, declared in one place so that
 * subscribers (metrics, tracing, tests) can find them. Publishing costs
 * nothing when nobody subscribes; check `hasSubscribers` before building a
 * message.
 */

export interface ConnectionOpenMessage {
  connection: ConnectionContext
}

export interface ConnectionCloseMessage {
  connection: ConnectionContext
  /** Why the connection closed, when it was not a clean close by either side. */
  error?: unknown
}

export interface ConnectionRejectMessage {
  listenerName: string
  remoteAddress: string | undefined
  remotePort: number | undefined
  reason: 'max.connections' | 'max.connections.per.ip' | 'closing'
}

export const channels = {
  connectionOpen: diagnosticsChannel.channel('tributary:connection:open'),
  connectionClose: diagnosticsChannel.channel('tributary:connection:close'),
  connectionReject: diagnosticsChannel.channel('tributary:connection:reject')
} as const
