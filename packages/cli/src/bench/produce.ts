import { withAdmin } from '../common/admin.js'
import { clientOptions } from '../common/connection.js'
import type { Ctx } from '../common/run.js'
import { buildReport } from './report.js'
import { benchSettings, emit, ensureTopic, liveProgress, settingsRecord } from './setup.js'
import { Recorder } from './stats.js'

/**
 * `tributary bench produce`: sends --records records of --record-size bytes
 * with at most --max-in-flight unacknowledged, --records-per-send in each
 * send() call (1, like kafka-producer-perf-test.sh). Latency is send() to acknowledgement.
 */
export async function run (ctx: Ctx, _args: string[], opts: Record<string, unknown>): Promise<void> {
  const s = benchSettings(opts)
  await withAdmin(ctx.conn, async admin => { await ensureTopic(admin, s) })
  const { Producer } = await import('@tributary/client')
  const producer = new Producer({ ...clientOptions(ctx.conn), acks: s.acks, compression: s.compression as 'none', lingerMs: s.lingerMs, batchSize: s.batchSize, deliveryTimeoutMs: Math.max(ctx.conn.timeoutMs, 30_000) })
  const value = Buffer.alloc(s.recordSize, 'x')
  const rec = new Recorder()
  const stop = liveProgress('produce', rec, s.records)
  try {
    await producer.connect()
    const inFlight = new Set<Promise<void>>()
    let failure: unknown
    // --records-per-send records go in each send() call; each of them counts the call's latency.
    const calls = Math.ceil(s.records / s.perSend)
    const window = Math.max(1, Math.ceil(s.maxInFlight / s.perSend))
    for (let i = 0; i < calls && failure === undefined; i++) {
      const n = Math.min(s.perSend, s.records - i * s.perSend)
      const t0 = performance.now()
      const p = producer.send({ topic: s.topic, messages: Array.from({ length: n }, () => ({ value })) }).then(() => {
        const now = performance.now()
        for (let k = 0; k < n; k++) rec.record(s.recordSize, now - t0, now)
      }, (err: unknown) => { failure ??= err }).finally(() => inFlight.delete(p))
      inFlight.add(p)
      if (inFlight.size >= window) await Promise.race(inFlight)
    }
    await Promise.all(inFlight)
    if (failure !== undefined) throw failure
  } finally {
    stop()
    await producer.close()
  }
  emit(ctx, buildReport('produce', s.topic, settingsRecord(s), rec, rec.elapsedMs()), opts)
}
