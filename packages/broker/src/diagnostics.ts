import diagnostics_channel from 'node:diagnostics_channel'

/**
 * Every diagnostics channel the broker publishes on, in one place (R13).
 * Exporters (metrics, tracing) subscribe; publishing is free when nobody does.
 */
export const channels = {
  requestStart: diagnostics_channel.channel('tributary:request:start'),
  requestEnd: diagnostics_channel.channel('tributary:request:end'),
  topicCreate: diagnostics_channel.channel('tributary:topic:create'),
  /** A retried idempotent batch answered from the producer state instead of being written again. */
  produceDuplicate: diagnostics_channel.channel('tributary:produce:duplicate')
} as const

export interface RequestStartMessage { apiKey: number, version: number, conn: string }
export interface RequestEndMessage extends RequestStartMessage { durationNs: bigint }

export interface ProduceDuplicateMessage { topic: string, partition: number, producerId: bigint, firstSequence: number, firstOffset: bigint }
