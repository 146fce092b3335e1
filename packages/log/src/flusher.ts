/**
 * Group commit: callers ask for "a sync that starts after now"; one run of
 * the sync function serves everybody who asked while no run was starting.
 *
 * Lifecycle: idle -> (request: schedule a run on the next turn of the event
 * loop, so that every append of the current turn joins it) -> running ->
 * (requests meanwhile collect for the next run, which starts as soon as the
 * running one ends) -> idle.
 *
 * Why it is correct: appends write synchronously before they request, so
 * by the time a run starts, everything its waiters wrote is in the page
 * cache, and the run's fsync covers it. A request made during a run may have
 * written after that run's fsync began, so it waits for the next run.
 * A failed run rejects exactly its own waiters.
 */
export class GroupCommit {
  private running = false
  private waiters: Array<{ resolve: () => void, reject: (err: unknown) => void }> = []
  private scheduled = false
  private idleWaiters: Array<() => void> = []
  /** Completed runs (for tests and metrics). */
  runs = 0

  constructor (private readonly run: () => Promise<void>) {}

  /** Resolves after a run that started after this call. */
  request (): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject })
      if (!this.running) this.schedule()
    })
  }

  /** The same, for work nobody waits on; failures are reported by the run itself. */
  requestInBackground (): void {
    this.request().catch(() => {})
  }

  get busy (): boolean { return this.running || this.scheduled || this.waiters.length > 0 }

  /** Resolves when no run is pending or running. */
  idle (): Promise<void> {
    if (!this.busy) return Promise.resolve()
    return new Promise(resolve => this.idleWaiters.push(resolve))
  }

  private schedule (): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      this.start()
    })
  }

  private start (): void {
    if (this.running) return
    if (this.waiters.length === 0) {
      this.notifyIdle()
      return
    }
    const batch = this.waiters
    this.waiters = []
    this.running = true
    this.run().then(
      () => { for (const w of batch) w.resolve() },
      err => { for (const w of batch) w.reject(err) }
    ).finally(() => {
      this.running = false
      this.runs++
      this.start()
    })
  }

  private notifyIdle (): void {
    if (this.busy) return
    const waiting = this.idleWaiters
    this.idleWaiters = []
    for (const resolve of waiting) resolve()
  }
}
