import { withAdmin } from '../common/admin.js'
import { table, toJson } from '../common/output.js'
import type { Ctx } from '../common/run.js'

/** `tributary topic list`: NAME PARTITIONS REPLICAS, internal topics with --internal. */
export async function run (ctx: Ctx, _args: string[], opts: Record<string, unknown>): Promise<void> {
  const rows = await withAdmin(ctx.conn, async admin => {
    const names = await admin.listTopics({ includeInternal: opts.internal === true })
    const infos = names.length === 0 ? [] : await admin.describeTopics(names)
    return infos.map(t => ({ name: t.name, partitions: t.partitions.length, replicas: t.partitions[0]?.replicas.length ?? 0, internal: t.isInternal }))
      .sort((a, b) => a.name.localeCompare(b.name))
  })
  ctx.out(ctx.format === 'json' ? toJson(rows) : table(['name', 'partitions', 'replicas'], rows.map(r => [r.name, r.partitions, r.replicas])))
}
