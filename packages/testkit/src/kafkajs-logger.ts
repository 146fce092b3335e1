/**
 * A kafkajs `logCreator` that drops every entry, so that a suite which
 * provokes errors on purpose does not fill the test output. kafkajs calls
 * the creator with a level and expects back a function of one log entry;
 * typed structurally so the testkit does not depend on kafkajs.
 */
export function silentKafkaJsLogCreator (_level: number): (entry: unknown) => void {
  return () => {}
}

/** kafkajs' `logLevel.NOTHING`, for `new Kafka({ logLevel })`. */
export const KAFKAJS_LOG_NOTHING = 0
