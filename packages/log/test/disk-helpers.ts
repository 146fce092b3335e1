import { CompressionCodec, encodeRecordBatchSync, readBatchHeader, splitBatches } from '@tributary/protocol'
import { DiskLog, type DiskLogOptions } from '../src/disk-log.js'
import type { LogConfig } from '../src/types.js'
import { T0 } from './helpers/batches.js'

/** Shared bits of the disk-*.test.ts and recovery-*.test.ts files. */

export const quiet = { warn: (): void => {} }

/** A batch of `n` records with the given timestamps (T0 + delta), as a producer sends it. */
export function batchOf (n: number, opts: { tag?: string, deltas?: number[], compression?: CompressionCodec, valueBytes?: number } = {}): Buffer {
  const tag = opts.tag ?? 'r'
  return encodeRecordBatchSync({
    compression: opts.compression ?? CompressionCodec.NONE,
    records: Array.from({ length: n }, (_, i) => ({
      key: Buffer.from(`${tag}-${i}`),
      value: Buffer.alloc(opts.valueBytes ?? 32, `${tag}${i}`),
      timestamp: T0 + BigInt(opts.deltas?.[i] ?? i)
    }))
  })
}

export async function openLog (dir: string, config: Partial<LogConfig> = {}, options: DiskLogOptions = {}): Promise<DiskLog> {
  return await DiskLog.open(dir, { retentionMs: -1, ...config }, { logger: quiet, ...options })
}

/** "base-last" of each batch in a read result. */
export function spansOf (records: Buffer): string[] {
  const { batches, leftover } = splitBatches(records)
  if (leftover.length > 0) throw new Error('partial batch in a read result')
  return batches.map(b => {
    const h = readBatchHeader(b)
    return `${h.baseOffset}-${h.baseOffset + BigInt(h.lastOffsetDelta)}`
  })
}

/** Every batch of the log, read one at a time. */
export async function allBatches (log: DiskLog): Promise<Buffer[]> {
  const out: Buffer[] = []
  let offset = log.logStartOffset()
  while (offset < log.logEndOffset()) {
    const r = await log.read(offset, 1)
    if (r.records.length === 0) break
    out.push(Buffer.from(r.records))
    offset = r.nextOffset
  }
  return out
}

/** Polls `condition` every 5 ms until it holds; fails after `timeoutMs` (background work in tests is bounded, never timed). */
export async function waitFor (condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}
