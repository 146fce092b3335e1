import { LogError } from '@tributary/log'
import { ErrorCode } from '@tributary/protocol'

/** The one mapping of log-layer errors to Kafka error codes (R9). */
export function kafkaCodeOf (err: unknown): number {
  if (err instanceof LogError) {
    switch (err.code) {
      case 'TRIB_LOG_CORRUPT_BATCH':
      case 'TRIB_LOG_INVALID_BATCH':
        return ErrorCode.CORRUPT_MESSAGE
      case 'TRIB_LOG_OFFSET_OUT_OF_RANGE':
        return ErrorCode.OFFSET_OUT_OF_RANGE
      case 'TRIB_LOG_CLOSED':
        // The partition is going away (topic deletion, shutdown): the client refreshes metadata and retries.
        return ErrorCode.NOT_LEADER_OR_FOLLOWER
      case 'TRIB_LOG_STORAGE':
        return ErrorCode.KAFKA_STORAGE_ERROR
      case 'TRIB_LOG_OUT_OF_ORDER_SEQUENCE':
        return ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER
      case 'TRIB_LOG_INVALID_PRODUCER_EPOCH':
        return ErrorCode.INVALID_PRODUCER_EPOCH
    }
  }
  return ErrorCode.UNKNOWN_SERVER_ERROR
}
