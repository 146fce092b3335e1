import { ClientStateError } from '../errors.js'

/**
 * Whether the producer runs idempotently (KIP-98). As in the Java client,
 * idempotence is on by default, but when the user did not ask for it
 * explicitly it quietly turns off where it cannot work: with acks other
 * than all, or against a broker that does not serve InitProducerId. An
 * explicit `idempotent: true` in those cases is a configuration error.
 */
export function resolveIdempotence (explicit: boolean | undefined, acks: number, brokerServesInitProducerId: boolean): boolean {
  if (explicit === false) return false
  if (acks !== -1) {
    if (explicit === true) throw new ClientStateError(`idempotence needs acks=-1 (all), not acks=${acks}`)
    return false
  }
  if (!brokerServesInitProducerId) {
    if (explicit === true) throw new ClientStateError('idempotence was requested but the broker does not serve InitProducerId (API key 22); set idempotent: false or leave it unset')
    return false
  }
  return true
}

const MAX_SEQUENCE = 0x7fffffff

/** The producer id and epoch from InitProducerId, and the next sequence number of each partition. */
export class ProducerIdState {
  private readonly sequences = new Map<string, number>()
  constructor (readonly producerId: bigint, readonly producerEpoch: number) {}

  /** The base sequence of a batch of `count` records; sequences wrap at int32 max as Kafka's do. */
  take (topic: string, partition: number, count: number): number {
    const key = `${topic}\u0000${partition}`
    const base = this.sequences.get(key) ?? 0
    const next = base + count
    this.sequences.set(key, next > MAX_SEQUENCE ? next - MAX_SEQUENCE - 1 : next)
    return base
  }
}
