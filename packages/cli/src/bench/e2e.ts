import { withAdmin } from '../common/admin.js'
import { clientOptions } from '../common/connection.js'
import type { Ctx } from '../common/run.js'
import { buildReport } from './report.js'
import { benchSettings, emit, ensureTopic, liveProgress, settingsRecord } from './setup.js'
import { Recorder } from './stats.js'

/**
 * `tributary bench e2e`: a producer and a consumer in this process; each
 * record carries its send time (performance.now(), 8 bytes) so the
 * latency is send to receipt through the broker, on one clock.
 */
export async function run (ctx: Ctx, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const s = { ...benchSettings(opts), recordSize: Math.max(8, benchSettings(opts).recordSize) }
  const ends = await withAdmin(ctx.conn, async admin => {
    const n = await ensureTopic(admin, s)
    return await admin.listOffsets(s.topic, Array.from({ length: n }, (_, partition) => ({ partition, spec: 'latest' as const })))
  })
  const { Consumer, Producer } = await import('@tributary/client')
  const consumer = new Consumer({ ...clientOptions(ctx.conn), maxWaitMs: 100 })
  const producer = new Producer({ ...clientOptions(ctx.conn), acks: s.acks, compression: s.compression as 'none', lingerMs: s.lingerMs, batchSize: s.batchSize, deliveryTimeoutMs: Math.max(ctx.conn.timeoutMs, 30_000) })
  const rec = new Recorder()
  const stop = liveProgress('e2e', rec, s.records)
  try {
    // Positioned at the current ends before anything is sent: only this run's records are read.
    consumer.assign(ends.map(e => ({ topic: s.topic, partition: e.partition, offset: e.offset })))
    const received = (async () => {
      for await (const b of consumer.batches()) {
        const now = performance.now()
        for (const m of b.messages) if (m.value !== null && m.value.length >= 8) rec.record(m.value.length, now - m.value.readDoubleBE(0), now)
        if (rec.records >= s.records) return
      }
    })()
    await producer.connect()
    const inFlight = new Set<Promise<unknown>>()
    let failure: unknown
    const calls = Math.ceil(s.records / s.perSend)
    const window = Math.max(1, Math.ceil(s.maxInFlight / s.perSend))
    for (let i = 0; i < calls && failure === undefined; i++) {
      const n = Math.min(s.perSend, s.records - i * s.perSend)
      const sentAt = performance.now()
      const messages = Array.from({ length: n }, () => {
        const value = Buffer.alloc(s.recordSize, 'x')
        value.writeDoubleBE(sentAt, 0)
        return { value }
      })
      const p: Promise<unknown> = producer.send({ topic: s.topic, messages }).catch((err: unknown) => { failure ??= err }).finally(() => inFlight.delete(p))
      inFlight.add(p)
      if (inFlight.size >= window) await Promise.race(inFlight)
    }
    await Promise.all(inFlight)
    if (failure !== undefined) throw failure
    // Every record was acknowledged; the consumer has the timeout to see them all.
    let timer: NodeJS.Timeout | undefined
    await Promise.race([received, new Promise<void>((resolve) => { timer = setTimeout(resolve, ctx.conn.timeoutMs) })])
    clearTimeout(timer)
  } finally {
    stop()
    await producer.close()
    await consumer.close()
  }
  emit(ctx, buildReport('e2e', s.topic, settingsRecord(s), rec, rec.elapsedMs()), opts)
  if (rec.records < s.records) {
    ctx.err(`tributary: only ${rec.records} of ${s.records} records came back within ${ctx.conn.timeoutMs} ms\n  hint: raise --timeout, or check the broker's log\n`)
    return 1
  }
  return 0
}
