/** Typed errors of the log layer, mapped to Kafka error codes at the broker's edge. */
export type LogErrorCode =
  | 'TRIB_LOG_OFFSET_OUT_OF_RANGE'
  | 'TRIB_LOG_CORRUPT_BATCH'
  | 'TRIB_LOG_INVALID_BATCH'
  | 'TRIB_LOG_CLOSED'
  | 'TRIB_LOG_STORAGE'
  | 'TRIB_LOG_OUT_OF_ORDER_SEQUENCE'
  | 'TRIB_LOG_INVALID_PRODUCER_EPOCH'

export class LogError extends Error {
  readonly code: LogErrorCode
  constructor (code: LogErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = 'LogError'
  }
}
