import { ErrorCode } from '@tributary/protocol'

/** One partition as a fetch asks for it. */
export interface WantedPartition { topic: string, topicId: string, partition: number, fetchOffset: bigint, maxBytes: number }

export interface SessionRequest {
  sessionId: number
  sessionEpoch: number
  /** Partitions to put in the request: all of them for a full fetch, the changed ones for an incremental one. */
  partitions: WantedPartition[]
  /** Partitions the session should drop (incremental fetches only). */
  forgotten: Array<{ topic: string, topicId: string, partition: number }>
}

const NO_SESSION = 0
/** Epoch 0 asks the broker to create a session with this full fetch (KIP-227). */
const INITIAL_EPOCH = 0

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`

/**
 * The client's half of an incremental fetch session with one broker
 * (KIP-227, Kafka's FetchSessionHandler). The first fetch is a full one
 * with epoch 0; the broker answers with a session id, and later fetches
 * carry only the partitions whose fetch offset or size changed, plus the
 * ones to forget; the broker remembers the rest. Any session error, or a
 * failed request, falls back to a new full fetch.
 */
export class FetchSessionHandler {
  private sessionId = NO_SESSION
  private epoch = INITIAL_EPOCH
  /** What the broker's session holds, as of the last request sent. */
  private readonly session = new Map<string, WantedPartition>()

  constructor (private readonly enabled: boolean) {}

  build (wanted: readonly WantedPartition[]): SessionRequest {
    if (!this.enabled) return { sessionId: NO_SESSION, sessionEpoch: -1, partitions: [...wanted], forgotten: [] }
    const full = this.sessionId === NO_SESSION
    const partitions: WantedPartition[] = []
    const forgotten: SessionRequest['forgotten'] = []
    const wantedKeys = new Set<string>()
    for (const w of wanted) {
      const k = key(w.topic, w.partition)
      wantedKeys.add(k)
      const had = this.session.get(k)
      if (full || had === undefined || had.fetchOffset !== w.fetchOffset || had.maxBytes !== w.maxBytes) partitions.push(w)
    }
    if (!full) {
      for (const [k, p] of this.session) if (!wantedKeys.has(k)) forgotten.push({ topic: p.topic, topicId: p.topicId, partition: p.partition })
    }
    this.session.clear()
    for (const w of wanted) this.session.set(key(w.topic, w.partition), { ...w })
    return { sessionId: this.sessionId, sessionEpoch: full ? INITIAL_EPOCH : this.epoch, partitions, forgotten }
  }

  /** After a response: adopt the new session, or move to the next epoch, or start over after a session error. */
  onResponse (errorCode: number, sessionId: number): void {
    if (!this.enabled) return
    // FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH or any other top-level error.
    if (errorCode !== ErrorCode.NONE) {
      this.reset()
      return
    }
    if (this.sessionId === NO_SESSION) {
      // A broker without free session slots answers 0: the next fetch is full again.
      this.sessionId = sessionId
      this.epoch = 1
      if (sessionId === NO_SESSION) this.session.clear()
      return
    }
    this.epoch = this.epoch === 0x7fffffff ? 1 : this.epoch + 1
  }

  /** The request failed (no response): the broker's state is unknown, so the next fetch is full. */
  reset (): void {
    this.sessionId = NO_SESSION
    this.epoch = INITIAL_EPOCH
    this.session.clear()
  }

  get id (): number { return this.sessionId }
}
