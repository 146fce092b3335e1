import { writeFileSync } from 'node:fs'
import type { Admin } from '@tributary/client'
import { usage } from '../common/errors.js'
import { intArg } from '../common/parse.js'
import { toJson } from '../common/output.js'
import type { Ctx } from '../common/run.js'
import { htmlReport } from './html.js'
import { progressLine, textReport, type BenchReport } from './report.js'
import type { Recorder } from './stats.js'

export interface BenchSettings { topic: string, records: number, recordSize: number, partitions: number, maxInFlight: number, perSend: number, compression: string, acks: -1 | 0 | 1, lingerMs: number, batchSize: number }

export function benchSettings (opts: Record<string, unknown>): BenchSettings {
  const acks = String(opts.acks ?? 'all')
  if (!['all', '-1', '0', '1'].includes(acks)) throw usage(`--acks '${acks}' is not one of all, -1, 0, 1`)
  const compression = String(opts.compression ?? 'none')
  if (!['none', 'gzip', 'snappy', 'lz4', 'zstd'].includes(compression)) throw usage(`--compression '${compression}' is not one of none, gzip, snappy, lz4, zstd`)
  return {
    topic: String(opts.topic ?? 'tributary-bench'),
    records: intArg(opts.records as string | undefined, '--records', 1) ?? 100_000,
    recordSize: intArg(opts.recordSize as string | undefined, '--record-size', 8) ?? 100,
    partitions: intArg(opts.partitions as string | undefined, '--partitions', 1) ?? 3,
    maxInFlight: intArg(opts.maxInFlight as string | undefined, '--max-in-flight', 1) ?? 5000,
    perSend: intArg(opts.recordsPerSend as string | undefined, '--records-per-send', 1) ?? 1,
    compression,
    acks: acks === '0' ? 0 : acks === '1' ? 1 : -1,
    lingerMs: intArg(opts.lingerMs as string | undefined, '--linger-ms', 0) ?? 5,
    batchSize: intArg(opts.batchSize as string | undefined, '--batch-size', 1) ?? 65_536
  }
}

/** Creates the topic unless it exists. */
export async function ensureTopic (admin: Admin, s: BenchSettings): Promise<number> {
  const [info] = await admin.describeTopics([s.topic]).catch(() => [undefined])
  if (info !== undefined && info.errorCode === 0) return info.partitions.length
  await admin.createTopics([{ name: s.topic, numPartitions: s.partitions }]).catch((err: { name?: string }) => { if (err.name !== 'TOPIC_ALREADY_EXISTS') throw err })
  return s.partitions
}

/** A live progress line on stderr (a terminal, or TRIBUTARY_PROGRESS=1), redrawn every 250 ms. Returns the stop function. */
export function liveProgress (kind: string, rec: Recorder, target: number): () => void {
  const on = process.env.TRIBUTARY_PROGRESS === '1' || (process.env.TRIBUTARY_PROGRESS !== '0' && process.stderr.isTTY)
  if (!on) return () => {}
  const draw = (): void => { process.stderr.write('\r' + progressLine(kind, rec.records, target, rec.elapsedMs()) + '\x1b[K') }
  const timer = setInterval(draw, 250)
  return () => { clearInterval(timer); draw(); process.stderr.write('\n') }
}

/** The final report: text or JSON on stdout, and an HTML page with --html FILE. */
export function emit (ctx: Ctx, report: BenchReport, opts: Record<string, unknown>): void {
  ctx.out(ctx.format === 'json' ? toJson(report) : textReport(report))
  if (opts.html !== undefined) {
    writeFileSync(String(opts.html), htmlReport(report))
    if (ctx.format !== 'json') ctx.out(`report: ${String(opts.html)}\n`)
  }
}

export function settingsRecord (s: BenchSettings): Record<string, string | number> {
  return { records: s.records, recordSize: s.recordSize, maxInFlight: s.maxInFlight, recordsPerSend: s.perSend, compression: s.compression, acks: s.acks, lingerMs: s.lingerMs, batchSize: s.batchSize }
}
