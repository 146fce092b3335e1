/**
 * Every Kafka API's generated codec, and lookup by key. Import this
 * (`@tributary/protocol/apis`) where all APIs are needed; code that needs a
 * few imports them one by one (`@tributary/protocol/apis/metadata`) so that
 * a process does not load the codecs it never uses.
 */
export * from './generated/index.js'
export { apiByKey } from './api-by-key.js'
