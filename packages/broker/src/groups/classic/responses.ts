// The error answers of JoinGroup and SyncGroup, and what a member is told
// when the group's record could not be written.
import { ErrorCode } from '@tributary/protocol'
import { GroupWriteError } from '../group-manager.js'
import { EMPTY_ASSIGNMENT, type JoinResponse, type SyncResponse } from './types.js'

/** The member id of a member without one (a first JoinGroup, or an error answer). */
export const NO_MEMBER = ''

export function joinError (errorCode: number, memberId: string): JoinResponse {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId, members: [] }
}

export function syncError (errorCode: number): SyncResponse {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT }
}

/** Kafka's appendGroupMetadataErrorToResponseError: what a member is told when its group's record could not be written. */
export function writeErrorToResponseError (code: number): number {
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.UNKNOWN_SERVER_ERROR
    default:
      return code
  }
}

/** The code a member gets for a failed group write. */
export function errorCodeOf (err: unknown): number {
  return err instanceof GroupWriteError ? writeErrorToResponseError(err.errorCode) : ErrorCode.UNKNOWN_SERVER_ERROR
}
