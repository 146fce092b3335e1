import { withAdmin } from '../common/admin.js'
import { table, toJson } from '../common/output.js'
import type { Ctx } from '../common/run.js'

/** `tributary group list`: GROUP STATE TYPE PROTOCOL-TYPE COORDINATOR. */
export async function run (ctx: Ctx): Promise<void> {
  const groups = await withAdmin(ctx.conn, async admin => await admin.listGroups())
  ctx.out(ctx.format === 'json'
    ? toJson(groups)
    : table(['group', 'state', 'type', 'protocol-type', 'coordinator'], groups.map(g => [g.groupId, g.state, g.type, g.protocolType, g.coordinator])))
}
