import { ErrorCode, KafkaError } from '@tributary/protocol'

/*
 * Errors in layers (DESIGN.md R9): Kafka's own codes arrive as `KafkaError`
 * (code, name, retriable, from the protocol package's table), and the
 * client's own failures are `ClientError`s with stable `TRIB_CLIENT_*`
 * codes. Both carry `retriable`, which is all the retry loop looks at.
 */
export { KafkaError }

export class ClientError extends Error {
  readonly code: string
  readonly retriable: boolean
  constructor (code: string, message: string, retriable: boolean, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.retriable = retriable
    this.name = new.target.name
  }
}

/** The TCP connection failed or closed before the response came: retriable, as Kafka's NetworkException. */
export class ConnectionError extends ClientError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('TRIB_CLIENT_CONNECTION', message, true, options)
  }
}

/** No response within the request timeout (Kafka's `request.timeout.ms`): retriable. */
export class RequestTimeoutError extends ClientError {
  constructor (message: string) {
    super('TRIB_CLIENT_REQUEST_TIMEOUT', message, true)
  }
}

/** The client and the broker share no version of an API (or the broker does not serve it). */
export class UnsupportedApiError extends ClientError {
  readonly apiKey: number
  readonly apiName: string
  readonly clientRange: readonly [number, number]
  readonly brokerRange: readonly [number, number] | undefined
  constructor (apiKey: number, apiName: string, clientRange: readonly [number, number], brokerRange: readonly [number, number] | undefined, nodeId?: number) {
    const where = nodeId === undefined ? 'the broker' : `broker ${nodeId}`
    super('TRIB_CLIENT_UNSUPPORTED_API', brokerRange === undefined
      ? `${where} does not serve ${apiName} (API key ${apiKey}); this client needs versions ${clientRange[0]}-${clientRange[1]}`
      : `${where} serves ${apiName} versions ${brokerRange[0]}-${brokerRange[1]}, this client speaks ${clientRange[0]}-${clientRange[1]}: no common version`, false)
    this.apiKey = apiKey
    this.apiName = apiName
    this.clientRange = clientRange
    this.brokerRange = brokerRange
  }
}

/** The client was used after close(), or was given options it cannot honour. */
export class ClientStateError extends ClientError {
  constructor (message: string) {
    super('TRIB_CLIENT_STATE', message, false)
  }
}

/** Retries were exhausted (or the total timeout passed); `cause` is the last error. */
export class RetriesExhaustedError extends ClientError {
  readonly attempts: number
  constructor (what: string, attempts: number, cause: unknown) {
    const last = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
    super('TRIB_CLIENT_RETRIES_EXHAUSTED', `${what} failed after ${attempts} attempts; last error ${last}`, false, { cause })
    this.attempts = attempts
  }
}

/** Whether an error is worth another attempt. */
export function isRetriableError (err: unknown): boolean {
  return (err instanceof KafkaError || err instanceof ClientError) && err.retriable
}

/** Throws the KafkaError of a non-zero code, with context. */
export function throwIfError (errorCode: number, context: string, message?: string | null): void {
  if (errorCode !== 0) throw KafkaError.fromCode(errorCode, `${context}: ${message ?? KafkaError.fromCode(errorCode).message}`)
}

/**
 * A transactional call made in the wrong state: a send outside a
 * transaction, beginTransaction twice, commit without begin, a
 * transactional call before initTransactions() (Kafka's IllegalStateException).
 */
export class TransactionStateError extends ClientError {
  constructor (message: string) {
    super('TRIB_CLIENT_TXN_STATE', message, false)
  }
}

/**
 * A newer producer with the same transactional id took over (PRODUCER_FENCED
 * or INVALID_PRODUCER_EPOCH, KIP-98/KIP-588). Fatal: this producer can only
 * be closed; `cause` is the broker's KafkaError.
 */
export class ProducerFencedError extends ClientError {
  constructor (message: string, cause: unknown) {
    super('TRIB_CLIENT_PRODUCER_FENCED', message, false, { cause })
  }
}

/** Error codes that fence a transactional producer for good. */
export function isFencingError (err: unknown): boolean {
  return err instanceof KafkaError && (err.code === ErrorCode.PRODUCER_FENCED || err.code === ErrorCode.INVALID_PRODUCER_EPOCH)
}
