/**
 * The one error type of the configuration system. Startup code and the CLI
 * branch on `code` (or `instanceof`): a ConfigError is the user's mistake,
 * reported as one line without a stack trace, like Kafka's ConfigException.
 */
export class ConfigError extends Error {
  readonly code = 'TRIB_CONFIG' as const
  /** The configuration key at fault, when there is one. */
  readonly key: string | undefined

  constructor (message: string, options?: { key?: string, cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.key = options?.key
  }
}

/** True for a ConfigError, also one from another copy of this module. */
export function isConfigError (err: unknown): err is ConfigError {
  return err instanceof ConfigError ||
    (err instanceof Error && (err as { code?: unknown }).code === 'TRIB_CONFIG')
}
