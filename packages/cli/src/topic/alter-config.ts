import { withAdmin } from '../common/admin.js'
import { keyValues } from '../common/parse.js'
import { table, toJson } from '../common/output.js'
import { usage } from '../common/errors.js'
import type { Ctx } from '../common/run.js'

/** `tributary topic alter-config NAME --set k=v --delete k`: IncrementalAlterConfigs (KIP-339), so other keys stay. */
export async function run (ctx: Ctx, [name]: string[], opts: Record<string, unknown>): Promise<void> {
  const set = keyValues(opts.set as string[] | undefined, '--set')
  const del = (opts.delete as string[] | undefined) ?? []
  const changes = [
    ...Object.entries(set).map(([n, value]) => ({ name: n, op: 'set' as const, value: value as string | null })),
    ...del.map(n => ({ name: n, op: 'delete' as const, value: null }))
  ]
  if (changes.length === 0) throw usage('nothing to change', 'pass --set key=value or --delete key')
  await withAdmin(ctx.conn, async admin => { await admin.incrementalAlterConfigs([{ type: 'topic', name: name!, changes }]) })
  const rows = changes.map(c => ({ topic: name!, key: c.name, operation: c.op.toUpperCase(), value: c.value ?? null }))
  ctx.out(ctx.format === 'json' ? toJson(rows) : table(['topic', 'key', 'operation', 'value'], rows.map(r => [r.topic, r.key, r.operation, r.value])))
}
