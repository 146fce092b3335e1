import { table } from '../common/output.js'
import { histogram, summarize, type LatencySummary, type Recorder } from './stats.js'

export interface BenchReport {
  kind: 'produce' | 'consume' | 'e2e'
  topic: string
  settings: Record<string, string | number | boolean>
  records: number
  bytes: number
  durationMs: number
  recordsPerSec: number
  mbPerSec: number
  /** produce: send to acknowledgement; e2e: send to receipt; consume: none. */
  latencyMs: LatencySummary | null
  histogram: Array<{ fromMs: number, toMs: number, count: number }>
  timeline: Array<{ atMs: number, recordsPerSec: number }>
}

export function buildReport (kind: BenchReport['kind'], topic: string, settings: BenchReport['settings'], rec: Recorder, durationMs: number): BenchReport {
  const secs = durationMs / 1000
  return {
    kind,
    topic,
    settings,
    records: rec.records,
    bytes: rec.bytes,
    durationMs: Math.round(durationMs),
    recordsPerSec: Math.round(rec.records / secs),
    mbPerSec: Math.round(rec.bytes / secs / 1048576 * 100) / 100,
    latencyMs: summarize(rec.latencies),
    histogram: histogram(rec.latencies),
    timeline: rec.timeline()
  }
}

export function textReport (r: BenchReport): string {
  let s = `${r.kind}: ${r.records} records (${(r.bytes / 1048576).toFixed(2)} MiB) to/from ${r.topic} in ${(r.durationMs / 1000).toFixed(2)} s\n`
  s += `throughput: ${r.recordsPerSec} records/s, ${r.mbPerSec} MiB/s\n`
  if (r.latencyMs !== null) {
    const l = r.latencyMs
    s += `latency (ms, ${r.kind === 'e2e' ? 'send to receipt' : 'send to acknowledgement'}):\n`
    s += table(['min', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max'], [[l.min, l.mean, l.p50, l.p90, l.p99, l.p999, l.max]])
  }
  return s
}

/** The live progress line (stderr, redrawn in place). */
export function progressLine (kind: string, records: number, target: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? Math.round(records * 1000 / elapsedMs) : 0
  return `${kind}: ${records}/${target} records, ${rate} records/s, ${(elapsedMs / 1000).toFixed(1)} s`
}
