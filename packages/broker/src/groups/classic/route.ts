import { ErrorCode } from '@tributary/protocol'
import type { GroupCoordinator } from '../coordinator.js'
import type { GroupType } from '../group-manager.js'
import type { GroupShard } from '../shard.js'
import { ClassicGroupManager } from './manager.js'

/**
 * Where a classic group request goes: the shard and its classic manager;
 * or the Kafka error code (no coordinator, not this broker's group,
 * still loading); or the type the group id already has when it is not a
 * classic group (each API answers that its own way, as Kafka does).
 */
export type ClassicRoute =
  | { shard: GroupShard, manager: ClassicGroupManager, otherType?: undefined, errorCode?: undefined }
  | { shard: GroupShard, manager: ClassicGroupManager, otherType: GroupType, errorCode?: undefined }
  | { errorCode: number, shard?: undefined, manager?: undefined, otherType?: undefined }

export function routeClassic (groups: GroupCoordinator | undefined, groupId: string): ClassicRoute {
  if (groups === undefined) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
  const lookup = groups.shardFor(groupId)
  if (lookup.shard === undefined) return { errorCode: lookup.errorCode }
  const manager = lookup.shard.manager('classic')
  // group.coordinator.rebalance.protocols without "classic": Kafka answers the classic APIs as if there were no coordinator.
  if (!(manager instanceof ClassicGroupManager)) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
  const type = lookup.shard.groupType(groupId)
  if (type !== undefined && type !== 'classic') return { shard: lookup.shard, manager, otherType: type }
  return { shard: lookup.shard, manager }
}

/** Kafka's form of a member's client host: the address with a leading slash (InetAddress.toString). */
export function clientHostOf (remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return ''
  return '/' + (remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress)
}
