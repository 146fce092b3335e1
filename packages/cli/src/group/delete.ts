import { withAdmin } from '../common/admin.js'
import { table, toJson } from '../common/output.js'
import type { Ctx } from '../common/run.js'

/** `tributary group delete GROUP...`: GROUP STATUS per group (NON_EMPTY_GROUP while members are active); exit 1 if any failed. */
export async function run (ctx: Ctx, groups: string[]): Promise<number> {
  const rows: Array<{ group: string, status: string }> = []
  await withAdmin(ctx.conn, async admin => {
    for (const g of groups) {
      try {
        await admin.deleteGroups([g])
        rows.push({ group: g, status: 'OK' })
      } catch (err) {
        const e = err as { name?: string, message: string }
        if (e.name === undefined || !/^[A-Z_]+$/.test(e.name)) throw err
        rows.push({ group: g, status: `${e.name}: ${e.message}` })
      }
    }
  })
  ctx.out(ctx.format === 'json' ? toJson(rows) : table(['group', 'status'], rows.map(r => [r.group, r.status])))
  return rows.every(r => r.status === 'OK') ? 0 : 1
}
