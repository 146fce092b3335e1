import { classicGroups } from './classic/index.js'
import { consumerGroupManager } from './consumer/index.js'
import type { ManagerFactory } from './shard.js'

/**
 * The group type state machines every coordinator shard runs: one line per
 * type (classic: groups/classic/, consumer: groups/consumer/).
 */
export const groupManagers: readonly ManagerFactory[] = [
  classicGroups,
  consumerGroupManager
]
