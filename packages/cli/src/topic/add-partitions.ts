import { withAdmin } from '../common/admin.js'
import { intArg } from '../common/parse.js'
import { usage } from '../common/errors.js'
import { describeExisting } from '../common/topics.js'
import type { TopicInfo } from '@tributary/client'
import { table, toJson } from '../common/output.js'
import type { Ctx } from '../common/run.js'

/** `tributary topic add-partitions NAME --num N`: adds N partitions (rpk's meaning), CreatePartitions with the new total. */
export async function run (ctx: Ctx, [name]: string[], opts: Record<string, unknown>): Promise<void> {
  const add = intArg(opts.num as string | undefined, '--num', 1)
  if (add === undefined) throw usage('how many partitions to add?', 'pass --num N')
  const res = await withAdmin(ctx.conn, async admin => {
    const [info] = await describeExisting(admin, [name!]) as [TopicInfo]
    const before = info.partitions.length
    await admin.createPartitions([{ topic: name!, count: before + add }])
    return { topic: name!, before, after: before + add }
  })
  ctx.out(ctx.format === 'json' ? toJson(res) : table(['topic', 'partitions-before', 'partitions-after'], [[res.topic, res.before, res.after]]))
}
