import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { run } from '@tributary/testkit'
import { CONFIG_DEFINITIONS } from '@tributary/broker'
import { flagForKey } from '../src/start/command.js'

// `tributary start` as a user runs it: a separate process, real flags, a
// real client, and a graceful stop on SIGTERM / SIGINT with exit code 0.
const bin = join(dirname(fileURLToPath(import.meta.url)), '../../bin/tributary.js')

interface Started { child: ChildProcess, port: number, exit: Promise<number | null>, output: () => string }

function start (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  const child = spawn(process.execPath, [bin, 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env })
  let out = ''
  const exit = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no listening line within 10 s:\n${out}`)) }, 10_000)
    const onData = (chunk: Buffer): void => {
      out += chunk.toString()
      const line = out.split('\n').find(l => l.includes('"broker started"'))
      if (line !== undefined) {
        clearTimeout(timer)
        const parsed = JSON.parse(line) as { listeners: { port: number }[] }
        resolve({ child, port: parsed.listeners[0]!.port, exit, output: () => out })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    void exit.then(code => { clearTimeout(timer); reject(new Error(`exited ${code} before listening:\n${out}`)) })
  })
}

async function stop (s: Started, signal: NodeJS.Signals): Promise<number | null> {
  const timer = setTimeout(() => s.child.kill('SIGKILL'), 10_000)
  s.child.kill(signal)
  const code = await s.exit
  clearTimeout(timer)
  return code
}

test('flags configure the broker; kcat sees it; SIGTERM stops it with exit 0', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-cli-'))
  try {
    const s = await start(['--listeners', 'PLAINTEXT://127.0.0.1:0', '--log-dirs', dir, '--node-id', '7', '--num-partitions', '4'])
    const md = await run('kcat', ['-L', '-J', '-b', `127.0.0.1:${s.port}`, '-t', 'cli-topic'], { timeoutMs: 15_000 })
    const parsed = JSON.parse(md.stdout) as { brokers: { id: number }[], topics: { topic: string, partitions: unknown[] }[] }
    assert.deepEqual(parsed.brokers.map(b => b.id), [7])
    assert.equal(parsed.topics[0]!.partitions.length, 4)
    assert.equal(await stop(s, 'SIGTERM'), 0)
    assert.match(await readFile(join(dir, 'meta.properties'), 'utf8'), /node\.id=7/)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('a properties file and TRIBUTARY_* variables configure it, flags win; SIGINT stops it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-cli-'))
  try {
    const file = join(dir, 'server.properties')
    await writeFile(file, `# broker\nnode.id=5\nnum.partitions=2\nlog.dirs=${join(dir, 'from-file')}\n`)
    const env = { ...process.env, TRIBUTARY_LOG_DIRS: join(dir, 'from-env'), TRIBUTARY_NUM_PARTITIONS: '3' }
    const s = await start(['--config', file, '--listeners', 'PLAINTEXT://127.0.0.1:0', '--num-partitions', '6'], env)
    const md = await run('kcat', ['-L', '-J', '-b', `127.0.0.1:${s.port}`, '-t', 'layered'], { timeoutMs: 15_000 })
    const parsed = JSON.parse(md.stdout) as { brokers: { id: number }[], topics: { partitions: unknown[] }[] }
    assert.deepEqual(parsed.brokers.map(b => b.id), [5], 'node.id from the file')
    assert.equal(parsed.topics[0]!.partitions.length, 6, 'the flag beats env and file')
    assert.equal(await stop(s, 'SIGINT'), 0)
    assert.match(await readFile(join(dir, 'from-env', 'meta.properties'), 'utf8'), /node\.id=5/, 'log.dirs from the environment beats the file')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('an invalid value stops startup with a message naming the key and allowed values', async () => {
  const r = await run(process.execPath, [bin, 'start', '--num-partitions', 'many', '--log-dirs', join(tmpdir(), 'never-used')], { timeoutMs: 10_000 })
  assert.equal(r.code, 2)
  assert.match(r.stderr, /num\.partitions/)
  assert.match(r.stderr, /integer >= 1/)
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace')
  const bad = await run(process.execPath, [bin, 'start', '--listeners', 'SSL://127.0.0.1:0'], { timeoutMs: 10_000 })
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /listeners|SSL/)
})

test('start --help lists every key; an unknown flag is refused with a suggestion from all of them', async () => {
  // `start` registers only the options of the keys its arguments name
  // (keysNamedIn); help and mistakes must still see every key.
  const help = await run(process.execPath, [bin, 'start', '--help'], { timeoutMs: 10_000 })
  assert.equal(help.code, 0)
  for (const def of CONFIG_DEFINITIONS) assert.ok(help.stdout.includes(`--${flagForKey(def.name)} `), def.name)
  const viaHelp = await run(process.execPath, [bin, 'help', 'start'], { timeoutMs: 10_000 })
  assert.equal(viaHelp.stdout, help.stdout)
  const typo = await run(process.execPath, [bin, 'start', '--log-dirs', join(tmpdir(), 'never-used'), '--log-dirz', 'x'], { timeoutMs: 10_000 })
  assert.equal(typo.code, 2)
  assert.match(typo.stderr, /^tributary: unknown option '--log-dirz'\n\(Did you mean one of --log-dir, --log-dirs\?\)/)
})
