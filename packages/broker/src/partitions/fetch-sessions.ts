
/**
 * A new session id, uniform in [1, 2^31 - 2] (what randomInt(1, 0x7fffffff)
 * gives). From Web Crypto's global, which node loads on first use: importing
 * node:crypto would load it before the broker listens, ~2 ms of
 * `tributary start`.
 */
function randomSessionId (): number {
  const word = new Uint32Array(1)
  for (;;) {
    crypto.getRandomValues(word)
    const id = word[0]! >>> 1
    if (id >= 1 && id < 0x7fffffff) return id
  }
}

/**
 * One partition of an incremental fetch session (KIP-227), as Kafka's
 * CachedPartition: the fetch parameters the client last sent, and what the
 * last response told it, so an incremental response carries only the
 * partitions where something changed.
 */
export interface SessionPartition {
  /** The topic name the client sent (v7-12); '' when the session uses topic ids. */
  topic: string
  /** The topic id the client sent (v13+). */
  topicId: string
  partition: number
  fetchOffset: bigint
  partitionMaxBytes: number
  currentLeaderEpoch: number
  /** The fetcher's log start offset (followers; -1 for consumers). */
  fetcherLogStartOffset: bigint
  /** Last high watermark, last stable offset and log start offset sent; -1 until the first response. */
  highWatermark: bigint
  lastStableOffset: bigint
  logStartOffset: bigint
}

/** The key of a partition in a session: by topic id when the session uses ids (v13+), else by name. */
export function sessionKey (usesTopicIds: boolean, topic: string, topicId: string, partition: number): string {
  return `${usesTopicIds ? topicId : topic}\u0000${partition}`
}

export class FetchSession {
  /** The epoch the next incremental request must carry (KIP-227: 1 after the creating full fetch). */
  epoch = 1
  /** Partitions in the order they joined the session; responses follow this order. */
  readonly partitions = new Map<string, SessionPartition>()
  constructor (readonly id: number, readonly usesTopicIds: boolean) {}
}

/**
 * The sessions of one broker, as Kafka's FetchSessionCache: at most
 * `maxSlots` (max.incremental.fetch.session.cache.slots); creating a session
 * in a full cache evicts the least recently used one. With 0 slots no
 * session is created and clients keep sending full fetches (KIP-227: a
 * response with session id 0 means no session).
 */
export class FetchSessionCache {
  // Map iteration order is insertion order: get() re-inserts, so the first key is the LRU one.
  private readonly sessions = new Map<number, FetchSession>()

  constructor (readonly maxSlots: number) {}

  get size (): number { return this.sessions.size }

  /** A new session with a random positive int32 id, or undefined when the cache has no slots. */
  create (usesTopicIds: boolean): FetchSession | undefined {
    if (this.maxSlots <= 0) return undefined
    while (this.sessions.size >= this.maxSlots) {
      const lru = this.sessions.keys().next().value
      if (lru === undefined) break
      this.sessions.delete(lru)
    }
    let id: number
    do id = randomSessionId(); while (this.sessions.has(id))
    const session = new FetchSession(id, usesTopicIds)
    this.sessions.set(id, session)
    return session
  }

  /** The session, marked as most recently used. */
  get (id: number): FetchSession | undefined {
    const session = this.sessions.get(id)
    if (session === undefined) return undefined
    this.sessions.delete(id)
    this.sessions.set(id, session)
    return session
  }

  remove (id: number): boolean { return this.sessions.delete(id) }
}
