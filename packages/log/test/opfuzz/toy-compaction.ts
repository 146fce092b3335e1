import { TimestampType, decodeRecordBatchSync, encodeRecordBatchSync } from '@tributary/protocol'
import { MemoryLog, emptyMemoryLogState, type MemoryLogState } from '../../src/memory-log.js'
import type { LogConfig } from '../../src/types.js'

/*
 * A deliberately tiny compaction over a MemoryLog's state. It exists only
 * so that the fuzzer's compaction step (its checks and the model taking
 * over the compacted contents) is itself tested before the real cleaner is
 * hooked in. It keeps the latest record of every key in all batches but the
 * last few (standing in for the active segment), re-encoding the batches
 * it changes with their base offset and offset range, and drops batches
 * left empty.
 */

export type ToyFlaw = 'none' | 'drops-latest' | 'changes-value'

export function toyCompact (state: MemoryLogState, activeBatches: number, flaw: ToyFlaw): void {
  const latest = new Map<string, bigint>()
  for (const b of state.batches) {
    for (const r of decodeRecordBatchSync(b.bytes).records) latest.set(r.key?.toString('latin1') ?? '', r.offset)
  }
  const cleanable = Math.max(0, state.batches.length - activeBatches)
  let flawed = false
  const cleaned = state.batches.slice(0, cleanable).flatMap(b => {
    const { header, records } = decodeRecordBatchSync(b.bytes)
    const kept = records.filter(r => {
      const isLatest = latest.get(r.key?.toString('latin1') ?? '') === r.offset
      if (isLatest && flaw === 'drops-latest' && !flawed && r.value !== null && r.offset >= state.logStartOffset) {
        flawed = true
        return false
      }
      return isLatest
    })
    if (kept.length === records.length && flaw !== 'changes-value') return [b]
    if (kept.length === 0) return []
    const logAppendTime = header.timestampType === TimestampType.LOG_APPEND_TIME
    const bytes = encodeRecordBatchSync({
      baseOffset: header.baseOffset,
      partitionLeaderEpoch: header.partitionLeaderEpoch,
      compression: header.compression,
      timestampType: header.timestampType,
      producerId: header.producerId,
      producerEpoch: header.producerEpoch,
      baseSequence: header.baseSequence,
      baseTimestamp: header.baseTimestamp,
      lastOffsetDelta: header.lastOffsetDelta,
      ...(logAppendTime ? { maxTimestamp: header.maxTimestamp } : {}),
      records: kept.map((r, i) => ({
        key: r.key,
        value: flaw === 'changes-value' && i === 0 && r.value !== null ? Buffer.concat([r.value, Buffer.from('!')]) : r.value,
        headers: r.headers,
        offsetDelta: r.offsetDelta,
        timestamp: header.baseTimestamp + r.timestampDelta
      }))
    })
    return [{ baseOffset: b.baseOffset, lastOffset: b.lastOffset, bytes }]
  })
  state.batches = [...cleaned, ...state.batches.slice(cleanable)]
}

/** A MemoryLog with a compact() method, found by the fuzzer the way it will find DiskLog's. */
export class ToyCompactingLog extends MemoryLog {
  constructor (config: LogConfig, private readonly shared: MemoryLogState, private readonly flaw: ToyFlaw) {
    super(config, shared)
  }

  async compact (): Promise<void> {
    toyCompact(this.shared, 2, this.flaw)
  }
}

/** open/reopen for the fuzzer, one state per directory as in helpers/memory-logs.ts. */
export function toyCompactingLogs (flaw: ToyFlaw): {
  open: (ctx: { dir: string, config: LogConfig }) => Promise<ToyCompactingLog>
  reopen: (ctx: { dir: string, config: LogConfig }) => Promise<ToyCompactingLog>
} {
  const states = new Map<string, MemoryLogState>()
  return {
    open: async ({ dir, config }) => {
      const state = emptyMemoryLogState()
      states.set(dir, state)
      return new ToyCompactingLog(config, state, flaw)
    },
    reopen: async ({ dir, config }) => new ToyCompactingLog(config, states.get(dir)!, flaw)
  }
}
