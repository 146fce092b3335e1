import { createWriteStream, type WriteStream } from 'node:fs'
import type { Consumer, ConsumerMessage, StartOffset, TopicPartition } from '@tributary/client'
import { withAdmin } from '../common/admin.js'
import { clientOptions } from '../common/connection.js'
import { usage } from '../common/errors.js'
import { describeExisting } from '../common/topics.js'
import { intArg } from '../common/parse.js'
import { Progress } from '../common/progress.js'
import { onStdoutClosed, type Ctx } from '../common/run.js'
import { compileTemplate, jsonRecord } from './format.js'
import { parseStart, type StartSpec } from './offset.js'

const TICK_MS = 100

function startOffset (s: StartSpec, start: bigint, end: bigint): StartOffset {
  if (s.kind === 'fromEnd') return end - s.count > start ? end - s.count : start
  return s.kind === 'earliest' ? 'earliest' : s.kind === 'latest' ? 'latest' : s.kind === 'offset' ? s.offset : { timestamp: s.ms }
}

const key = (tp: TopicPartition): string => `${tp.topic}\0${tp.partition}`

/**
 * `tributary consume TOPIC...`: without --group the partitions are
 * assigned directly (nothing is committed); with --group the consumer joins
 * the group, starts at its committed offsets (else --offset beginning|end,
 * Kafka's auto.offset.reset) and commits what it printed before leaving.
 * Stops after --num records, at the end of the partitions with --exit (-e,
 * kcat's meaning), after --idle-timeout ms without a record, or on Ctrl-C.
 */
export async function run (ctx: Ctx, topics: string[], opts: Record<string, unknown>): Promise<number> {
  const start = parseStart(opts.offset as string | undefined)
  const num = intArg(opts.num as string | undefined, '--num', 1)
  const idleMs = intArg(opts.idleTimeout as string | undefined, '--idle-timeout', 1)
  const group = opts.group as string | undefined
  const exitAtEnd = opts.exit === true
  const chosen = opts.partitions === undefined ? undefined : String(opts.partitions).split(',').map(Number)
  if (chosen?.some(p => !Number.isInteger(p) || p < 0) === true) throw usage(`--partitions '${String(opts.partitions)}' is not a list of partition numbers`)
  if (group !== undefined && (start?.kind === 'offset' || start?.kind === 'timestamp' || start?.kind === 'fromEnd')) throw usage('with --group, consumption starts at the group\'s committed offsets', 'move them with `tributary group seek`, or use --offset beginning|end for partitions without one')
  if (group !== undefined && chosen !== undefined) throw usage('--partitions cannot be used with --group: the group assigns partitions')
  const protocol = (opts.groupProtocol as string | undefined) ?? 'classic'
  if (protocol !== 'classic' && protocol !== 'consumer') throw usage(`--group-protocol '${protocol}' is not classic or consumer`)
  const raw = ctx.rawFormat
  const render = raw === 'json' ? jsonRecord : compileTemplate(raw === undefined || raw === 'text' ? '%v\\n' : raw.endsWith('\\n') || raw.endsWith('\n') ? raw : raw + '\\n')

  // The partitions, and where each ends now (for --exit).
  const ends = await withAdmin(ctx.conn, async admin => {
    const infos = await describeExisting(admin, topics)
    const out = new Map<string, { tp: TopicPartition, start: bigint, end: bigint }>()
    for (const t of infos) {
      const parts = t.partitions.map(p => p.partition).filter(p => chosen === undefined || chosen.includes(p))
      if (chosen !== undefined) for (const p of chosen) if (p >= t.partitions.length) throw usage(`topic '${t.name}' has no partition ${p}`)
      const latest = await admin.listOffsets(t.name, parts.map(partition => ({ partition, spec: 'latest' as const })))
      const earliest = await admin.listOffsets(t.name, parts.map(partition => ({ partition, spec: 'earliest' as const })))
      for (const l of latest) out.set(key(l), { tp: { topic: t.name, partition: l.partition }, start: earliest.find(e => e.partition === l.partition)?.offset ?? 0n, end: l.offset })
    }
    return out
  })

  const { Consumer } = await import('@tributary/client')
  const consumer: Consumer = new Consumer({
    ...clientOptions(ctx.conn),
    groupId: group,
    groupProtocol: protocol,
    autoOffsetReset: start?.kind === 'latest' ? 'latest' : 'earliest',
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 1000,
    autoCommit: false
  })
  let out: WriteStream | undefined
  const file = opts.output as string | undefined
  if (file !== undefined) out = createWriteStream(file)
  let stdoutGone = false
  const write = (s: string): boolean => out !== undefined ? out.write(s) : stdoutGone || process.stdout.write(s)
  const progress = new Progress(`consuming ${topics.join(',')}`, file !== undefined ? num : undefined, 'records')

  let stop = false
  const onSignal = (): void => { stop = true }
  onStdoutClosed(() => { stdoutGone = true; stop = true })
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  let count = 0
  // What was printed, per partition: the commit covers exactly these (a fetch still pending at exit must not count).
  const printed = new Map<string, { topic: string, partition: number, offset: bigint }>()
  let lastRecordAt = Date.now()
  const reachedEnd = (): boolean => {
    const assigned = consumer.assignment()
    if (assigned.length === 0) return group === undefined
    return assigned.every(tp => {
      const end = ends.get(key(tp))?.end
      const pos = consumer.position(tp)
      return end !== undefined && pos !== undefined && pos >= end
    })
  }
  try {
    if (group !== undefined) await consumer.subscribe(topics)
    else consumer.assign([...ends.values()].map(e => ({ ...e.tp, offset: start === undefined ? 'latest' : startOffset(start, e.start, e.end) })))
    const it = consumer[Symbol.asyncIterator]()
    let pending: Promise<IteratorResult<ConsumerMessage>> | undefined
    while (!stop && (num === undefined || count < num)) {
      if (exitAtEnd && reachedEnd()) break
      if (idleMs !== undefined && Date.now() - lastRecordAt >= idleMs) break
      pending ??= it.next()
      let timer: NodeJS.Timeout | undefined
      const r = await Promise.race([pending, new Promise<'tick'>(resolve => { timer = setTimeout(() => resolve('tick'), TICK_MS) })])
      clearTimeout(timer)
      if (r === 'tick') continue
      pending = undefined
      if (r.done === true) break
      count++
      printed.set(key(r.value), { topic: r.value.topic, partition: r.value.partition, offset: r.value.offset + 1n })
      lastRecordAt = Date.now()
      if (!write(render(r.value)) && out !== undefined) await new Promise<void>(resolve => out!.once('drain', () => resolve()))
      progress.update(count)
    }
    if (group !== undefined && printed.size > 0) await consumer.commit([...printed.values()])
    progress.done()
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await consumer.close()
    if (out !== undefined) await new Promise<void>(resolve => out!.end(resolve))
  }
  if (file !== undefined || ctx.format === 'json' && raw !== 'json') ctx.err(`consumed ${count} record${count === 1 ? '' : 's'}\n`)
  return 0
}
