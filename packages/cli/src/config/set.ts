import { withAdmin } from '../common/admin.js'
import { usage } from '../common/errors.js'
import { keyValues } from '../common/parse.js'
import { table, toJson } from '../common/output.js'
import type { Ctx } from '../common/run.js'
import { resourceOf } from './resource.js'

/**
 * `tributary config set KEY=VALUE... [--delete KEY] [--broker ID | --topic NAME]`:
 * IncrementalAlterConfigs (KIP-339) SET / DELETE, so other dynamic keys stay.
 */
export async function run (ctx: Ctx, pairs: string[], opts: Record<string, unknown>): Promise<void> {
  const set = keyValues(pairs, 'config set')
  const del = (opts.delete as string[] | undefined) ?? []
  const changes = [
    ...Object.entries(set).map(([name, value]) => ({ name, op: 'set' as const, value: value as string | null })),
    ...del.map(name => ({ name, op: 'delete' as const, value: null }))
  ]
  if (changes.length === 0) throw usage('nothing to change', 'pass KEY=VALUE arguments or --delete KEY')
  const resource = await withAdmin(ctx.conn, async admin => {
    const r = await resourceOf(admin, opts)
    await admin.incrementalAlterConfigs([{ ...r, changes }])
    return r
  })
  const rows = changes.map(c => ({ resource: `${resource.type} ${resource.name}`, key: c.name, operation: c.op.toUpperCase(), value: c.value ?? null }))
  ctx.out(ctx.format === 'json' ? toJson(rows) : table(['resource', 'key', 'operation', 'value'], rows.map(r => [r.resource, r.key, r.operation, r.value])))
}
