// Test helpers: an in-process broker and third-party processes (kcat),
// each bounded in time. The client tests import @tributary/broker directly
// rather than the testkit, because the testkit may come to depend on this
// package.
import { spawn } from 'node:child_process'
import { startBroker, type Broker, type StartBrokerOptions } from '@tributary/broker'

export interface TestBroker extends Broker { readonly bootstrap: string }

export async function startTestBroker (options: StartBrokerOptions = {}): Promise<TestBroker> {
  const broker = await startBroker({ port: 0, host: '127.0.0.1', logLevel: 'warn', ...options })
  return Object.assign(broker, { bootstrap: `${broker.host}:${broker.port}` })
}

export interface RunResult { code: number | null, stdout: string, stderr: string }

/** Runs a process to completion; killed after timeoutMs; fails on a non-zero exit. */
export function runOk (cmd: string, args: readonly string[], opts: { input?: string, timeoutMs?: number } = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', e => { clearTimeout(timer); reject(e) })
    child.on('close', code => {
      clearTimeout(timer)
      const r = { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`))
      else resolve(r)
    })
    child.stdin.on('error', () => {})
    child.stdin.end(opts.input)
  })
}

export interface KcatMessage { topic: string, partition: number, offset: number, key: string | null, payload: string | null, headers?: string[], ts?: number }

/** Everything in a topic, read by kcat (librdkafka) from the beginning to the end. */
export async function kcatConsume (bootstrap: string, topic: string, extra: string[] = []): Promise<KcatMessage[]> {
  const r = await runOk('kcat', ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-J', '-q', ...extra], { timeoutMs: 30_000 })
  return r.stdout.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as KcatMessage)
}

/** Rejects after `ms` with a message naming what was awaited. */
export async function withTimeout<T> (p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([p, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms) })])
  } finally {
    clearTimeout(timer)
  }
}

/** Reads `n` messages from an async iterable, bounded in time. */
export async function take<T> (it: AsyncIterable<T>, n: number, ms = 20_000): Promise<T[]> {
  const out: T[] = []
  if (n === 0) return out
  await withTimeout((async () => {
    for await (const m of it) {
      out.push(m)
      if (out.length >= n) break
    }
  })(), ms, `reading ${n} messages (got ${out.length})`)
  return out
}
