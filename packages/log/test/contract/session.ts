import assert from 'node:assert/strict'
import { LogError } from '../../src/errors.js'
import { DEFAULT_LOG_CONFIG, type AppendOptions, type AppendResult, type LogConfig, type PartitionLog } from '../../src/types.js'
import { encodeBatch, type TestBatch } from '../helpers/batches.js'
import { equalBytes } from '../helpers/assertions.js'
import { ReferenceLog } from '../helpers/reference-log.js'
import { withTempDir } from '../helpers/temp-dir.js'

/** What an implementation needs to open a log: a directory of its own and a config. */
export interface LogContext {
  dir: string
  config: LogConfig
}

export type OpenLog = (ctx: LogContext) => Promise<PartitionLog>

/** More than any test reads at once. */
export const ALL = 64 * 1024 * 1024

/**
 * Defaults, minus what would let time-based retention delete test data on
 * its own: record timestamps are fixed in the past (T0), not the clock.
 */
export function contractConfig (overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, retentionMs: -1, retentionBytes: -1, ...overrides }
}

/** Segments of about a kilobyte and dense, tiny indexes: rolls and index lookups on almost every step. */
export const SMALL_SEGMENTS: Partial<LogConfig> = { segmentBytes: 1024, indexIntervalBytes: 64, segmentIndexBytes: 96 }

/**
 * One log under test plus the reference model it must match. Appends go to
 * both, so tests state the operations once and compare whole contents.
 */
export class Session {
  readonly ref = new ReferenceLog()

  constructor (public log: PartitionLog, readonly ctx: LogContext, private readonly reopenLog: OpenLog | undefined) {}

  /** Appends `batches` in one call (a fresh buffer each time: the log may rewrite it in place). */
  async append (batches: TestBatch[], options: AppendOptions = {}): Promise<AppendResult> {
    const input = Buffer.concat(batches.map(encodeBatch))
    const result = await this.log.append(Buffer.from(input), options)
    const expected = this.ref.append(batches, {
      leaderEpoch: options.leaderEpoch,
      logAppendTime: options.timestampType === 'LogAppendTime' ? result.logAppendTime : undefined
    })
    assert.equal(result.firstOffset, expected.firstOffset, 'append: firstOffset')
    assert.equal(result.lastOffset, expected.lastOffset, 'append: lastOffset')
    assert.equal(result.batches, batches.length, 'append: batches')
    assert.equal(result.bytes, input.length, 'append: bytes')
    return result
  }

  /** Closes and opens the same directory again. */
  async reopen (): Promise<PartitionLog> {
    if (this.reopenLog === undefined) throw new Error('this implementation has no reopen')
    await this.log.close()
    this.log = await this.reopenLog(this.ctx)
    return this.log
  }

  /** Offsets, high watermark and every stored byte equal the model's. */
  async matchesModel (label = ''): Promise<void> {
    const at = label === '' ? '' : ` (${label})`
    assert.equal(this.log.logStartOffset(), this.ref.logStart, `logStartOffset${at}`)
    assert.equal(this.log.logEndOffset(), this.ref.logEnd, `logEndOffset${at}`)
    assert.equal(this.log.highWatermark, this.ref.highWatermark, `highWatermark${at}`)
    const all = await this.log.read(this.ref.logStart, ALL)
    equalBytes(all.records, this.ref.everything(), `contents${at}`)
    assert.equal(all.nextOffset, this.ref.batches.length === 0 ? this.ref.logStart : this.ref.batches[this.ref.batches.length - 1]!.last + 1n, `nextOffset${at}`)
  }

  /** Every offset from the start to the end, each maxBytes: the read result equals the model's. */
  async readsMatchModel (maxBytesChoices: number[]): Promise<void> {
    for (let offset = this.ref.logStart; offset <= this.ref.logEnd; offset++) {
      for (const maxBytes of maxBytesChoices) {
        const expected = this.ref.read(offset, maxBytes)
        assert.ok(expected !== null)
        const got = await this.log.read(offset, maxBytes)
        equalBytes(got.records, expected.records, `read(${offset}, ${maxBytes}) expected batches ${expected.spans.join(' ')}`)
        assert.equal(got.nextOffset, expected.nextOffset, `read(${offset}, ${maxBytes}).nextOffset`)
      }
    }
  }
}

/**
 * Runs `fn` on a log opened in a fresh directory, then closes the log and
 * removes the directory even when `fn` fails (a close error is then ignored
 * so that it does not hide the first failure).
 */
export async function withSession (
  open: OpenLog, reopen: OpenLog | undefined, overrides: Partial<LogConfig>, fn: (s: Session) => Promise<void>
): Promise<void> {
  await withTempDir('log-contract', async dir => {
    const ctx = { dir, config: contractConfig(overrides) }
    const session = new Session(await open(ctx), ctx, reopen)
    let failed = true
    try {
      await fn(session)
      failed = false
    } finally {
      try {
        await session.log.close()
      } catch (err) {
        // Tests that close the log themselves are not about a second close; 'close may be called twice' is.
        const closedAlready = err instanceof LogError && err.code === 'TRIB_LOG_CLOSED'
        if (!failed && !closedAlready) throw err
      }
    }
  })
}
