import type { Clock } from '../../src/index.js'

/** A clock that moves only when told; sleep() resolves when the time is advanced past its deadline. */
export class FakeClock implements Clock {
  t = 1_000_000
  readonly sleeps: number[] = []
  private waiters: Array<{ at: number, resolve: () => void }> = []
  now (): number { return this.t }
  sleep (ms: number): Promise<void> {
    this.sleeps.push(ms)
    // Advance at once: the retry loop's waits are recorded, not waited for.
    this.t += ms
    return Promise.resolve()
  }

  advance (ms: number): void {
    this.t += ms
    for (const w of this.waiters.filter(w => w.at <= this.t)) w.resolve()
    this.waiters = this.waiters.filter(w => w.at > this.t)
  }
}
