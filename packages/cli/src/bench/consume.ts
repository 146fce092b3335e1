import { withAdmin } from '../common/admin.js'
import { clientOptions } from '../common/connection.js'
import { describeExisting } from '../common/topics.js'
import type { TopicInfo } from '@tributary/client'
import type { Ctx } from '../common/run.js'
import { buildReport } from './report.js'
import { benchSettings, emit, liveProgress, settingsRecord } from './setup.js'
import { Recorder } from './stats.js'

/**
 * `tributary bench consume`: reads up to --records records from the start
 * of every partition (fewer when the topic holds fewer), like
 * kafka-consumer-perf-test.sh. Throughput only: there is no send time to
 * measure a latency from (`bench e2e` does that).
 */
export async function run (ctx: Ctx, _args: string[], opts: Record<string, unknown>): Promise<void> {
  const s = benchSettings(opts)
  const parts = await withAdmin(ctx.conn, async admin => {
    const [info] = await describeExisting(admin, [s.topic], 'fill it first with `tributary bench produce`') as [TopicInfo]
    const ps = info.partitions.map(p => ({ partition: p.partition, spec: 'earliest' as const }))
    const lo = await admin.listOffsets(s.topic, ps)
    const hi = await admin.listOffsets(s.topic, ps.map(p => ({ ...p, spec: 'latest' as const })))
    return lo.map(l => ({ partition: l.partition, start: l.offset, end: hi.find(h => h.partition === l.partition)!.offset }))
  })
  const available = parts.reduce((n, p) => n + Number(p.end - p.start), 0)
  const target = Math.min(s.records, available)
  const { Consumer } = await import('@tributary/client')
  const consumer = new Consumer({ ...clientOptions(ctx.conn), maxBufferedRecords: 50_000 })
  const rec = new Recorder()
  const stop = liveProgress('consume', rec, target)
  try {
    consumer.assign(parts.map(p => ({ topic: s.topic, partition: p.partition, offset: p.start })))
    if (target > 0) {
      for await (const b of consumer.batches()) {
        const now = performance.now()
        for (const m of b.messages) rec.record((m.value?.length ?? 0) + (m.key?.length ?? 0), undefined, now)
        if (rec.records >= target) break
      }
    }
  } finally {
    stop()
    await consumer.close()
  }
  emit(ctx, buildReport('consume', s.topic, settingsRecord({ ...s, records: target }), rec, rec.elapsedMs()), opts)
}
