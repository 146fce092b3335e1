/**
 * Every Kafka API's generated codec, and lookup by key. Import this
 * (`@tributary/protocol/apis`) where all APIs are needed; code that needs a
 * few imports them one by one (`@tributary/protocol/apis/metadata`) so that
 * a process does not load the codecs it never uses.
 */
import type { ApiDescriptor } from './api-descriptor.js'
import { allApis } from './generated/index.js'

export * from './generated/index.js'

const byKey: (ApiDescriptor | undefined)[] = []
for (const api of allApis) byKey[api.apiKey] = api

/** The generated descriptor of an API key, or undefined for keys Kafka does not define. */
export function apiByKey (apiKey: number): ApiDescriptor | undefined {
  return apiKey >= 0 ? byKey[apiKey] : undefined
}
