import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { DiskLog, type DiskLogOptions } from './disk-log.js'
import { GroupCommit } from './flusher.js'
import { fsyncDirectory, fsyncDirectorySync } from './io.js'
import {
  CLEANER_OFFSET_CHECKPOINT, LOG_START_OFFSET_CHECKPOINT, RECOVERY_POINT_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT, partitionKey, readOffsetsCheckpoint,
  writeOffsetsCheckpoint, type OffsetsByPartition
} from './offsets-checkpoint.js'
import type { LogLogger } from './recovery.js'
import { DEFAULT_LOG_CONFIG, type LogConfig } from './types.js'

export interface LogManagerOptions {
  /** log.dirs: one or more directories; a new partition goes to the one holding the fewest. */
  logDirs: readonly string[]
  /** Broker-level defaults (the log.* settings), over DEFAULT_LOG_CONFIG. */
  defaultConfig?: Partial<LogConfig>
  /** Topic-level overrides, asked when a log is opened (and by reconfigure()). */
  topicConfig?: (topic: string) => Partial<LogConfig> | undefined
  /** log.retention.check.interval.ms (Kafka's default 300000); 0 disables the timer (call runRetention()). */
  retentionCheckIntervalMs?: number
  /** log.flush.offset.checkpoint.interval.ms (Kafka's default 60000) for the offset checkpoint files; 0 disables. */
  checkpointIntervalMs?: number
  clock?: () => number
  logger?: LogLogger
  /** Per-log tail cache (DiskLogOptions.tailCacheBytes). */
  tailCacheBytes?: number
}

interface ManagedLog {
  topic: string
  partition: number
  logDir: string
  log: DiskLog
}

/** Suffix of a deleted log's directory (Kafka: `<topic>-<partition>.<id>-delete`), removed later or at the next start. */
const DELETE_DIR_SUFFIX = '-delete'
const MAX_TIMER_MS = 0x7fffffff

/** `<topic>-<partition>`, or null for anything else (deleted, future and stray directories, files). */
export function parsePartitionDir (name: string): { topic: string, partition: number } | null {
  const dash = name.lastIndexOf('-')
  if (dash <= 0) return null
  const partitionField = name.slice(dash + 1)
  if (!/^[0-9]+$/.test(partitionField)) return null
  const topic = name.slice(0, dash)
  if (!/^[a-zA-Z0-9._-]+$/.test(topic)) return null
  return { topic, partition: Number(partitionField) }
}

/**
 * The logs of a broker (Kafka's LogManager): one directory per partition,
 * `<logDir>/<topic>-<partition>`, in one of several log directories.
 *
 * Lifecycle: open() reads each directory's checkpoints, finishes pending
 * deletions and opens every partition log (recovering it from its recovery
 * point after an unclean stop); then logs are created, fetched and deleted
 * on demand, retention runs every log.retention.check.interval.ms and the
 * offset checkpoints are written every checkpointIntervalMs and whenever a
 * log's start offset moves or a truncation lowers its recovery point;
 * close() closes every log (each leaves its clean-shutdown marker) and writes
 * the checkpoints a last time.
 *
 * Checkpoint files per log directory, in Kafka's text format:
 * recovery-point-offset-checkpoint, log-start-offset-checkpoint,
 * replication-offset-checkpoint (high watermarks) and
 * cleaner-offset-checkpoint (compacted logs). A damaged checkpoint
 * costs time, not data: its logs are recovered from offset 0.
 *
 * Concurrency: on the event loop; opening the same partition twice at once
 * yields one log; checkpoint writes are serialized and coalesced.
 */
export class LogManager {
  private readonly logs = new Map<string, ManagedLog>()
  private readonly opening = new Map<string, Promise<DiskLog>>()
  private readonly checkpointer: GroupCommit
  private retentionTimer: NodeJS.Timeout | null = null
  private checkpointTimer: NodeJS.Timeout | null = null
  private readonly deleteTimers = new Set<NodeJS.Timeout>()
  private closed = false
  private readonly clock: () => number
  private readonly logger: LogLogger

  private constructor (private readonly options: LogManagerOptions) {
    this.clock = options.clock ?? Date.now
    this.logger = options.logger ?? { warn: message => process.emitWarning(message, 'TributaryLogWarning') }
    this.checkpointer = new GroupCommit(() => this.writeCheckpoints())
  }

