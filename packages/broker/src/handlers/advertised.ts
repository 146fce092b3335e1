import { handlers } from './registry.js'

export interface AdvertisedVersion { apiKey: number, minVersion: number, maxVersion: number }

let cached: AdvertisedVersion[] | undefined

/** The ApiVersions list, derived from the handler registry. */
export function advertisedApiVersions (): AdvertisedVersion[] {
  cached ??= handlers
    .map(h => ({ apiKey: h.api.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
    .sort((a, b) => a.apiKey - b.apiKey)
  return cached
}
