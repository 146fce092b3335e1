import { createReadStream, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import type { CompressionName, Message, RecordMetadata } from '@tributary/client'
import { clientOptions } from '../common/connection.js'
import { CliError, usage } from '../common/errors.js'
import { intArg } from '../common/parse.js'
import { table, toJson } from '../common/output.js'
import { Progress } from '../common/progress.js'
import type { Ctx } from '../common/run.js'
import { parseHeaders, parseLine, type LineFormat } from './line.js'

const COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
const CHUNK = 500

function causedByUnknownTopic (err: unknown): boolean {
  for (let e = err as { name?: string, cause?: unknown } | undefined, i = 0; e !== undefined && e !== null && i < 5; e = e.cause as typeof e, i++) {
    if (e.name === 'UNKNOWN_TOPIC_OR_PARTITION') return true
  }
  return false
}

function acksOf (v: string | undefined): 0 | 1 | -1 {
  if (v === undefined || v === 'all' || v === '-1') return -1
  if (v === '0') return 0
  if (v === '1') return 1
  throw usage(`--acks '${v}' is not one of all, -1, 0, 1`)
}

/**
 * `tributary produce TOPIC`: one record per line from stdin or --file.
 * Records are sent in chunks so that a large file does not sit in memory,
 * and the report says how many went to each partition and at which offsets.
 */
export async function run (ctx: Ctx, [topic]: string[], opts: Record<string, unknown>): Promise<number> {
  const compression = (opts.compression as string | undefined) ?? 'none'
  if (!COMPRESSIONS.includes(compression)) throw usage(`--compression '${compression}' is not one of ${COMPRESSIONS.join(', ')}`)
  const acks = acksOf(opts.acks as string | undefined)
  const partition = intArg(opts.partition as string | undefined, '--partition')
  const fmt: LineFormat = {
    keySeparator: opts.keySeparator as string | undefined,
    headerSeparator: opts.headerSeparator as string | undefined,
    headers: parseHeaders(((opts.header as string[] | undefined) ?? []).join(','), '-H')
  }
  if (fmt.keySeparator === '' || fmt.headerSeparator === '') throw usage('separators cannot be empty')
  const file = opts.file as string | undefined
  let size: number | undefined
  if (file !== undefined) {
    try {
      size = statSync(file).size
    } catch (err) {
      throw usage(`cannot read ${file}: ${(err as Error).message}`)
    }
  }
  const input = file !== undefined ? createReadStream(file) : process.stdin
  // Typed by hand: say what is expected, as rpk does; nothing is printed when stdin is a pipe.
  if (file === undefined && process.stdin.isTTY === true) ctx.err(`reading records for ${topic!} from stdin, one per line${fmt.keySeparator !== undefined ? ` (key${fmt.keySeparator}value)` : ''}; Ctrl-D to finish\n`)
  const progress = new Progress(`producing to ${topic!}`, size, file !== undefined ? 'bytes' : 'records')

  const { Producer } = await import('@tributary/client')
  const producer = new Producer({ ...clientOptions(ctx.conn), acks, compression: compression as CompressionName, lingerMs: 5, deliveryTimeoutMs: ctx.conn.timeoutMs })
  const byPartition = new Map<number, { records: number, first: bigint, last: bigint }>()
  let count = 0
  let bytes = 0
  const note = (metas: RecordMetadata[]): void => {
    for (const m of metas) {
      const s = byPartition.get(m.partition)
      if (s === undefined) byPartition.set(m.partition, { records: 1, first: m.offset, last: m.offset })
      else { s.records++; if (m.offset < s.first) s.first = m.offset; if (m.offset > s.last) s.last = m.offset }
    }
  }
  try {
    let chunk: Message[] = []
    let lineNo = 0
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNo++
      bytes += Buffer.byteLength(line) + 1
      const p = parseLine(line, fmt, lineNo)
      chunk.push({ key: p.key, value: p.value, headers: p.headers, partition })
      if (chunk.length >= CHUNK) {
        note(await producer.send({ topic: topic!, messages: chunk }))
        count += chunk.length
        chunk = []
        progress.update(size !== undefined ? bytes : count)
      }
    }
    if (chunk.length > 0) {
      note(await producer.send({ topic: topic!, messages: chunk }))
      count += chunk.length
    }
    progress.update(size !== undefined ? bytes : count, true)
    progress.done()
  } catch (err) {
    if (causedByUnknownTopic(err)) throw new CliError(`topic '${topic!}' does not exist and the broker does not create topics on first use`, 1, `create it with \`tributary topic create ${topic!}\``)
    throw err
  } finally {
    await producer.close().catch(() => {})
  }
  const rows = [...byPartition.entries()].sort((a, b) => a[0] - b[0]).map(([p, s]) => ({ partition: p, records: s.records, firstOffset: acks === 0 ? null : s.first, lastOffset: acks === 0 ? null : s.last }))
  if (ctx.format === 'json') ctx.out(toJson({ topic, records: count, partitions: rows }))
  else {
    ctx.out(`produced ${count} record${count === 1 ? '' : 's'} to ${topic!}\n`)
    if (rows.length > 0) ctx.out(table(['partition', 'records', 'first-offset', 'last-offset'], rows.map(r => [r.partition, r.records, r.firstOffset, r.lastOffset])))
  }
  return 0
}