  static async open (options: LogManagerOptions): Promise<LogManager> {
    if (options.logDirs.length === 0) throw new RangeError('log.dirs is empty')
    const manager = new LogManager(options)
    try {
      for (const logDir of options.logDirs) await manager.loadLogDir(logDir)
    } catch (err) {
      await manager.close().catch(() => {})
      throw err
    }
    manager.startTimers()
    return manager
  }

  private async loadLogDir (logDir: string): Promise<void> {
    if (!existsSync(logDir)) mkdirSync(logDir, { recursive: true })
    const checkpoints = await Promise.all([RECOVERY_POINT_CHECKPOINT, LOG_START_OFFSET_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT, CLEANER_OFFSET_CHECKPOINT]
      .map(file => this.readCheckpointOrEmpty(logDir, file)))
    const [recoveryPoints, logStarts, highWatermarks, cleanerOffsets] = checkpoints as [OffsetsByPartition, OffsetsByPartition, OffsetsByPartition, OffsetsByPartition]
    for (const name of readdirSync(logDir)) {
      const path = join(logDir, name)
      if (name.endsWith(DELETE_DIR_SUFFIX)) {
        await rm(path, { recursive: true, force: true })
        continue
      }
      const tp = parsePartitionDir(name)
      if (tp === null || !statSync(path).isDirectory()) continue
      const key = partitionKey(tp.topic, tp.partition)
      if (this.logs.has(key)) {
        this.logger.warn(`${key} exists in two log directories; keeping the first, ignoring ${path}`)
        continue
      }
      const log = await DiskLog.open(path, this.configFor(tp.topic), this.logOptions(key, {
        recoveryPoint: recoveryPoints.get(key),
        logStartOffset: logStarts.get(key),
        highWatermark: highWatermarks.get(key),
        cleanerCheckpoint: cleanerOffsets.get(key)
      }))
      this.logs.set(key, { ...tp, logDir, log })
    }
  }

  private async readCheckpointOrEmpty (logDir: string, file: string): Promise<OffsetsByPartition> {
    try {
      return await readOffsetsCheckpoint(logDir, file)
    } catch (err) {
      this.logger.warn(`${(err as Error).message}; the logs of ${logDir} are recovered without it`)
      return new Map()
    }
  }

  private configFor (topic: string): LogConfig {
    return { ...DEFAULT_LOG_CONFIG, ...this.options.defaultConfig, ...this.options.topicConfig?.(topic) }
  }

  private logOptions (key: string, extra: Partial<DiskLogOptions>): DiskLogOptions {
    return {
      ...extra,
      name: key,
      clock: this.clock,
      logger: this.logger,
      tailCacheBytes: this.options.tailCacheBytes,
      onCheckpointNeeded: () => { if (!this.closed) this.checkpointer.requestInBackground() },
      persistCheckpoints: async () => { if (!this.closed) await this.checkpointer.request() }
    }
  }

  private startTimers (): void {
    const retention = this.options.retentionCheckIntervalMs ?? 300_000
    if (retention > 0) {
      this.retentionTimer = setInterval(() => { this.runRetention().catch(err => this.logger.warn(`retention failed: ${(err as Error).message}`)) }, Math.min(retention, MAX_TIMER_MS))
      this.retentionTimer.unref()
    }
    const checkpoint = this.options.checkpointIntervalMs ?? 60_000
    if (checkpoint > 0) {
      this.checkpointTimer = setInterval(() => this.checkpointer.requestInBackground(), Math.min(checkpoint, MAX_TIMER_MS))
      this.checkpointTimer.unref()
    }
  }

  getLog (topic: string, partition: number): DiskLog | undefined {
    return this.logs.get(partitionKey(topic, partition))?.log
  }

  /** Every open log. */
  allLogs (): Array<{ topic: string, partition: number, logDir: string, log: DiskLog }> {
    return [...this.logs.values()].map(m => ({ ...m }))
  }

  /** The log of a partition, created (in the least loaded log directory) if it does not exist. */
  async getOrCreateLog (topic: string, partition: number, config?: Partial<LogConfig>): Promise<DiskLog> {
    if (this.closed) throw new Error('the log manager is closed')
    const key = partitionKey(topic, partition)
    if (parsePartitionDir(key) === null) throw new RangeError(`invalid topic partition ${JSON.stringify(topic)} ${partition}`)
    const existing = this.logs.get(key)
    if (existing !== undefined) return existing.log
    const pending = this.opening.get(key)
    if (pending !== undefined) return await pending
    const promise = (async () => {
      const logDir = this.leastLoadedDir()
      const path = join(logDir, key)
      const created = !existsSync(path)
      const log = await DiskLog.open(path, { ...this.configFor(topic), ...config }, this.logOptions(key, {}))
      if (created) fsyncDirectorySync(logDir)
      this.logs.set(key, { topic, partition, logDir, log })
      return log
    })()
    this.opening.set(key, promise)
    try {
      return await promise
    } finally {
      this.opening.delete(key)
    }
  }

