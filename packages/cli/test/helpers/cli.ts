import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { run, type RunResult } from '@tributary/testkit'

/** The `tributary` bin as a user runs it: a separate node process. */
export const bin = join(dirname(fileURLToPath(import.meta.url)), '../../../bin/tributary.js')

/** A HOME of its own, so that no profile of the machine leaks into a test. */
export const home = mkdtempSync(join(tmpdir(), 'tributary-cli-home-'))
export function removeHome (): void { rmSync(home, { recursive: true, force: true }) }

export interface CliOptions { input?: string, env?: NodeJS.ProcessEnv, brokers?: string | null, timeoutMs?: number }

/** Runs `tributary ARGS` with TRIBUTARY_BROKERS pointing at `brokers` (unless null). */
export async function cli (brokers: string | null, args: readonly string[], opts: Omit<CliOptions, 'brokers'> = {}): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), ...opts.env }
  if (brokers !== null) env.TRIBUTARY_BROKERS = brokers
  return await run(process.execPath, [bin, ...args], { env, input: opts.input ?? '', timeoutMs: opts.timeoutMs ?? 30_000 })
}

/** Like cli() but fails with the full output unless the exit code is 0. */
export async function cliOk (brokers: string | null, args: readonly string[], opts: Omit<CliOptions, 'brokers'> = {}): Promise<RunResult> {
  const r = await cli(brokers, args, opts)
  if (r.code !== 0) throw new Error(`tributary ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`)
  return r
}

/** The rows of an aligned table, split on runs of two or more spaces. */
export function rows (text: string): string[][] {
  return text.trim().split('\n').map(l => l.trim().split(/\s{2,}/))
}
