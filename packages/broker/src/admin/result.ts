/**
 * The outcome of one admin operation on one resource (a topic, a config
 * resource): a value, or a Kafka error code with the message Kafka would
 * send (null where Kafka sends none).
 */
export type AdminResult<T> =
  | { readonly ok: true, readonly value: T }
  | { readonly ok: false, readonly errorCode: number, readonly message: string | null }

export function ok<T> (value: T): AdminResult<T> {
  return { ok: true, value }
}

export function fail<T = never> (errorCode: number, message: string | null): AdminResult<T> {
  return { ok: false, errorCode, message }
}