  private leastLoadedDir (): string {
    const counts = new Map(this.options.logDirs.map(d => [d, 0]))
    for (const m of this.logs.values()) counts.set(m.logDir, (counts.get(m.logDir) ?? 0) + 1)
    let best = this.options.logDirs[0]!
    for (const [dir, n] of counts) if (n < counts.get(best)!) best = dir
    return best
  }

  /**
   * Deletes a partition's log (topic deletion, reassignment away): closes
   * it, renames its directory `<name>.<id>-delete` (durably) and removes it
   * after file.delete.delay.ms; a restart finishes the removal.
   */
  async deleteLog (topic: string, partition: number): Promise<boolean> {
    const key = partitionKey(topic, partition)
    const managed = this.logs.get(key)
    if (managed === undefined) return false
    this.logs.delete(key)
    await managed.log.close()
    // Web Crypto's global: loaded on first use, not at every start as node:crypto would be.
    const renamed = join(managed.logDir, `${key}.${crypto.randomUUID().replace(/-/g, '')}${DELETE_DIR_SUFFIX}`)
    renameSync(managed.log.dir, renamed)
    await fsyncDirectory(managed.logDir)
    const delay = Math.min(Math.max(0, managed.log.config().fileDeleteDelayMs), MAX_TIMER_MS)
    const timer = setTimeout(() => {
      this.deleteTimers.delete(timer)
      rm(renamed, { recursive: true, force: true }).catch(err => this.logger.warn(`cannot remove ${renamed}: ${(err as Error).message}`))
    }, delay)
    timer.unref()
    this.deleteTimers.add(timer)
    await this.checkpointer.request()
    return true
  }

  /** Applies new topic-level configuration to the open logs of `topic`. */
  reconfigure (topic: string): void {
    for (const m of this.logs.values()) if (m.topic === topic) m.log.updateConfig(this.configFor(topic))
  }

  /** One retention pass over every log (what the timer runs); returns the segments deleted. */
  async runRetention (nowMs: number = this.clock()): Promise<number> {
    let deleted = 0
    for (const m of this.logs.values()) deleted += m.log.deleteRetentionSegments(nowMs)
    return deleted
  }

  /** Writes the offset checkpoint files of every log directory now. */
  async checkpoint (): Promise<void> {
    await this.checkpointer.request()
  }

  private async writeCheckpoints (): Promise<void> {
    const byDir = new Map<string, ManagedLog[]>(this.options.logDirs.map(d => [d, []]))
    for (const m of this.logs.values()) byDir.get(m.logDir)?.push(m)
    for (const [logDir, logs] of byDir) {
      const entries = (offset: (log: DiskLog) => bigint): Array<{ topic: string, partition: number, offset: bigint }> =>
        logs.map(m => ({ topic: m.topic, partition: m.partition, offset: offset(m.log) }))
      await writeOffsetsCheckpoint(logDir, RECOVERY_POINT_CHECKPOINT, entries(l => l.recoveryPoint()))
      await writeOffsetsCheckpoint(logDir, LOG_START_OFFSET_CHECKPOINT, entries(l => l.logStartOffset()))
      await writeOffsetsCheckpoint(logDir, REPLICATION_OFFSET_CHECKPOINT, entries(l => l.highWatermark))
      const cleaned = logs.filter(m => m.log.cleanerCheckpoint() !== null)
      await writeOffsetsCheckpoint(logDir, CLEANER_OFFSET_CHECKPOINT, cleaned.map(m => ({ topic: m.topic, partition: m.partition, offset: m.log.cleanerCheckpoint()! })))
    }
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.retentionTimer !== null) clearInterval(this.retentionTimer)
    if (this.checkpointTimer !== null) clearInterval(this.checkpointTimer)
    await Promise.allSettled([...this.opening.values()])
    const results = await Promise.allSettled([...this.logs.values()].map(async m => await m.log.close()))
    await this.checkpointer.idle()
    await this.writeCheckpoints()
    for (const timer of this.deleteTimers) clearTimeout(timer)
    this.deleteTimers.clear()
    const failed = results.find(r => r.status === 'rejected')
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason
  }
}
