import type { JoinProtocol, JoinResponse, SyncResponse } from './types.js'
import { EMPTY_ASSIGNMENT } from './types.js'

/** Resolves a waiting JoinGroup or SyncGroup at most once. */
export type Waiter<T> = (response: T) => void

/**
 * One member of a classic group: what it joined with, the assignment the
 * leader gave it, and the JoinGroup/SyncGroup request it is parked on.
 */
export class ClassicMember {
  awaitingJoin: Waiter<JoinResponse> | null = null
  awaitingSync: Waiter<SyncResponse> | null = null
  /**
   * Joined in the current rebalance and not yet through it. A new member's
   * parked JoinGroup does not count as a heartbeat (Kafka's
   * ClassicGroupMember.isNew): its join times out like a dead session.
   */
  isNew = false

  constructor (
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public protocols: JoinProtocol[],
    public assignment: Buffer = EMPTY_ASSIGNMENT
  ) {}

  supports (name: string): boolean {
    return this.protocols.some(p => p.name === name)
  }

  /** The member's metadata for a protocol; empty if it does not list it. */
  metadata (name: string | null): Buffer {
    return this.protocols.find(p => p.name === name)?.metadata ?? EMPTY_ASSIGNMENT
  }

  /** The member's preferred protocol among the candidates: the first of its own list (it is ordered by preference). */
  vote (candidates: ReadonlySet<string>): string | undefined {
    return this.protocols.find(p => candidates.has(p.name))?.name
  }

  /** Same protocols, in the same order, with the same metadata: rejoining with them changes nothing. */
  matches (protocols: readonly JoinProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false
    return protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata))
  }

  /**
   * Whether a session expiry may be ignored: a known member parked in
   * JoinGroup or SyncGroup is alive by definition (it cannot heartbeat on
   * the connection it is waiting on).
   */
  hasSatisfiedHeartbeat (): boolean {
    if (this.isNew) return false
    return this.awaitingJoin !== null || this.awaitingSync !== null
  }

  /** Answers the parked JoinGroup, if any; true if there was one. */
  completeJoin (response: JoinResponse): boolean {
    const w = this.awaitingJoin
    if (w === null) return false
    this.awaitingJoin = null
    w(response)
    return true
  }

  completeSync (response: SyncResponse): boolean {
    const w = this.awaitingSync
    if (w === null) return false
    this.awaitingSync = null
    w(response)
    return true
  }
}
