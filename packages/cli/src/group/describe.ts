import { withAdmin } from '../common/admin.js'
import { table, toJson } from '../common/output.js'
import type { Ctx } from '../common/run.js'
import { groupState, type GroupState } from './state.js'

/** `orders:0,2 payments:1`: a member's partitions by topic. */
function assignmentText (tps: ReadonlyArray<{ topic: string, partition: number }>): string {
  const byTopic = new Map<string, number[]>()
  for (const tp of tps) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition])
  return [...byTopic].sort((a, b) => a[0].localeCompare(b[0])).map(([t, ps]) => `${t}:${ps.sort((a, b) => a - b).join(',')}`).join(' ') || '-'
}

/**
 * `tributary group describe GROUP...`: a summary (state, coordinator,
 * members, total lag), the members with their assignments, then one row per partition with the columns of
 * kafka-consumer-groups.sh --describe.
 */
export async function run (ctx: Ctx, groups: string[]): Promise<void> {
  const states: GroupState[] = await withAdmin(ctx.conn, async admin => {
    const out: GroupState[] = []
    for (const g of groups) out.push(await groupState(admin, g))
    return out
  })
  if (ctx.format === 'json') { ctx.out(toJson(states.length === 1 ? states[0] : states)); return }
  ctx.out(states.map(s =>
    table(['group', 'coordinator', 'state', 'type', 'protocol', 'members', 'total-lag'], [[s.group, s.coordinator, s.state, s.type, s.protocol, s.members.length, s.totalLag]]) + '\n' +
    (s.members.length === 0 ? '' : table(['member-id', 'client-id', 'host', 'assignment'], s.members.map(m => [m.memberId, m.clientId, m.host, assignmentText(m.assignment)])) + '\n') +
    table(['topic', 'partition', 'current-offset', 'log-end-offset', 'lag', 'member-id', 'client-id', 'host'],
      s.partitions.map(p => [p.topic, p.partition, p.currentOffset, p.logEndOffset, p.lag, p.memberId, p.clientId, p.host]))
  ).join('\n'))
}
