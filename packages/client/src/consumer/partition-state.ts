import type { StartOffset } from './types.js'

/** The consumer's state of one assigned partition. */
export interface PartitionState {
  topic: string
  partition: number
  /** Next offset to fetch; undefined until resolved from `start`, the committed offset or the reset policy. */
  position: bigint | undefined
  /** Offset after the last message handed to the application: what commit() stores. */
  consumed: bigint | undefined
  start: StartOffset | undefined
  paused: boolean
  /** Bumped by seek and pause so that data fetched before is dropped. */
  epoch: number
}

/**
 * A resolved start: fetching begins there, and it counts as the consumed
 * position (Java's position()), so a commit before any message stores it.
 */
export function startAt (s: PartitionState, offset: bigint): void {
  s.position = offset
  s.consumed = offset
  s.start = undefined
}

/** A partition as a fetch round saw it: answers for another epoch are void. */
export interface FetchSnapshot { s: PartitionState, epoch: number, position: bigint }

export const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`
