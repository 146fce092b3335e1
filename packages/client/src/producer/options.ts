import { CompressionCodec } from '@tributary/protocol'
import type { ClusterOptions } from '../cluster/cluster.js'
import type { Partitioner } from './partitioners.js'

export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'

export const COMPRESSION: Record<CompressionName, CompressionCodec> = {
  none: CompressionCodec.NONE,
  gzip: CompressionCodec.GZIP,
  snappy: CompressionCodec.SNAPPY,
  lz4: CompressionCodec.LZ4,
  zstd: CompressionCodec.ZSTD
}

export interface ProducerOptions extends ClusterOptions {
  /** 0 (no response), 1 (leader), -1 (all in-sync replicas; the default, as in Kafka 3+). */
  acks?: 0 | 1 | -1
  compression?: CompressionName
  /** Kafka's `batch.size` in bytes (16384). */
  batchSize?: number
  /** Kafka's `linger.ms` (5, Kafka 4's default). */
  lingerMs?: number
  /** Kafka's `max.request.size` (1 MiB): the largest merged batch when a backlog builds up. */
  maxRequestSize?: number
  /**
   * Idempotent writes (KIP-98). Unset: on when the broker supports it and
   * acks is -1, as the Java client does; true: required (error otherwise).
   */
  idempotent?: boolean
  /** 'default' (murmur2 for keys, sticky otherwise), 'round-robin', or your own. */
  partitioner?: 'default' | 'round-robin' | Partitioner
  /** Kafka's `delivery.timeout.ms` (120000): a record fails once it waited this long. */
  deliveryTimeoutMs?: number
  /** Ask the broker to create missing topics (Metadata allowAutoTopicCreation), true by default. */
  allowAutoTopicCreation?: boolean
  /**
   * Kafka's `transactional.id` (KIP-98): enables initTransactions(),
   * beginTransaction(), commitTransaction(), abortTransaction() and
   * sendOffsetsToTransaction(). Implies idempotence (and acks -1).
   */
  transactionalId?: string
  /** Kafka's `transaction.timeout.ms` (60000): the coordinator aborts a transaction open longer than this. */
  transactionTimeoutMs?: number
}

export type HeaderValue = string | Buffer | null

export interface Message {
  key?: string | Buffer | null
  value: string | Buffer | null
  /** An object or a list (a list keeps repeated keys). */
  headers?: Record<string, HeaderValue> | Array<{ key: string, value: HeaderValue }>
  /** Explicit partition; otherwise the partitioner picks. */
  partition?: number
  /** Create time in ms since the epoch; now by default. */
  timestamp?: number | bigint | Date
}

export interface SendRequest {
  topic: string
  messages: Message[]
}
