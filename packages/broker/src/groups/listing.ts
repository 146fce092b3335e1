import type { GroupCoordinator } from './coordinator.js'
import type { GroupListing } from './group-manager.js'

/**
 * Every group this coordinator knows, for ListGroups: those of the group
 * managers, and groups that exist only through committed offsets (simple
 * commits, or groups whose members are all gone), which Kafka lists as
 * Empty classic groups with no protocol type.
 */
export function listGroups (coordinator: GroupCoordinator): GroupListing[] {
  const out: GroupListing[] = []
  for (const shard of coordinator.activeShards()) {
    const seen = new Set<string>()
    for (const m of shard.managers) {
      for (const g of m.list()) { out.push(g); seen.add(g.groupId) }
    }
    for (const groupId of shard.offsets.groupIds()) {
      if (!seen.has(groupId)) out.push({ groupId, protocolType: '', state: 'Empty', type: 'classic' })
    }
  }
  return out
}

/** ListGroups v4 states filter and v5 types filter (KIP-518, KIP-848): case-insensitive, empty = all. */
export function matchesFilters (g: GroupListing, states: readonly string[], types: readonly string[]): boolean {
  if (states.length > 0 && !states.some(s => s.toLowerCase() === g.state.toLowerCase())) return false
  if (types.length > 0 && !types.some(t => t.toLowerCase() === g.type)) return false
  return true
}
