// Cold start and idle memory of the broker (issue: foundation §7).
// - CLI: time from spawning `tributary start` to its listening log line,
//   next to a baseline: spawning node with a script that binds a TCP
//   server and reports it (Node's own floor for "a process that listens").
// - In-process: startBroker({ port: 0 }) once the module is loaded.
// - Idle RSS of the CLI broker after it has listened for a second.
// - When the environment sets NODE_EXTRA_CA_CERTS (this kind of machine
//   does, for its TLS proxy), node reads and parses that CA bundle before
//   it runs any script: about 70 ms here, for every node process. The CLI
//   and the baseline are then also measured without it, interleaved in the
//   same rounds, to show what the broker costs on a machine without it.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import net from 'node:net'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11)

const median = xs => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }

/** Spawns a process and resolves when a stderr/stdout line matches, with the elapsed ms. */
function spawnUntil (args, match, env = process.env, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env })
    let buf = ''
    const onData = chunk => {
      buf += chunk
      if (match.test(buf)) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6
        cleanup()
        resolve({ ms, child, output: buf })
      }
    }
    const timer = setTimeout(() => { cleanup(); child.kill('SIGKILL'); reject(new Error(`no match within ${timeoutMs} ms: ${buf}`)) }, timeoutMs)
    const cleanup = () => { clearTimeout(timer); child.stdout.off('data', onData); child.stderr.off('data', onData) }
    child.stdout.setEncoding('utf8').on('data', onData)
    child.stderr.setEncoding('utf8').on('data', onData)
    child.on('error', reject)
  })
}

function stop (child) {
  return new Promise(resolve => {
    if (child.exitCode !== null) return resolve(child.exitCode)
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', code => { clearTimeout(t); resolve(code) })
    child.kill('SIGTERM')
  })
}

function rssMiB (pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)[1])
  return kb / 1024
}

async function connectOnce (port) {
  await new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => { s.destroy(); resolve() })
    s.on('error', reject)
  })
}

/** Sends ApiVersions v0 and resolves when its answer is back: the broker can serve requests. */
function apiVersionsAnswered (port) {
  return new Promise((resolve, reject) => {
    const frame = Buffer.alloc(14)
    frame.writeInt32BE(10, 0)
    frame.writeInt16BE(18, 4) // ApiVersions
    frame.writeInt16BE(0, 6) // v0
    frame.writeInt32BE(1, 8) // correlation id
    frame.writeInt16BE(-1, 12) // no client id
    const s = net.connect({ port, host: '127.0.0.1' }, () => s.write(frame))
    let got = Buffer.alloc(0)
    s.on('data', chunk => {
      got = Buffer.concat([got, chunk])
      if (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) { s.destroy(); resolve() }
    })
    s.on('error', reject)
  })
}

