// Shared by the group coordinator's unit tests: a logger that drops
// everything, and group settings with Kafka's defaults (short rebalance
// delay, bounded group sizes) that a test may override.
import type { GroupSettings } from '../../src/groups/settings.js'
import type { Logger } from '../../src/network/index.js'

export const silentLogger: Logger = { child: () => silentLogger, debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }

export function testGroupSettings (overrides: Partial<GroupSettings> = {}): GroupSettings {
  return {
    offsetsTopicPartitions: 50,
    offsetsRetentionMs: 7 * 24 * 3600_000,
    offsetsRetentionCheckIntervalMs: 600_000,
    offsetsCommitTimeoutMs: 5000,
    offsetMetadataMaxBytes: 4096,
    groupInitialRebalanceDelayMs: 0,
    groupMinSessionTimeoutMs: 6000,
    groupMaxSessionTimeoutMs: 1_800_000,
    groupMaxSize: 100,
    rebalanceProtocols: ['classic', 'consumer'],
    consumerSessionTimeoutMs: 45_000,
    consumerHeartbeatIntervalMs: 5000,
    consumerMaxSize: 100,
    consumerAssignors: ['uniform', 'range'],
    ...overrides
  }
}
