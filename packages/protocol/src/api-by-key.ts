/**
 * Lookup of every API's generated descriptor by key, on its own entry point
 * (`@tributary/protocol/apis/by-key`). A module that wants only this can
 * load it with import() without making a bundler build the namespace object
 * of `@tributary/protocol/apis` (over a thousand exports, each a getter
 * defined at start-up in the CommonJS bundle of `tributary start`).
 */
import type { ApiDescriptor } from './api-descriptor.js'
import { allApis } from './generated/index.js'

const byKey: (ApiDescriptor | undefined)[] = []
for (const api of allApis) byKey[api.apiKey] = api

/** The generated descriptor of an API key, or undefined for keys Kafka does not define. */
export function apiByKey (apiKey: number): ApiDescriptor | undefined {
  return apiKey >= 0 ? byKey[apiKey] : undefined
}