export async function run () {
  const baselineScript = 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log("listening "+s.address().port)})'
  const cli = join(root, 'packages/cli/bin/tributary.js')
  const baseline = []
  const cliMs = []
  const firstAnswerMs = []
  const restartMs = []
  const rss = []
  const exitCodes = []
  const extraCaCerts = process.env.NODE_EXTRA_CA_CERTS
  const envWithoutCa = { ...process.env }
  delete envWithoutCa.NODE_EXTRA_CA_CERTS
  const baselineWithoutCa = []
  const cliWithoutCa = []
  for (let i = 0; i < ROUNDS; i++) {
    const b = await spawnUntil(['-e', baselineScript], /listening \d+/)
    baseline.push(b.ms)
    b.child.kill('SIGKILL')
    const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-'))
    try {
      const spawned = process.hrtime.bigint()
      const r = await spawnUntil([cli, 'start', '--listeners', 'PLAINTEXT://127.0.0.1:0', '--log-dirs', dir], /"msg":"broker started"/)
      cliMs.push(r.ms)
      const port = Number(/"port":(\d+)/.exec(r.output.split('\n').find(l => l.includes('broker started')))[1])
      // Handlers load once the socket is bound: the first answer shows when the broker can really serve.
      await apiVersionsAnswered(port)
      firstAnswerMs.push(Number(process.hrtime.bigint() - spawned) / 1e6)
      await connectOnce(port)
      if (i === 0 || i === ROUNDS - 1) {
        await new Promise(resolve => setTimeout(resolve, 1000))
        rss.push(rssMiB(r.child.pid))
      }
      exitCodes.push(await stop(r.child))
      // The same directory again: a restart, without formatting it
      // (meta.properties and the metadata snapshot already exist).
      const again = await spawnUntil([cli, 'start', '--listeners', 'PLAINTEXT://127.0.0.1:0', '--log-dirs', dir], /"msg":"broker started"/)
      restartMs.push(again.ms)
      exitCodes.push(await stop(again.child))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    if (extraCaCerts !== undefined) {
      const b2 = await spawnUntil(['-e', baselineScript], /listening \d+/, envWithoutCa)
      baselineWithoutCa.push(b2.ms)
      b2.child.kill('SIGKILL')
      const dir2 = mkdtempSync(join(tmpdir(), 'tributary-bench-'))
      try {
        const r2 = await spawnUntil([cli, 'start', '--listeners', 'PLAINTEXT://127.0.0.1:0', '--log-dirs', dir2], /"msg":"broker started"/, envWithoutCa)
        cliWithoutCa.push(r2.ms)
        exitCodes.push(await stop(r2.child))
      } finally {
        rmSync(dir2, { recursive: true, force: true })
      }
    }
  }
  const { startBroker } = await import(join(root, 'packages/broker/dist/src/index.js'))
  const inProcess = []
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = process.hrtime.bigint()
    const broker = await startBroker({ port: 0 })
    inProcess.push(Number(process.hrtime.bigint() - t0) / 1e6)
    await broker.close()
  }
  const figures = {
    rounds: ROUNDS,
    cliStartMedianMs: +median(cliMs).toFixed(1),
    cliFirstAnswerMedianMs: +median(firstAnswerMs).toFixed(1),
    cliRestartMedianMs: +median(restartMs).toFixed(1),
    nodeListenBaselineMedianMs: +median(baseline).toFixed(1),
    cliOverBaseline: +(median(cliMs) / median(baseline)).toFixed(2),
    inProcessStartMedianMs: +median(inProcess).toFixed(2),
    idleRssMiB: +Math.max(...rss).toFixed(1),
    sigtermExitCodes: [...new Set(exitCodes)],
    nodeExtraCaCerts: extraCaCerts ?? null,
    ...(extraCaCerts === undefined
      ? {}
      : {
          cliStartWithoutExtraCaMedianMs: +median(cliWithoutCa).toFixed(1),
          nodeListenBaselineWithoutExtraCaMedianMs: +median(baselineWithoutCa).toFixed(1)
        })
  }
  const report = [
    `startup (${ROUNDS} rounds, medians)`,
    `  CLI cold start to listening:      ${figures.cliStartMedianMs} ms   (target <= 200 ms; a new data directory, formatted on the way)`,
    `  CLI cold start to first answer:    ${figures.cliFirstAnswerMedianMs} ms   (ApiVersions answered; handlers load after the bind)`,
    `  CLI restart on the same data dir:  ${figures.cliRestartMedianMs} ms`,
    `  node baseline (bind and report):  ${figures.nodeListenBaselineMedianMs} ms   ratio ${figures.cliOverBaseline}x`,
    `  in-process startBroker():         ${figures.inProcessStartMedianMs} ms   (target <= 30 ms)`,
    `  idle RSS of the CLI broker:       ${figures.idleRssMiB} MiB (target <= 70 MiB)`,
    `  exit codes after SIGTERM:         ${figures.sigtermExitCodes.join(', ')}`,
    ...(extraCaCerts === undefined
      ? []
      : [
          `  NODE_EXTRA_CA_CERTS=${extraCaCerts} is set: node loads it before any script, in every process above.`,
          `  Without it, same rounds: CLI cold start to listening ${figures.cliStartWithoutExtraCaMedianMs} ms, node baseline ${figures.nodeListenBaselineWithoutExtraCaMedianMs} ms`
        ])
  ].join('\n')
  return { figures, report }
}
