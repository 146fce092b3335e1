import { withAdmin } from '../common/admin.js'
import { keyValues } from '../common/parse.js'
import { table, toJson } from '../common/output.js'
import type { Ctx } from '../common/run.js'

/** `tributary topic create NAME...`: one CreateTopics per name so each gets its own STATUS (rpk's TOPIC STATUS table); exit 1 if any failed. */
export async function run (ctx: Ctx, names: string[], opts: Record<string, unknown>): Promise<number> {
  const configs = keyValues(opts.config as string[] | undefined, '--config')
  const numPartitions = opts.partitions === undefined ? -1 : Number(opts.partitions)
  const replicationFactor = opts.replicas === undefined ? -1 : Number(opts.replicas)
  const rows: Array<{ topic: string, status: string, partitions?: number, topicId?: string }> = []
  await withAdmin(ctx.conn, async admin => {
    for (const name of names) {
      try {
        const [created] = await admin.createTopics([{ name, numPartitions, replicationFactor, configs }])
        rows.push({ topic: name, status: 'OK', partitions: created?.numPartitions, topicId: created?.topicId })
      } catch (err) {
        const e = err as { name?: string, message: string }
        if (e.name === 'TOPIC_ALREADY_EXISTS' && opts.ifNotExists === true) rows.push({ topic: name, status: 'OK (exists)' })
        // A Kafka error about this topic is its STATUS; anything else (no connection) ends the command.
        else if (e.name !== undefined && /^[A-Z][A-Z_]+$/.test(e.name)) rows.push({ topic: name, status: `${e.name}: ${e.message}` })
        else throw err
      }
    }
  })
  ctx.out(ctx.format === 'json' ? toJson(rows) : table(['topic', 'status'], rows.map(r => [r.topic, r.status])))
  return rows.every(r => r.status.startsWith('OK')) ? 0 : 1
}
