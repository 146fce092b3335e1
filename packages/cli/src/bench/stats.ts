/**
 * Measurements of a benchmark run: latencies (ms) for percentiles and a
 * histogram, and records counted per time slice for throughput over time.
 */
export class Recorder {
  readonly latencies: number[] = []
  private readonly slices: number[] = []
  records = 0
  bytes = 0
  readonly startedAt = performance.now()

  constructor (readonly sliceMs = 250) {}

  record (bytes: number, latencyMs?: number, at = performance.now()): void {
    this.records++
    this.bytes += bytes
    if (latencyMs !== undefined) this.latencies.push(latencyMs)
    const i = Math.floor((at - this.startedAt) / this.sliceMs)
    while (this.slices.length <= i) this.slices.push(0)
    this.slices[i]!++
  }

  elapsedMs (now = performance.now()): number { return now - this.startedAt }

  /** Records per second in each slice. */
  timeline (): Array<{ atMs: number, recordsPerSec: number }> {
    return this.slices.map((n, i) => ({ atMs: (i + 1) * this.sliceMs, recordsPerSec: n * 1000 / this.sliceMs }))
  }
}

export interface LatencySummary { count: number, min: number, mean: number, p50: number, p90: number, p99: number, p999: number, max: number }

/** Nearest-rank percentiles of a sorted copy. */
export function summarize (values: readonly number[]): LatencySummary | null {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  const at = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!
  const round = (v: number): number => Math.round(v * 1000) / 1000
  return { count: s.length, min: round(s[0]!), mean: round(s.reduce((a, b) => a + b, 0) / s.length), p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), p999: round(at(0.999)), max: round(s[s.length - 1]!) }
}

/** Buckets on a log scale (powers of 2^(1/4) ms from 1/64 ms): readable for latencies that span orders of magnitude. */
export function histogram (values: readonly number[]): Array<{ fromMs: number, toMs: number, count: number }> {
  if (values.length === 0) return []
  const base = 1 / 64
  const step = Math.pow(2, 1 / 4)
  const index = (v: number): number => v <= base ? 0 : Math.floor(Math.log(v / base) / Math.log(step)) + 1
  const counts = new Map<number, number>()
  let lo = Infinity
  let hi = -Infinity
  for (const v of values) {
    const i = index(v)
    counts.set(i, (counts.get(i) ?? 0) + 1)
    lo = Math.min(lo, i)
    hi = Math.max(hi, i)
  }
  const out: Array<{ fromMs: number, toMs: number, count: number }> = []
  for (let i = lo; i <= hi; i++) out.push({ fromMs: i === 0 ? 0 : base * Math.pow(step, i - 1), toMs: base * Math.pow(step, i), count: counts.get(i) ?? 0 })
  return out
}
