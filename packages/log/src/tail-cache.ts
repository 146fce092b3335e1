import { BASE_OFFSET_OFFSET, LAST_OFFSET_DELTA_OFFSET, LENGTH_OFFSET, LOG_OVERHEAD, readInt64BE } from '@tributary/protocol'

interface Chunk {
  /** The appended buffer: whole batches, offsets assigned, exactly as written to the segment. */
  buf: Buffer
  /** Base offset of its first batch. */
  first: bigint
  /** Offset after its last batch. */
  next: bigint
}

/** Placeholder for an evicted slot, so that the dropped buffer can be collected before the list is compacted. */
const EVICTED: Chunk = { buf: Buffer.alloc(0), first: -1n, next: -1n }

export interface CachedRead {
  records: Buffer
  nextOffset: bigint
}

/**
 * The most recent appends of a log, kept as the very buffers the producers
 * handed over (the append took ownership), so that consumers at the tail
 * are served without a read syscall and, when their read falls inside one
 * append, without a copy (DESIGN.md §4: "from an in-memory cache of the log
 * tail").
 *
 * Invariant: the chunks are a contiguous suffix of the log: each starts
 * where the previous one ends, and the last one ends at the log end. Any
 * change to the log other than an append (truncation) clears it; a buffer
 * larger than the budget clears it too, and the next append starts over.
 * Returned records may be views of cached buffers: callers must not write
 * to them (nor to a buffer they appended).
 */
export class TailCache {
  /** Live chunks are chunks[head..]; evicted ones before `head` are dropped in bulk, not one list shift per append. */
  private chunks: Chunk[] = []
  private head = 0
  private bytes = 0
  hits = 0

  constructor (private maxBytes: number) {}

  setBudget (maxBytes: number): void {
    this.maxBytes = maxBytes
    this.evict()
  }

  push (buf: Buffer, first: bigint, next: bigint): void {
    if (buf.length > this.maxBytes) {
      this.clear()
      return
    }
    const n = this.chunks.length
    if (n > this.head && this.chunks[n - 1]!.next !== first) this.clear()
    this.chunks.push({ buf, first, next })
    this.bytes += buf.length
    this.evict()
  }

  clear (): void {
    this.chunks = []
    this.head = 0
    this.bytes = 0
  }

  /** The first offset the cache can serve, or null when empty. */
  get firstOffset (): bigint | null {
    return this.head < this.chunks.length ? this.chunks[this.head]!.first : null
  }

  /**
   * Kafka's read rules over the cached batches (see DiskLog.read), or null
   * when `offset` is below the cache. The caller has checked that `offset`
   * is below the log end and below maxOffset.
   */
  read (offset: bigint, maxBytes: number, maxOffset: bigint, minOneBatch: boolean): CachedRead | null {
    const chunks = this.chunks
    const head = this.head
    if (chunks.length === head || offset < chunks[head]!.first) return null
    let k = chunks.length - 1
    while (k > head && chunks[k]!.first > offset) k--
    // Find the batch holding `offset` (or the first after it) inside chunk k.
    let chunk = chunks[k]!
    let at = 0
    for (;;) {
      const base = readInt64BE(chunk.buf, at + BASE_OFFSET_OFFSET)
      const last = base + BigInt(chunk.buf.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET))
      if (last >= offset) break
      at += chunk.buf.readInt32BE(at + LENGTH_OFFSET) + LOG_OVERHEAD
      if (at >= chunk.buf.length) {
        k++
        if (k >= chunks.length) return { records: Buffer.alloc(0), nextOffset: offset }
        chunk = chunks[k]!
        at = 0
      }
    }
    const parts: Buffer[] = []
    let total = 0
    let nextOffset = offset
    for (;;) {
      const partStart = at
      let stop = false
      while (at < chunk.buf.length) {
        const size = chunk.buf.readInt32BE(at + LENGTH_OFFSET) + LOG_OVERHEAD
        const last = readInt64BE(chunk.buf, at + BASE_OFFSET_OFFSET) + BigInt(chunk.buf.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET))
        if (last >= maxOffset || (total + size > maxBytes && !(total === 0 && minOneBatch))) {
          stop = true
          break
        }
        total += size
        nextOffset = last + 1n
        at += size
      }
      if (at > partStart) parts.push(chunk.buf.subarray(partStart, at))
      if (stop || ++k >= chunks.length) break
      chunk = chunks[k]!
      at = 0
    }
    this.hits++
    if (parts.length === 0) return { records: Buffer.alloc(0), nextOffset }
    return { records: parts.length === 1 ? parts[0]! : Buffer.concat(parts, total), nextOffset }
  }

  private evict (): void {
    const chunks = this.chunks
    while (this.bytes > this.maxBytes && this.head < chunks.length) {
      this.bytes -= chunks[this.head]!.buf.length
      chunks[this.head] = EVICTED
      this.head++
    }
    // Usually one chunk goes per append: the list is compacted once half of it is dead.
    if (this.head > 32 && this.head * 2 > chunks.length) {
      this.chunks = chunks.slice(this.head)
      this.head = 0
    }
  }
}
