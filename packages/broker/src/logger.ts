import { pino, destination, stdTimeFunctions } from 'pino'
import type { Logger } from './network/index.js'

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

/**
 * Structured JSON logs (pino) on stderr, so that a CLI command's stdout
 * stays clean for data. Embedded brokers default to `warn` so test output
 * stays readable; the CLI starts at `info`.
 */
export function createLogger (level: LogLevel, bindings: Record<string, unknown>): Logger {
  return pino({ level, base: bindings, timestamp: stdTimeFunctions.isoTime }, destination({ fd: 2, sync: true }))
}
