import { pino, destination, stdTimeFunctions } from 'pino'
import type { Logger } from './network/index.js'

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

/**
 * Structured JSON logs (pino) on stderr, so that a CLI command's stdout
 * stays clean for data. Embedded brokers default to `warn` so test output
 * stays readable; the CLI starts at `info`.
 */
export function createLogger (level: LogLevel, bindings: Record<string, unknown>): Logger {
  // `dest`, not `fd`: given no `dest`, pino's destination() reads
  // process.stdout.fd, which creates process.stdout (a socket when stdout is
  // a pipe) only to have sonic-boom prefer `fd` anyway.
  return pino({ level, base: bindings, timestamp: stdTimeFunctions.isoTime }, destination({ dest: 2, sync: true }))
}
