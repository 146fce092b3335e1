import type { ManagerFactory } from '../shard.js'
import { ClassicGroupManager } from './manager.js'

export { ClassicGroupManager } from './manager.js'
export type * from './types.js'

/** The classic group type of every coordinator shard (groups/managers.ts). */
export const classicGroups: ManagerFactory = ctx => new ClassicGroupManager(ctx)
