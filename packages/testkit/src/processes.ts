import { spawn } from 'node:child_process'

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface RunOptions {
  /** Hard limit: the process is killed (SIGKILL) after this long. Default 30 s. */
  timeoutMs?: number
  input?: string | Buffer
  env?: NodeJS.ProcessEnv
  cwd?: string
}

/**
 * Runs a third-party client (kcat, python, ...) to completion with a hard
 * timeout, so that no test can hang on a client that waits forever.
 */
export function run (cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 30_000
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    const timer = setTimeout(() => { child.kill('SIGKILL') }, timeoutMs)
    child.on('error', e => { clearTimeout(timer); reject(e) })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const result = { code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }
      if (signal === 'SIGKILL' && code === null) {
        reject(Object.assign(new Error(`${cmd} timed out after ${timeoutMs} ms\nstdout: ${result.stdout}\nstderr: ${result.stderr}`), { result }))
      } else {
        resolve(result)
      }
    })
    child.stdin.on('error', () => {})
    child.stdin.end(options.input)
  })
}

/** Runs and fails unless the exit code is 0, with the client's output in the error. */
export async function runOk (cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const r = await run(cmd, args, options)
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`)
  return r
}

/** Debian's python, where python3-confluent-kafka and python3-kafka are installed (not a pyenv shim). */
export const SYSTEM_PYTHON = '/usr/bin/python3'

/** Runs a Python script with Debian's python3; its stdout is returned. */
export async function runPython (script: string, args: readonly string[] = [], options: RunOptions = {}): Promise<string> {
  const r = await runOk(SYSTEM_PYTHON, ['-c', script, ...args], options)
  return r.stdout
}
