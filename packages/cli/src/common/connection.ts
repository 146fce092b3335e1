import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { usage } from './errors.js'

/**
 * Where the brokers are, highest precedence first (rpk's order):
 * `--brokers` (or kafka-*.sh's `--bootstrap-server`), the `TRIBUTARY_BROKERS` environment variable, the profile
 * file (`--profile FILE`, else $XDG_CONFIG_HOME/tributary/profile.json or
 * ~/.config/tributary/profile.json), then 127.0.0.1:9092.
 *
 * A profile is JSON: `{ "brokers": ["host:9092", ...], "clientId": "me", "timeoutMs": 10000 }`.
 */
export interface Profile { brokers?: string[] | string, clientId?: string, timeoutMs?: number }

export interface GlobalOptions { brokers?: string, bootstrapServer?: string, profile?: string, format?: string, timeout?: string }

export interface ConnectionSettings { brokers: string[], clientId: string, timeoutMs: number }

export const DEFAULT_BROKERS = ['127.0.0.1:9092']

export function defaultProfilePath (env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config')
  return join(base, 'tributary', 'profile.json')
}

function readProfile (path: string, required: boolean): Profile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw usage(`cannot read profile ${path}: ${(err as Error).message}`, 'create it with {"brokers": ["127.0.0.1:9092"]}')
  }
  try {
    const p = JSON.parse(text) as Profile
    if (typeof p !== 'object' || p === null) throw new Error('not an object')
    return p
  } catch (err) {
    throw usage(`profile ${path} is not valid JSON: ${(err as Error).message}`, 'expected e.g. {"brokers": ["127.0.0.1:9092"]}')
  }
}

export function splitBrokers (s: string | readonly string[]): string[] {
  const list = (typeof s === 'string' ? s.split(',') : s).map(b => b.trim()).filter(b => b !== '')
  for (const b of list) {
    if (!/^[^:\s]+:\d{1,5}$/.test(b)) throw usage(`bad broker address '${b}'`, 'write it as host:port, e.g. 127.0.0.1:9092')
  }
  return list
}

export function resolveConnection (opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): ConnectionSettings {
  const profile = readProfile(opts.profile ?? defaultProfilePath(env), opts.profile !== undefined)
  const source = opts.brokers ?? opts.bootstrapServer ?? (env.TRIBUTARY_BROKERS !== undefined && env.TRIBUTARY_BROKERS !== '' ? env.TRIBUTARY_BROKERS : undefined) ?? profile.brokers
  const brokers = source === undefined ? DEFAULT_BROKERS : splitBrokers(source)
  if (brokers.length === 0) throw usage('no broker addresses given', 'pass --brokers host:port')
  const timeoutMs = opts.timeout !== undefined ? Number(opts.timeout) : profile.timeoutMs ?? 10_000
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw usage(`bad --timeout '${opts.timeout ?? ''}'`, 'give milliseconds, e.g. --timeout 5000')
  return { brokers, clientId: profile.clientId ?? 'tributary-cli', timeoutMs }
}

/** Options for @tributary/client: retries are bounded by the CLI's timeout so that an unreachable broker fails fast. */
export function clientOptions (c: ConnectionSettings): { brokers: string[], clientId: string, connectTimeoutMs: number, requestTimeoutMs: number, retry: { totalTimeoutMs: number, initialBackoffMs: number, maxBackoffMs: number } } {
  return {
    brokers: c.brokers,
    clientId: c.clientId,
    connectTimeoutMs: Math.min(c.timeoutMs, 5000),
    requestTimeoutMs: c.timeoutMs,
    retry: { totalTimeoutMs: c.timeoutMs, initialBackoffMs: 100, maxBackoffMs: 500 }
  }
}
