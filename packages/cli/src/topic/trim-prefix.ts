import { withAdmin } from '../common/admin.js'
import { usage } from '../common/errors.js'
import { describeExisting } from '../common/topics.js'
import type { TopicInfo } from '@tributary/client'
import { table, toJson } from '../common/output.js'
import type { Ctx } from '../common/run.js'

/**
 * `tributary topic trim-prefix NAME --offset N|end [-p P,...]`: deletes the
 * records before offset N (DeleteRecords: the log start offset moves up),
 * in every partition unless -p names some. `end` empties the partitions.
 */
export async function run (ctx: Ctx, [name]: string[], opts: Record<string, unknown>): Promise<void> {
  const raw = opts.offset as string | undefined
  if (raw === undefined) throw usage('trim up to which offset?', 'pass --offset N (or --offset end)')
  if (raw !== 'end' && !/^\d+$/.test(raw)) throw usage(`--offset '${raw}' is neither a number nor 'end'`)
  const offset = raw === 'end' ? -1n : BigInt(raw)
  const res = await withAdmin(ctx.conn, async admin => {
    const [info] = await describeExisting(admin, [name!]) as [TopicInfo]
    const chosen = opts.partitions === undefined ? info.partitions.map(p => p.partition) : String(opts.partitions).split(',').map(Number)
    for (const p of chosen) if (!Number.isInteger(p) || p < 0 || p >= info.partitions.length) throw usage(`topic '${name!}' has no partition ${p}`)
    return await admin.deleteRecords(name!, chosen.map(partition => ({ partition, offset })))
  })
  const rows = res.sort((a, b) => a.partition - b.partition).map(r => ({ topic: name!, partition: r.partition, logStartOffset: r.lowWatermark }))
  ctx.out(ctx.format === 'json' ? toJson(rows) : table(['topic', 'partition', 'new-log-start-offset'], rows.map(r => [r.topic, r.partition, r.logStartOffset])))
}
