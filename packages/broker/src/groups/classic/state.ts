// Kafka's classic group states (ClassicGroupState), by the names ListGroups
// and DescribeGroups show, and the transitions the state machine allows.

export type ClassicState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead'

const VALID_PREVIOUS: Record<ClassicState, readonly ClassicState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead']
}

export function canTransition (from: ClassicState, to: ClassicState): boolean {
  return VALID_PREVIOUS[to].includes(from)
}

/** A rebalance may start from these states (those PreparingRebalance may follow). */
export function canRebalance (state: ClassicState): boolean {
  return canTransition(state, 'PreparingRebalance')
}
