/**
 * Named one-shot timers of one coordinator shard (session expiry, rebalance
 * and join deadlines, initial rebalance delay). Scheduling a key again
 * replaces its timer; every timer is unref'd so that it never keeps the
 * process alive, and `close()` cancels them all when the shard unloads.
 */
export class Timers {
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private closed = false

  schedule (key: string, delayMs: number, run: () => void): void {
    if (this.closed) return
    this.cancel(key)
    const t = setTimeout(() => {
      this.timers.delete(key)
      run()
    }, Math.max(0, Math.min(delayMs, 2147483647)))
    t.unref()
    this.timers.set(key, t)
  }

  cancel (key: string): void {
    const t = this.timers.get(key)
    if (t === undefined) return
    clearTimeout(t)
    this.timers.delete(key)
  }

  has (key: string): boolean { return this.timers.has(key) }

  close (): void {
    this.closed = true
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
  }
}
