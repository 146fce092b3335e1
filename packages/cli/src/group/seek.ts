import { withAdmin } from '../common/admin.js'
import { CliError, usage } from '../common/errors.js'
import { describeExisting } from '../common/topics.js'
import type { TopicInfo } from '@tributary/client'
import { timestampArg } from '../common/parse.js'
import { table, toJson } from '../common/output.js'
import type { Ctx } from '../common/run.js'
import { groupState } from './state.js'

type Target = { kind: 'earliest' } | { kind: 'latest' } | { kind: 'offset', offset: bigint } | { kind: 'timestamp', ms: number } | { kind: 'shift', by: bigint }

export function parseTarget (to: string | undefined, shiftBy: string | undefined): Target {
  if ((to === undefined) === (shiftBy === undefined)) throw usage('say where to move the offsets: exactly one of --to or --shift-by', 'e.g. --to earliest, --to latest, --to 42, --to @2026-11-22T10:00:00Z, --shift-by -10')
  if (shiftBy !== undefined) {
    if (!/^[+-]?\d+$/.test(shiftBy)) throw usage(`--shift-by '${shiftBy}' is not an integer`)
    return { kind: 'shift', by: BigInt(shiftBy) }
  }
  if (to === 'earliest' || to === 'beginning' || to === 'start') return { kind: 'earliest' }
  if (to === 'latest' || to === 'end') return { kind: 'latest' }
  if (/^\d+$/.test(to!)) return { kind: 'offset', offset: BigInt(to!) }
  if (to!.startsWith('@')) return { kind: 'timestamp', ms: timestampArg(to!.slice(1), '--to') }
  throw usage(`--to '${to!}' is not earliest, latest, an offset or @timestamp`)
}

const clamp = (v: bigint, lo: bigint, hi: bigint): bigint => v < lo ? lo : v > hi ? hi : v

/**
 * `tributary group seek GROUP --to ...|--shift-by N [--topic T[:P,P]] [--execute]`:
 * kafka-consumer-groups.sh --reset-offsets. Prints the plan; only with
 * --execute are the offsets committed, and only while the group has no
 * active members (the coordinator would reject the commit otherwise).
 * New offsets are kept within [log start, log end], as Kafka does.
 */
export async function run (ctx: Ctx, [group]: string[], opts: Record<string, unknown>): Promise<number> {
  const target = parseTarget(opts.to as string | undefined, opts.shiftBy as string | undefined)
  const topicArgs = (opts.topic as string[] | undefined) ?? []
  const execute = opts.execute === true
  const plan = await withAdmin(ctx.conn, async admin => {
    const st = await groupState(admin, group!).catch(async err => {
      // A group that never committed can still be given offsets when topics are named.
      if (topicArgs.length > 0 && err instanceof CliError) return undefined
      throw err
    })
    const current = new Map((st?.partitions ?? []).map(p => [`${p.topic}\0${p.partition}`, p.currentOffset]))
    let tps: Array<{ topic: string, partition: number }>
    if (topicArgs.length > 0) {
      tps = []
      for (const arg of topicArgs) {
        const [topic, parts] = arg.split(':') as [string, string | undefined]
        const [info] = await describeExisting(admin, [topic]) as [TopicInfo]
        const list = parts === undefined ? info.partitions.map(p => p.partition) : parts.split(',').map(Number)
        for (const p of list) if (!Number.isInteger(p) || p < 0 || p >= info.partitions.length) throw usage(`topic '${topic}' has no partition ${p}`)
        tps.push(...list.map(partition => ({ topic, partition })))
      }
    } else {
      tps = (st?.partitions ?? []).filter(p => p.currentOffset !== null).map(p => ({ topic: p.topic, partition: p.partition }))
      if (tps.length === 0) throw usage(`group '${group!}' has no committed offsets to move`, 'name the partitions with --topic TOPIC[:P,P]')
    }
    const rows: Array<{ group: string, topic: string, partition: number, currentOffset: bigint | null, newOffset: bigint }> = []
    const topics = [...new Set(tps.map(t => t.topic))]
    for (const topic of topics) {
      const parts = tps.filter(t => t.topic === topic).map(t => t.partition)
      const lo = await admin.listOffsets(topic, parts.map(partition => ({ partition, spec: 'earliest' as const })))
      const hi = await admin.listOffsets(topic, parts.map(partition => ({ partition, spec: 'latest' as const })))
      const at = target.kind === 'timestamp' ? await admin.listOffsets(topic, parts.map(partition => ({ partition, spec: { timestamp: target.ms } }))) : []
      for (const partition of parts) {
        const min = lo.find(o => o.partition === partition)!.offset
        const max = hi.find(o => o.partition === partition)!.offset
        const cur = current.get(`${topic}\0${partition}`) ?? null
        let next: bigint
        switch (target.kind) {
          case 'earliest': next = min; break
          case 'latest': next = max; break
          case 'offset': next = clamp(target.offset, min, max); break
          case 'timestamp': { const o = at.find(a => a.partition === partition)!.offset; next = o < 0n ? max : o; break }
          case 'shift': next = clamp((cur ?? max) + target.by, min, max); break
        }
        rows.push({ group: group!, topic, partition, currentOffset: cur, newOffset: next })
      }
    }
    if (execute) {
      if (st !== undefined && st.members.length > 0) throw new CliError(`group '${group!}' has ${st.members.length} active member(s); offsets can only be reset while it is inactive`, 1, 'stop its consumers, then run the seek again')
      await admin.alterOffsets(group!, rows.map(r => ({ topic: r.topic, partition: r.partition, offset: r.newOffset })))
    }
    return rows
  })
  if (ctx.format === 'json') ctx.out(toJson({ executed: execute, offsets: plan }))
  else ctx.out(table(['group', 'topic', 'partition', 'current-offset', 'new-offset'], plan.map(r => [r.group, r.topic, r.partition, r.currentOffset, r.newOffset])))
  if (!execute) ctx.err('dry run: nothing changed; add --execute to apply\n')
  return 0
}
