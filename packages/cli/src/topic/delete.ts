import { withAdmin } from '../common/admin.js'
import { table, toJson } from '../common/output.js'
import type { Ctx } from '../common/run.js'

/** `tributary topic delete NAME...`: TOPIC STATUS per name; exit 1 if any failed. */
export async function run (ctx: Ctx, names: string[]): Promise<number> {
  const rows: Array<{ topic: string, status: string }> = []
  await withAdmin(ctx.conn, async admin => {
    for (const name of names) {
      try {
        await admin.deleteTopics([name])
        rows.push({ topic: name, status: 'OK' })
      } catch (err) {
        const e = err as { name?: string, message: string }
        if (e.name === undefined || !/^[A-Z_]+$/.test(e.name)) throw err
        rows.push({ topic: name, status: `${e.name}: ${e.message}` })
      }
    }
  })
  ctx.out(ctx.format === 'json' ? toJson(rows) : table(['topic', 'status'], rows.map(r => [r.topic, r.status])))
  return rows.every(r => r.status === 'OK') ? 0 : 1
}
