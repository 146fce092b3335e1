import { RetriesExhaustedError, isRetriableError } from '../errors.js'

/** Time as the retry loop and the producer's linger see it; tests pass a fake one. */
export interface Clock {
  now (): number
  sleep (ms: number): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms))
}

export interface RetryOptions {
  /** Attempts after the first; unbounded by default, the total timeout bounds them. */
  retries?: number
  /** Kafka's `retry.backoff.ms` (100). */
  initialBackoffMs?: number
  /** Kafka's `retry.backoff.max.ms` (1000, KIP-580). */
  maxBackoffMs?: number
  /** Give up once this much time has passed since the first attempt (Kafka's `delivery.timeout.ms` / `default.api.timeout.ms` idea). */
  totalTimeoutMs?: number
  /** Relative jitter: each wait is scaled by a factor in [1 - jitter, 1 + jitter] (KIP-580 uses 0.2). */
  jitter?: number
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  retries: Number.POSITIVE_INFINITY,
  initialBackoffMs: 100,
  maxBackoffMs: 1000,
  totalTimeoutMs: 30_000,
  jitter: 0.2
}

/**
 * Wait before retry number `attempt` (0 for the first retry): exponential
 * from the initial backoff, capped, then jittered, as KIP-580's
 * ExponentialBackoff does, so that many clients failing together do not
 * retry in lock-step.
 */
export function backoffMs (attempt: number, opts: RetryOptions = {}, random: () => number = Math.random): number {
  const initial = opts.initialBackoffMs ?? DEFAULT_RETRY.initialBackoffMs
  const max = opts.maxBackoffMs ?? DEFAULT_RETRY.maxBackoffMs
  const jitter = opts.jitter ?? DEFAULT_RETRY.jitter
  const base = Math.min(max, initial * 2 ** attempt)
  const factor = 1 + jitter * (2 * random() - 1)
  return Math.max(0, Math.round(base * factor))
}

export interface RetryContext extends RetryOptions {
  /** What is being retried, for the error message. */
  what: string
  clock?: Clock
  random?: () => number
  /** Narrows which retriable errors are retried (e.g. admin calls give up on UNKNOWN_TOPIC_OR_PARTITION at once, as Kafka's admin client does). */
  shouldRetry?: (err: unknown) => boolean
  /** Runs before each retry, e.g. to refresh metadata after NOT_LEADER_OR_FOLLOWER. */
  onRetry?: (err: unknown, attempt: number) => void | Promise<void>
}

/**
 * Runs `fn` until it succeeds, a non-retriable error comes (thrown as is),
 * the retries run out or the next wait would pass the total timeout
 * (RetriesExhaustedError with the last error as cause).
 */
export async function withRetry<T> (fn: (attempt: number) => Promise<T>, ctx: RetryContext): Promise<T> {
  const clock = ctx.clock ?? systemClock
  const retries = ctx.retries ?? DEFAULT_RETRY.retries
  const deadline = clock.now() + (ctx.totalTimeoutMs ?? DEFAULT_RETRY.totalTimeoutMs)
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt)
    } catch (err) {
      if (!isRetriableError(err) || (ctx.shouldRetry !== undefined && !ctx.shouldRetry(err))) throw err
      if (attempt >= retries) throw new RetriesExhaustedError(ctx.what, attempt + 1, err)
      const wait = backoffMs(attempt, ctx, ctx.random)
      if (clock.now() + wait >= deadline) throw new RetriesExhaustedError(ctx.what, attempt + 1, err)
      await clock.sleep(wait)
      if (ctx.onRetry !== undefined) {
        try {
          await ctx.onRetry(err, attempt)
        } catch (refreshErr) {
          // A failed refresh is itself retriable (the broker may still be down): go round again.
          if (!isRetriableError(refreshErr)) throw refreshErr
        }
      }
    }
  }
}
