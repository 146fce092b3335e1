/**
 * Errors the CLI reports as one `tributary: ...` line with a hint on what to
 * do, and the exit codes scripts can rely on:
 * 0 success, 1 a failure reported by the cluster or while running,
 * 2 a usage mistake, 3 the cluster could not be reached.
 */
export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
export const EXIT_UNREACHABLE = 3

export class CliError extends Error {
  constructor (message: string, readonly exitCode: number = EXIT_FAILURE, readonly hint?: string) {
    super(message)
  }
}

export function usage (message: string, hint?: string): CliError {
  return new CliError(message, EXIT_USAGE, hint)
}

interface ErrorLike { name?: string, code?: unknown, message?: string, cause?: unknown }

/** The innermost client error (RetriesExhaustedError wraps the last attempt's). */
function root (err: unknown): ErrorLike {
  let e = err as ErrorLike
  for (let i = 0; i < 5 && e?.cause !== undefined && e.cause !== null; i++) e = e.cause as ErrorLike
  return e
}

/** Hints for Kafka errors users meet at the command line. */
const KAFKA_HINTS: Record<string, string> = {
  TOPIC_ALREADY_EXISTS: 'pick another name, or delete it first with `tributary topic delete`',
  UNKNOWN_TOPIC_OR_PARTITION: 'list topics with `tributary topic list`',
  NON_EMPTY_GROUP: 'stop the group\'s consumers first (`tributary group describe` shows them)',
  GROUP_ID_NOT_FOUND: 'list groups with `tributary group list`',
  INVALID_PARTITIONS: 'the partition count can only grow',
  INVALID_CONFIG: 'check the key and value (`tributary config get` lists the keys)',
  UNKNOWN_MEMBER_ID: 'the group has active members: stop them first',
  INVALID_REPLICATION_FACTOR: 'a single broker serves replication factor 1'
}

/** Turns any error into what the user reads and the exit code. */
export function describeError (err: unknown, brokers: readonly string[] = []): CliError {
  if (err instanceof CliError) return err
  const r = root(err)
  const code = typeof r.code === 'string' ? r.code : ''
  if (code === 'TRIB_CLIENT_CONNECTION' || /ECONNREFUSED|EHOSTUNREACH|ENOTFOUND|connect/i.test(code)) {
    const where = brokers.join(',') || 'the broker'
    return new CliError(`cannot connect to ${where}: ${r.message ?? 'connection failed'}`, EXIT_UNREACHABLE,
      'is a broker running? start one with `tributary start`, or point at one with --brokers host:port or TRIBUTARY_BROKERS')
  }
  if (code === 'TRIB_CLIENT_REQUEST_TIMEOUT' || r.name === 'RequestTimeoutError') {
    return new CliError(`no answer from ${brokers.join(',')}: ${r.message ?? ''}`, EXIT_UNREACHABLE, 'check that the address is a Kafka listener, or raise --timeout')
  }
  const outer = err as ErrorLike
  const name = r.name !== undefined && r.name in KAFKA_HINTS ? r.name : outer?.name ?? ''
  let message = outer?.message ?? String(err)
  // Kafka errors carry the call in their message; name the error too (e.g. UNKNOWN_TOPIC_OR_PARTITION).
  const kafkaName = r.name !== undefined && /^[A-Z][A-Z_]+$/.test(r.name) ? r.name : undefined
  if (kafkaName !== undefined && !message.includes(kafkaName)) message += ` (${kafkaName})`
  return new CliError(message, EXIT_FAILURE, KAFKA_HINTS[name] ?? KAFKA_HINTS[r.name ?? ''])
}
