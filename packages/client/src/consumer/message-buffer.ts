import type { ConsumerBatch } from './types.js'

/** A fetched batch tagged with the partition's epoch when it was fetched; seek/pause bump the epoch and so void it. */
export interface BufferedBatch extends ConsumerBatch { epoch: number }

/**
 * The bounded hand-over between the fetch loop and the application. The
 * fetcher waits on `space()` before each fetch, so a slow reader stops the
 * fetching (backpressure) instead of letting memory grow; the reader waits
 * on `take()`.
 */
export class MessageBuffer {
  private readonly items: BufferedBatch[] = []
  private records = 0
  private readers: Array<{ resolve: (b: BufferedBatch | undefined) => void, reject: (e: Error) => void }> = []
  private spaceWaiters: Array<() => void> = []
  private failure: Error | undefined
  private ended = false

  constructor (readonly maxRecords: number) {}

  get bufferedRecords (): number { return this.records }

  push (b: BufferedBatch): void {
    const reader = this.readers.shift()
    if (reader !== undefined) { reader.resolve(b); return }
    this.items.push(b)
    this.records += b.messages.length
  }

  /** Resolves once fewer than maxRecords wait (at once if so already). */
  space (): Promise<void> {
    if (this.records < this.maxRecords || this.ended) return Promise.resolve()
    return new Promise(resolve => this.spaceWaiters.push(resolve))
  }

  /** The next batch, or undefined once ended. Throws a failure the fetcher reported. */
  take (): Promise<BufferedBatch | undefined> {
    const b = this.items.shift()
    if (b !== undefined) {
      this.records -= b.messages.length
      if (this.records < this.maxRecords) for (const w of this.spaceWaiters.splice(0)) w()
      return Promise.resolve(b)
    }
    if (this.failure !== undefined) {
      const f = this.failure
      this.failure = undefined
      return Promise.reject(f)
    }
    if (this.ended) return Promise.resolve(undefined)
    return new Promise((resolve, reject) => this.readers.push({ resolve, reject }))
  }

  /** Drops batches of one partition (after seek or pause). */
  drop (topic: string, partition: number): void {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const b = this.items[i]!
      if (b.topic === topic && b.partition === partition) {
        this.records -= b.messages.length
        this.items.splice(i, 1)
      }
    }
    if (this.records < this.maxRecords) for (const w of this.spaceWaiters.splice(0)) w()
  }

  /** Reports a fatal fetch error to the reader (the waiting one, or the next take()). */
  fail (err: Error): void {
    const reader = this.readers.shift()
    if (reader !== undefined) reader.reject(err)
    else this.failure = err
  }

  end (): void {
    this.ended = true
    for (const r of this.readers.splice(0)) r.resolve(undefined)
    for (const w of this.spaceWaiters.splice(0)) w()
  }
}
