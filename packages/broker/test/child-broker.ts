import { spawn } from 'node:child_process'

export interface ChildBroker {
  port: number
  /** SIGKILL, resolved once the process is gone. */
  kill: () => Promise<void>
}

/**
 * Runs a broker fixture (a script that starts a broker over the data
 * directory given as its argument and prints "ready <port>") in a child
 * process, for crash tests that kill it with SIGKILL. Fails if it is not
 * ready within 15 s.
 */
export function startChildBroker (fixture: string, dataDir: string): Promise<ChildBroker> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
    const hard = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`child not ready in 15 s: ${err}`)) }, 15_000)
    child.stderr.setEncoding('utf8').on('data', (c: string) => { err += c })
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c
      const m = /ready (\d+)\n/.exec(out)
      if (m === null) return
      clearTimeout(hard)
      resolve({ port: Number(m[1]), kill: async () => { child.kill('SIGKILL'); await exited } })
    })
    child.once('error', reject)
  })
}
