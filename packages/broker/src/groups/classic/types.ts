// What the classic group manager takes and answers, independent of the
// request versions: the handlers map JoinGroup/SyncGroup/Heartbeat/
// LeaveGroup/DescribeGroups versions onto these.

export interface JoinProtocol { name: string, metadata: Buffer }

export interface JoinParams {
  groupId: string
  /** '' for a member joining for the first time. */
  memberId: string
  groupInstanceId: string | null
  sessionTimeoutMs: number
  /** Already defaulted to the session timeout for JoinGroup v0 (which lacks the field). */
  rebalanceTimeoutMs: number
  protocolType: string
  protocols: JoinProtocol[]
  clientId: string
  /** Kafka's form of the client address: `/127.0.0.1`. */
  clientHost: string
  /** JoinGroup v4+ (KIP-394): a new dynamic member is given its id with MEMBER_ID_REQUIRED and must rejoin with it. */
  requireKnownMemberId: boolean
  /** JoinGroup v9+: a static leader rejoining a Stable group is told to skip the assignment. */
  supportsSkipAssignment: boolean
}

export interface JoinResponseMember { memberId: string, groupInstanceId: string | null, metadata: Buffer }

export interface JoinResponse {
  errorCode: number
  generationId: number
  protocolType: string | null
  protocolName: string | null
  leader: string
  skipAssignment: boolean
  memberId: string
  members: JoinResponseMember[]
}

export interface SyncParams {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
  /** SyncGroup v5+; null when the request has none. */
  protocolType: string | null
  protocolName: string | null
  assignments: Array<{ memberId: string, assignment: Buffer }>
}

export interface SyncResponse {
  errorCode: number
  protocolType: string | null
  protocolName: string | null
  assignment: Buffer
}

export interface HeartbeatParams {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
}

export interface LeaveIdentity { memberId: string, groupInstanceId: string | null, reason: string | null }

export interface LeaveMemberResult { memberId: string, groupInstanceId: string | null, errorCode: number }

export interface LeaveResult { errorCode: number, members: LeaveMemberResult[] }

export interface DescribedMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  memberMetadata: Buffer
  memberAssignment: Buffer
}

export interface DescribedGroup {
  groupState: string
  protocolType: string
  /** The selected protocol name while Stable, '' otherwise (as Kafka). */
  protocolData: string
  members: DescribedMember[]
}

export const EMPTY_ASSIGNMENT: Buffer = Buffer.alloc(0)
