/**
 * Kafka's transaction states (TransactionState) with the ids of the
 * `__transaction_state` value, and the transitions the coordinator allows
 * (Kafka's TransactionState.validPreviousStates).
 */
export type TxnState = 'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort' | 'Dead' | 'PrepareEpochFence'

export const stateIds: Readonly<Record<TxnState, number>> = {
  Empty: 0, Ongoing: 1, PrepareCommit: 2, PrepareAbort: 3, CompleteCommit: 4, CompleteAbort: 5, Dead: 6, PrepareEpochFence: 7
}

export function stateById (id: number): TxnState {
  for (const [name, v] of Object.entries(stateIds)) if (v === id) return name as TxnState
  throw new RangeError(`transaction state ${id} is unknown`)
}

const previous: Readonly<Record<TxnState, readonly TxnState[]>> = {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  PrepareAbort: ['Ongoing', 'PrepareEpochFence'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
  Dead: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareEpochFence: ['Ongoing']
}

export function canTransition (from: TxnState, to: TxnState): boolean {
  return previous[to].includes(from)
}

/** States in which the coordinator is still writing markers: other requests get CONCURRENT_TRANSACTIONS. */
export function isCompleting (s: TxnState): boolean {
  return s === 'PrepareCommit' || s === 'PrepareAbort' || s === 'PrepareEpochFence'
}
