import type { ApiDescriptor } from '@tributary/protocol'
import { UnsupportedApiError } from '../errors.js'

/** A broker's advertised range per API key (from its ApiVersions response). */
export type BrokerVersions = ReadonlyMap<number, readonly [number, number]>

/*
 * The versions this client can speak per API. The codec writes every version,
 * but the client code fills in the fields a version needs, so the floor is
 * where our code starts: Produce v3 is the first that carries v2 record
 * batches (KIP-98), Fetch v4 the first that returns them with the
 * last-stable offset. APIs not listed use the codec's full range.
 */
const CLIENT_RANGES: Record<number, readonly [number, number]> = {
  0: [3, 11], // Produce
  1: [4, 17], // Fetch (topic ids from v13, KIP-516)
  2: [1, 10], // ListOffsets
  3: [1, 12], // Metadata
  8: [2, 9], // OffsetCommit
  9: [1, 9], // OffsetFetch (multi-group form from v8)
  18: [0, 3], // ApiVersions
  19: [2, 7], // CreateTopics
  20: [1, 6], // DeleteTopics
  24: [0, 3], // AddPartitionsToTxn (v4+ is the broker-to-coordinator batched form, KIP-890)
  32: [1, 4], // DescribeConfigs
  35: [1, 4] // DescribeLogDirs
}

export function clientRange (api: ApiDescriptor): readonly [number, number] {
  const r = CLIENT_RANGES[api.apiKey]
  if (r === undefined) return [api.minVersion, api.maxVersion]
  return [Math.max(r[0], api.minVersion), Math.min(r[1], api.maxVersion)]
}

/**
 * The highest version both sides speak, as Kafka's clients pick it
 * (NodeApiVersions.latestUsableVersion); an UnsupportedApiError says which
 * ranges failed to meet.
 */
export function negotiateVersion (api: ApiDescriptor, broker: BrokerVersions, nodeId?: number): number {
  const mine = clientRange(api)
  const theirs = broker.get(api.apiKey)
  if (theirs === undefined) throw new UnsupportedApiError(api.apiKey, api.name, mine, undefined, nodeId)
  const max = Math.min(mine[1], theirs[1])
  const min = Math.max(mine[0], theirs[0])
  if (max < min) throw new UnsupportedApiError(api.apiKey, api.name, mine, theirs, nodeId)
  return max
}
