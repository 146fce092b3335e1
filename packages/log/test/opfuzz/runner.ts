import { describe, test } from 'node:test'
import type { LogConfig, PartitionLog } from '../../src/types.js'
import { contractConfig, type OpenLog } from '../contract/session.js'
import { Rng, intFromEnv, seedsFromEnv } from '../helpers/random.js'
import { ReferenceLog } from '../helpers/reference-log.js'
import { withTempDir } from '../helpers/temp-dir.js'
import { applyOp, checkEverything, checkState, type Applied } from './apply.js'
import type { FuzzCleaner } from './cleaning.js'
import { describeOp, genOp, type GenState } from './ops.js'

/*
 * The operation fuzzer (DESIGN.md §3, R7, after Redpanda's storage/opfuzz):
 * seeded random sequences of every log operation, each checked against
 * ReferenceLog right after it runs. A failure names the seed, the config
 * and every step up to the failing one; TRIB_OPFUZZ_SEED=<seed> replays it.
 *
 * With a real cleaner (FuzzTarget.cleaner), the compaction step runs a
 * cleaning round of src/cleaner's LogCleaner and checks its outcome exactly
 * against helpers/compaction-model.ts (cleaning.ts); a toy compaction is
 * checked only for what compaction may do (apply.ts, checkCompaction).
 *
 * Environment: TRIB_OPFUZZ_SEQUENCES (sequences per implementation),
 * TRIB_OPFUZZ_OPS (steps per sequence), TRIB_OPFUZZ_SEED (run one seed),
 * TRIB_OPFUZZ_BASE_SEED (derive a different set of seeds).
 */

export interface FuzzTarget {
  name: string
  open: OpenLog
  /** Opens the directory of a closed log again; enables the restart step. */
  reopen?: OpenLog
  /**
   * Runs one compaction of `log`. Default: `log.compact()` when the
   * implementation has such a method, else compaction steps are left out.
   */
  compact?: (log: PartitionLog) => Promise<unknown>
  /**
   * A real log cleaner for one sequence, drawn from its seed after the
   * config (the log must implement CompactableLog). Compaction steps then
   * run cleaning rounds checked exactly (cleaning.ts); `compact` is ignored.
   */
  cleaner?: (rng: Rng) => FuzzCleaner
  /** Config overrides for one sequence, drawn from its seed. Default: fuzzConfig. */
  config?: (rng: Rng) => Partial<LogConfig>
}

/** Small segments and indexes, so that rolls and index lookups happen all the time. */
export function fuzzConfig (rng: Rng): Partial<LogConfig> {
  const config: Partial<LogConfig> = {
    segmentBytes: rng.pick([1024, 4096, 16384]),
    indexIntervalBytes: rng.pick([1, 64, 512, 4096]),
    segmentIndexBytes: rng.pick([64, 120, 1024, 10 * 1024 * 1024])
  }
  if (rng.chance(0.3)) Object.assign(config, { flushPolicy: 'pagecache', flushMessages: rng.int(1, 50), flushMs: 1000 })
  return config
}

function compactionOf (target: FuzzTarget, log: PartitionLog): ((log: PartitionLog) => Promise<unknown>) | undefined {
  if (target.compact !== undefined) return target.compact
  const candidate = (log as { compact?: unknown }).compact
  if (typeof candidate !== 'function') return undefined
  return async l => await (l as unknown as { compact: () => Promise<unknown> }).compact()
}

function failureReport (target: FuzzTarget, seed: number, step: number, ops: number, overrides: Partial<LogConfig>,
  cleaner: FuzzCleaner | undefined, trace: string[], model: ReferenceLog, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  // Where an unexpected exception came from (an assertion's stack only points at the check).
  const origin = err instanceof Error && !(err.name.startsWith('AssertionError')) && err.stack !== undefined
    ? [`stack: ${err.stack.split('\n').slice(1, 8).map(l => l.trim()).join(' <- ')}`]
    : []
  const spans = model.batches.map(b => `${b.base}-${b.last}`)
  const shown = spans.length > 40 ? [...spans.slice(0, 10), '...', ...spans.slice(-30)] : spans
  return [
    `opfuzz ${target.name}: seed ${seed} failed at step #${step} of ${ops}`,
    `config overrides: ${JSON.stringify(overrides)}`,
    ...(cleaner === undefined ? [] : [`cleaner: offsetMapBytes=${cleaner.offsetMapBytes} keyless=${cleaner.keyless} sliceMs=${cleaner.sliceMs}`]),
    `error: ${message}`,
    ...origin,
    `model at the failure: logStart=${model.logStart} logEnd=${model.logEnd} highWatermark=${model.highWatermark} ` +
      `cleanerCheckpoint=${model.cleanerCheckpoint} batches ${shown.join(' ')}`,
    'steps:',
    ...trace.map(line => `  ${line}`),
    `replay: TRIB_OPFUZZ_SEED=${seed} TRIB_OPFUZZ_OPS=${ops} node --test <this test file>`
  ].join('\n')
}

/** Runs one sequence of `ops` steps from `seed`; throws the failure report on the first mismatch. */
export async function runSequence (target: FuzzTarget, seed: number, ops: number): Promise<void> {
  const rng = new Rng(seed)
  const overrides = (target.config ?? fuzzConfig)(rng)
  const config = contractConfig(overrides)
  const cleaner = target.cleaner?.(rng)
  await withTempDir('opfuzz', async dir => {
    const ctx = { dir, config }
    const model = new ReferenceLog()
    const trace: string[] = []
    let log = await target.open(ctx)
    const compact = cleaner === undefined ? compactionOf(target, log) : undefined
    const g: GenState = {
      step: 0,
      leaderEpoch: 0,
      maxAppendBytes: config.segmentBytes,
      canRestart: target.reopen !== undefined,
      canCompact: compact !== undefined || cleaner !== undefined,
      realCleaner: cleaner !== undefined,
      cleanerNow: 0
    }
    const applied: Applied = { log, ctx, reopen: target.reopen, compact, ...(cleaner === undefined ? {} : { cleaner }) }
    let step = 0
    try {
      for (; step < ops; step++) {
        g.step = step
        const op = genOp(rng, model, g)
        trace.push(`#${step} ${describeOp(op)}`)
        await applyOp(applied, model, op)
        await checkState(applied.log, model)
        if (step % 25 === 24) await checkEverything(applied.log, model, rng)
      }
      trace.push('final: every read and time query, then a restart and again')
      await checkEverything(applied.log, model, rng)
      if (target.reopen !== undefined) {
        await applyOp(applied, model, { kind: 'restart' })
        await checkState(applied.log, model)
        await checkEverything(applied.log, model, rng)
      }
    } catch (err) {
      const report = failureReport(target, seed, step, ops, overrides, cleaner, trace, model, err)
      throw Object.assign(new Error(report, { cause: err }), { stack: report })
    } finally {
      log = applied.log
      await log.close().catch(() => {})
    }
  })
}

/** Registers one node:test test per seed under `opfuzz: <name>`. */
export function registerOpfuzz (target: FuzzTarget, defaults: { sequences: number, ops: number } = { sequences: 40, ops: 200 }): void {
  const seeds = seedsFromEnv('OPFUZZ', intFromEnv('TRIB_OPFUZZ_SEQUENCES', defaults.sequences))
  const ops = intFromEnv('TRIB_OPFUZZ_OPS', defaults.ops)
  describe(`opfuzz: ${target.name}`, () => {
    for (const seed of seeds) {
      test(`seed ${seed}, ${ops} steps`, { timeout: 120_000 }, () => runSequence(target, seed, ops))
    }
  })
}
