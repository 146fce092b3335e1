/** A sleep that `wake()` ends early: heartbeat loops wait on it so that leave() and rejoins act at once. */
export class InterruptibleSleep {
  private waker: (() => void) | undefined

  sleep (ms: number): Promise<void> {
    return new Promise(resolve => {
      const t = setTimeout(() => { this.waker = undefined; resolve() }, ms)
      this.waker = () => { clearTimeout(t); this.waker = undefined; resolve() }
    })
  }

  wake (): void { this.waker?.() }
}
