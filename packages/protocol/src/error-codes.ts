/*
 * Kafka's protocol error codes (Errors.java), with Kafka's names and codes and
 * its retriability: `retriable` is true exactly when Kafka's exception for
 * the code extends RetriableException (directly or through
 * InvalidMetadataException). Clients retry on that flag, so it must match.
 * The messages are our own.
 *
 * The table runs to 133. Codes 130-133 come with the streams-group
 * (KIP-1071) and share-session (KIP-932) work of the 4.x line; a 4.0 broker
 * never sends them, but clients that know them exist, so we know them too.
 */
const TABLE = [
  [-1, 'UNKNOWN_SERVER_ERROR', false, 'The broker hit an unexpected error while handling the request.'],
  [0, 'NONE', false, 'No error.'],
  [1, 'OFFSET_OUT_OF_RANGE', false, 'The offset is outside the range the partition holds.'],
  [2, 'CORRUPT_MESSAGE', true, 'A record batch failed its CRC, has an invalid size, or is otherwise malformed.'],
  [3, 'UNKNOWN_TOPIC_OR_PARTITION', true, 'The topic or partition is not known to this broker.'],
  [4, 'INVALID_FETCH_SIZE', false, 'The fetch size is not valid.'],
  [5, 'LEADER_NOT_AVAILABLE', true, 'The partition has no leader right now, probably because an election is under way.'],
  [6, 'NOT_LEADER_OR_FOLLOWER', true, 'This broker is not the leader (or not a replica) of the partition.'],
  [7, 'REQUEST_TIMED_OUT', true, 'The request did not complete in time.'],
  [8, 'BROKER_NOT_AVAILABLE', false, 'The broker is not available.'],
  [9, 'REPLICA_NOT_AVAILABLE', true, 'The replica for the partition is not available.'],
  [10, 'MESSAGE_TOO_LARGE', false, 'A record batch is larger than the broker accepts.'],
  [11, 'STALE_CONTROLLER_EPOCH', false, 'The request came from a controller that is no longer current.'],
  [12, 'OFFSET_METADATA_TOO_LARGE', false, 'The metadata string of the offset commit is too long.'],
  [13, 'NETWORK_EXCEPTION', true, 'The connection closed before a response arrived.'],
  [14, 'COORDINATOR_LOAD_IN_PROGRESS', true, 'The coordinator is still loading its state.'],
  [15, 'COORDINATOR_NOT_AVAILABLE', true, 'The coordinator is not available.'],
  [16, 'NOT_COORDINATOR', true, 'This broker is not the coordinator for the group or transaction.'],
  [17, 'INVALID_TOPIC_EXCEPTION', false, 'The topic name is invalid or the operation is not allowed on this topic.'],
  [18, 'RECORD_LIST_TOO_LARGE', false, 'The record batch is larger than the segment size.'],
  [19, 'NOT_ENOUGH_REPLICAS', true, 'Too few in-sync replicas to accept the write.'],
  [20, 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', true, 'The write was appended but reached fewer in-sync replicas than required.'],
  [21, 'INVALID_REQUIRED_ACKS', false, 'The acks value of the produce request is not valid.'],
  [22, 'ILLEGAL_GENERATION', false, 'The group generation is not the current one.'],
  [23, 'INCONSISTENT_GROUP_PROTOCOL', false, 'The member\'s protocols do not match those of the group.'],
  [24, 'INVALID_GROUP_ID', false, 'The group id is not valid.'],
  [25, 'UNKNOWN_MEMBER_ID', false, 'The member id is not known to the coordinator.'],
  [26, 'INVALID_SESSION_TIMEOUT', false, 'The session timeout is outside the range the broker allows.'],
  [27, 'REBALANCE_IN_PROGRESS', false, 'The group is rebalancing; the member must rejoin.'],
  [28, 'INVALID_COMMIT_OFFSET_SIZE', false, 'The offset commit data has an invalid size.'],
  [29, 'TOPIC_AUTHORIZATION_FAILED', false, 'Not authorized to access the topic.'],
  [30, 'GROUP_AUTHORIZATION_FAILED', false, 'Not authorized to access the group.'],
  [31, 'CLUSTER_AUTHORIZATION_FAILED', false, 'Not authorized for this cluster operation.'],
  [32, 'INVALID_TIMESTAMP', false, 'A record timestamp is outside the accepted range.'],
  [33, 'UNSUPPORTED_SASL_MECHANISM', false, 'The SASL mechanism is not enabled on this broker.'],
  [34, 'ILLEGAL_SASL_STATE', false, 'The request is not allowed in the current SASL state.'],
  [35, 'UNSUPPORTED_VERSION', false, 'This version of the API is not supported.'],
  [36, 'TOPIC_ALREADY_EXISTS', false, 'A topic with this name already exists.'],
  [37, 'INVALID_PARTITIONS', false, 'The number of partitions is not valid.'],
  [38, 'INVALID_REPLICATION_FACTOR', false, 'The replication factor is not valid.'],
  [39, 'INVALID_REPLICA_ASSIGNMENT', false, 'The replica assignment is not valid.'],
  [40, 'INVALID_CONFIG', false, 'The configuration is not valid.'],
  [41, 'NOT_CONTROLLER', true, 'This node is not the active controller.'],
  [42, 'INVALID_REQUEST', false, 'The request is malformed or not valid for this broker; see the broker log.'],
  [43, 'UNSUPPORTED_FOR_MESSAGE_FORMAT', false, 'The request needs a newer message format than the partition uses.'],
  [44, 'POLICY_VIOLATION', false, 'The request violates a configured policy.'],
  [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER', false, 'The producer sequence number is out of order.'],
  [46, 'DUPLICATE_SEQUENCE_NUMBER', false, 'The producer sequence number was already written.'],
  [47, 'INVALID_PRODUCER_EPOCH', false, 'The producer epoch is older than the current one.'],
  [48, 'INVALID_TXN_STATE', false, 'The transactional operation is not valid in the current transaction state.'],
  [49, 'INVALID_PRODUCER_ID_MAPPING', false, 'The producer id is not the one assigned to this transactional id.'],
  [50, 'INVALID_TRANSACTION_TIMEOUT', false, 'The transaction timeout exceeds the broker maximum.'],
  [51, 'CONCURRENT_TRANSACTIONS', true, 'Another operation on the same transaction is still in progress.'],
  [52, 'TRANSACTION_COORDINATOR_FENCED', false, 'The transaction coordinator that sent the marker has been replaced.'],
  [53, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', false, 'Not authorized to use the transactional id.'],
  [54, 'SECURITY_DISABLED', false, 'Security features are disabled on this cluster.'],
  [55, 'OPERATION_NOT_ATTEMPTED', false, 'The broker skipped this operation because another one in the batch failed.'],
  [56, 'KAFKA_STORAGE_ERROR', true, 'A disk error occurred while accessing the log.'],
  [57, 'LOG_DIR_NOT_FOUND', false, 'The log directory is not one the broker is configured with.'],
  [58, 'SASL_AUTHENTICATION_FAILED', false, 'SASL authentication failed.'],
  [59, 'UNKNOWN_PRODUCER_ID', false, 'The broker has no state for this producer id, for example after retention removed its records.'],
  [60, 'REASSIGNMENT_IN_PROGRESS', false, 'A partition reassignment is in progress.'],
  [61, 'DELEGATION_TOKEN_AUTH_DISABLED', false, 'Delegation tokens are not enabled.'],
  [62, 'DELEGATION_TOKEN_NOT_FOUND', false, 'The delegation token does not exist.'],
  [63, 'DELEGATION_TOKEN_OWNER_MISMATCH', false, 'The principal is not the owner or a renewer of the token.'],
  [64, 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED', false, 'Delegation token requests are not allowed on this kind of connection.'],
  [65, 'DELEGATION_TOKEN_AUTHORIZATION_FAILED', false, 'Not authorized for the delegation token operation.'],
  [66, 'DELEGATION_TOKEN_EXPIRED', false, 'The delegation token has expired.'],
  [67, 'INVALID_PRINCIPAL_TYPE', false, 'The principal type is not supported.'],
  [68, 'NON_EMPTY_GROUP', false, 'The group still has members.'],
  [69, 'GROUP_ID_NOT_FOUND', false, 'The group does not exist.'],
  [70, 'FETCH_SESSION_ID_NOT_FOUND', true, 'The fetch session does not exist.'],
  [71, 'INVALID_FETCH_SESSION_EPOCH', true, 'The fetch session epoch is not the expected one.'],
  [72, 'LISTENER_NOT_FOUND', true, 'The leader has no listener matching the one this request arrived on.'],
  [73, 'TOPIC_DELETION_DISABLED', false, 'Topic deletion is disabled.'],
  [74, 'FENCED_LEADER_EPOCH', true, 'The leader epoch in the request is older than the broker\'s.'],
  [75, 'UNKNOWN_LEADER_EPOCH', true, 'The leader epoch in the request is newer than the broker\'s.'],
  [76, 'UNSUPPORTED_COMPRESSION_TYPE', false, 'The client cannot read the compression type used by the partition.'],
  [77, 'STALE_BROKER_EPOCH', false, 'The broker epoch is no longer current.'],
  [78, 'OFFSET_NOT_AVAILABLE', true, 'The new leader\'s high watermark has not caught up yet, so offsets are not available.'],
  [79, 'MEMBER_ID_REQUIRED', false, 'The member must rejoin with the member id the coordinator assigned.'],
  [80, 'PREFERRED_LEADER_NOT_AVAILABLE', true, 'The preferred leader is not available.'],
  [81, 'GROUP_MAX_SIZE_REACHED', false, 'The group is at its maximum size.'],
  [82, 'FENCED_INSTANCE_ID', false, 'Another member with the same group.instance.id has replaced this one.'],
  [83, 'ELIGIBLE_LEADERS_NOT_AVAILABLE', true, 'No eligible leader is available for the partition.'],
  [84, 'ELECTION_NOT_NEEDED', true, 'The partition already has the leader the election would choose.'],
  [85, 'NO_REASSIGNMENT_IN_PROGRESS', false, 'No partition reassignment is in progress.'],
  [86, 'GROUP_SUBSCRIBED_TO_TOPIC', false, 'Offsets of a topic cannot be deleted while the group is subscribed to it.'],
  [87, 'INVALID_RECORD', false, 'A record failed the broker\'s validation.'],
  [88, 'UNSTABLE_OFFSET_COMMIT', true, 'The partition has pending transactional offsets that must settle first.'],
  [89, 'THROTTLING_QUOTA_EXCEEDED', true, 'The request exceeded a throttling quota.'],
  [90, 'PRODUCER_FENCED', false, 'A newer producer with the same transactional id has fenced this one.'],
  [91, 'RESOURCE_NOT_FOUND', false, 'The request refers to a resource that does not exist.'],
  [92, 'DUPLICATE_RESOURCE', false, 'The request names the same resource more than once.'],
  [93, 'UNACCEPTABLE_CREDENTIAL', false, 'The credential does not meet the acceptance criteria.'],
  [94, 'INCONSISTENT_VOTER_SET', false, 'The sender or receiver is not one of the expected voters.'],
  [95, 'INVALID_UPDATE_VERSION', false, 'The update version is not valid.'],
  [96, 'FEATURE_UPDATE_FAILED', false, 'The finalized features could not be updated.'],
  [97, 'PRINCIPAL_DESERIALIZATION_FAILURE', false, 'The forwarded request principal could not be deserialized.'],
  [98, 'SNAPSHOT_NOT_FOUND', false, 'The snapshot does not exist.'],
  [99, 'POSITION_OUT_OF_RANGE', false, 'The position is outside the snapshot.'],
  [100, 'UNKNOWN_TOPIC_ID', true, 'The topic id is not known to this broker.'],
  [101, 'DUPLICATE_BROKER_REGISTRATION', false, 'The broker id is already registered.'],
  [102, 'BROKER_ID_NOT_REGISTERED', false, 'The broker id is not registered.'],
  [103, 'INCONSISTENT_TOPIC_ID', true, 'The topic id does not match the one of the log.'],
  [104, 'INCONSISTENT_CLUSTER_ID', false, 'The cluster id does not match this cluster.'],
  [105, 'TRANSACTIONAL_ID_NOT_FOUND', false, 'The transactional id does not exist.'],
  [106, 'FETCH_SESSION_TOPIC_ID_ERROR', true, 'The fetch session used topic ids inconsistently.'],
  [107, 'INELIGIBLE_REPLICA', false, 'The proposed ISR contains a replica that is not eligible.'],
  [108, 'NEW_LEADER_ELECTED', false, 'The partition state was updated, but the leader changed.'],
  [109, 'OFFSET_MOVED_TO_TIERED_STORAGE', false, 'The offset is only available in tiered storage.'],
  [110, 'FENCED_MEMBER_EPOCH', false, 'The member epoch is fenced; the member must give up its partitions and rejoin.'],
  [111, 'UNRELEASED_INSTANCE_ID', false, 'Another member still holds this instance id.'],
  [112, 'UNSUPPORTED_ASSIGNOR', false, 'The group does not support this assignor or assignor version.'],
  [113, 'STALE_MEMBER_EPOCH', false, 'The member epoch is stale; retry with the epoch from the latest heartbeat.'],
  [114, 'MISMATCHED_ENDPOINT_TYPE', false, 'The request was sent to the wrong kind of endpoint.'],
  [115, 'UNSUPPORTED_ENDPOINT_TYPE', false, 'This endpoint type is not supported.'],
  [116, 'UNKNOWN_CONTROLLER_ID', false, 'The controller id is not known.'],
  [117, 'UNKNOWN_SUBSCRIPTION_ID', false, 'The telemetry subscription id is unknown or outdated.'],
  [118, 'TELEMETRY_TOO_LARGE', false, 'The telemetry payload is larger than the broker accepts.'],
  [119, 'INVALID_REGISTRATION', false, 'The controller rejected the broker registration.'],
  [120, 'TRANSACTION_ABORTABLE', false, 'The transaction hit an error; abort it to keep using the transactional id.'],
  [121, 'INVALID_RECORD_STATE', false, 'The record is not in a state that allows this acknowledgement.'],
  [122, 'SHARE_SESSION_NOT_FOUND', true, 'The share session does not exist.'],
  [123, 'INVALID_SHARE_SESSION_EPOCH', true, 'The share session epoch is not the expected one.'],
  [124, 'FENCED_STATE_EPOCH', false, 'The share group state epoch does not match.'],
  [125, 'INVALID_VOTER_KEY', false, 'The voter key does not match the receiving replica.'],
  [126, 'DUPLICATE_VOTER', false, 'The voter is already in the voter set.'],
  [127, 'VOTER_NOT_FOUND', false, 'The voter is not in the voter set.'],
  [128, 'INVALID_REGULAR_EXPRESSION', false, 'The regular expression is not valid.'],
  [129, 'REBOOTSTRAP_REQUIRED', false, 'The client metadata is stale; the client should bootstrap again.'],
  [130, 'STREAMS_INVALID_TOPOLOGY', false, 'The streams topology is not valid.'],
  [131, 'STREAMS_INVALID_TOPOLOGY_EPOCH', false, 'The streams topology epoch is not valid.'],
  [132, 'STREAMS_TOPOLOGY_FENCED', false, 'The streams topology epoch is outdated.'],
  [133, 'SHARE_SESSION_LIMIT_REACHED', true, 'The broker has reached its limit of share sessions.']
] as const

type Row = typeof TABLE[number]

export type ErrorName = Row[1]

/** Kafka error codes by name: `ErrorCode.UNKNOWN_TOPIC_OR_PARTITION === 3`. */
export const ErrorCode = Object.freeze(Object.fromEntries(TABLE.map(r => [r[1], r[0]]))) as {
  readonly [R in Row as R[1]]: R[0]
}
export type ErrorCode = Row[0]

export interface KafkaErrorInfo {
  readonly code: number
  readonly name: string
  readonly retriable: boolean
  readonly message: string
}

/** Every known error, in code order. */
export const KAFKA_ERRORS: readonly KafkaErrorInfo[] = Object.freeze(
  TABLE.map(([code, name, retriable, message]) => Object.freeze({ code, name, retriable, message }))
)

const byCode = new Map<number, KafkaErrorInfo>(KAFKA_ERRORS.map(e => [e.code, e]))
const byName = new Map<string, KafkaErrorInfo>(KAFKA_ERRORS.map(e => [e.name, e]))

export function errorByCode (code: number): KafkaErrorInfo | undefined {
  return byCode.get(code)
}

export function errorByName (name: string): KafkaErrorInfo | undefined {
  return byName.get(name)
}

/** Whether a client should retry on this code; unknown codes are not retriable. */
export function isRetriable (code: number): boolean {
  return byCode.get(code)?.retriable ?? false
}

/**
 * A Kafka protocol error as an exception. `name` is Kafka's name of the code
 * (so stack traces read "NOT_COORDINATOR: ..."); `message` defaults to the
 * table's sentence.
 */
export class KafkaError extends Error {
  readonly code: number
  readonly retriable: boolean
  override readonly name: string

  constructor (code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    const info = byCode.get(code)
    if (info === undefined) throw new RangeError(`unknown Kafka error code ${code}`)
    super(message ?? info.message, options)
    this.code = info.code
    this.name = info.name
    this.retriable = info.retriable
  }

  /**
   * The error for a code received from the wire. As Kafka's clients do,
   * an unknown code becomes UNKNOWN_SERVER_ERROR, with the code kept in the message.
   */
  static fromCode (code: number, message?: string): KafkaError {
    if (byCode.has(code)) return new KafkaError(code as ErrorCode, message)
    return new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, message ?? `unknown Kafka error code ${code}`)
  }
}
