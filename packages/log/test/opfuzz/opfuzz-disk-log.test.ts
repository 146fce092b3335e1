import { DiskLog } from '../../src/disk-log.js'
import type { LogConfig } from '../../src/types.js'
import type { Rng } from '../helpers/random.js'
import { realCleaner } from './cleaning.js'
import { fuzzConfig, registerOpfuzz } from './runner.js'

const open = async ({ dir, config }: { dir: string, config: LogConfig }): Promise<DiskLog> => await DiskLog.open(dir, config)

// Restart is close and open of the same directory.
registerOpfuzz({ name: 'DiskLog', open, reopen: open })

const DAY = 24 * 3600 * 1000

/**
 * A compacted topic: small segments, cleaning whenever asked (dirty ratio 0
 * mostly, sometimes a real threshold), no compaction lag, and tombstones
 * that go at the next cleaning (delete.retention.ms 0), after a few steps
 * (seconds; a step is a second of the fuzzer's clock) or never in a sequence.
 */
function compactedConfig (rng: Rng): Partial<LogConfig> {
  return {
    ...fuzzConfig(rng),
    segmentBytes: rng.pick([1024, 2048, 4096]),
    cleanupPolicy: rng.chance(0.5) ? ['compact'] : ['compact', 'delete'],
    minCleanableDirtyRatio: rng.weighted([[0, 3], [0.3, 1], [0.6, 1]] as const),
    minCompactionLagMs: 0,
    deleteRetentionMs: rng.weighted([[0, 2], [rng.int(1, 20) * 1000 + rng.pick([0, 1, 500]), 2], [7 * DAY, 1]] as const)
  }
}

// The real cleaner (src/cleaner) on the disk log, every round checked exactly against Kafka's cleaner semantics.
registerOpfuzz({ name: 'DiskLog compacted by the LogCleaner', open, reopen: open, config: compactedConfig, cleaner: realCleaner }, { sequences: 16, ops: 200 })
