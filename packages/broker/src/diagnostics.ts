import diagnostics_channel from 'node:diagnostics_channel'

/**
 * Every diagnostics channel the broker publishes on, in one place (R13).
 * Exporters (metrics, tracing) subscribe; publishing is free when nobody does.
 */
export const channels = {
  requestStart: diagnostics_channel.channel('tributary:request:start'),
  requestEnd: diagnostics_channel.channel('tributary:request:end'),
  topicCreate: diagnostics_channel.channel('tributary:topic:create')
} as const

export interface RequestStartMessage { apiKey: number, version: number, conn: string }
export interface RequestEndMessage extends RequestStartMessage { durationNs: bigint }
