import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

// bin/tributary.js runs `start` from dist/start/start.cjs through a V8 code
// cache it writes beside the bundle (bin/code-cache.js). Each test works on
// a copy of bin/ and dist/start/ inside the package (so that node_modules
// still resolves), never on the files other tests run.
const cliRoot = join(dirname(fileURLToPath(import.meta.url)), '../..')

function copyOfCli (): string {
  const root = mkdtempSync(join(cliRoot, 'dist', 'code-cache-test-'))
  cpSync(join(cliRoot, 'package.json'), join(root, 'package.json'))
  cpSync(join(cliRoot, 'bin'), join(root, 'bin'), { recursive: true })
  cpSync(join(cliRoot, 'dist/start/start.cjs'), join(root, 'dist/start/start.cjs'))
  return root
}

const caches = (root: string): string[] => readdirSync(join(root, 'dist/start')).filter(f => f.endsWith('.v8cache'))

/** Starts the copied CLI broker, waits for the listening line, optionally until `until` holds, then stops it with SIGTERM. */
async function startAndStop (root: string, until: () => boolean = () => true): Promise<{ code: number | null, output: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-cc-'))
  const child = spawn(process.execPath, [join(root, 'bin/tributary.js'), 'start', '--listeners', 'PLAINTEXT://127.0.0.1:0', '--log-dirs', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (c: Buffer) => { output += c.toString() })
  child.stderr.on('data', (c: Buffer) => { output += c.toString() })
  const exit = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  try {
    const deadline = Date.now() + 10_000
    while (!(output.includes('"tributary listening"') && until())) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`not started (or condition not met) within 10 s:\n${output}`)
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    child.kill('SIGTERM')
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    const code = await exit
    clearTimeout(killer)
    return { code, output }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  }
}

test('the first start writes a code cache, the next start uses it as it is', async () => {
  const root = copyOfCli()
  try {
    assert.deepEqual(caches(root), [])
    const first = await startAndStop(root, () => caches(root).length === 1)
    assert.equal(first.code, 0)
    const [cache] = caches(root)
    const written = statSync(join(root, 'dist/start', cache!)).mtimeMs
    // A cache V8 accepts is not written again (a rejected one would be).
    const second = await startAndStop(root)
    assert.equal(second.code, 0)
    await new Promise(resolve => setTimeout(resolve, 500))
    assert.deepEqual(caches(root), [cache])
    assert.equal(statSync(join(root, 'dist/start', cache!)).mtimeMs, written)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})

test('a corrupt code cache is rejected by V8: the broker starts anyway and replaces it', async () => {
  const root = copyOfCli()
  try {
    await startAndStop(root, () => caches(root).length === 1)
    const file = join(root, 'dist/start', caches(root)[0]!)
    const garbage = Buffer.alloc(4096, 0x5a)
    writeFileSync(file, garbage)
    const r = await startAndStop(root, () => statSync(file).size !== garbage.length)
    assert.equal(r.code, 0)
    assert.match(r.output, /"broker started"/)
    assert.notEqual(statSync(file).size, garbage.length, 'the corrupt cache was replaced')
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})

test('a cache that cannot be written costs nothing but speed', async () => {
  const root = copyOfCli()
  try {
    // A file where the cache's temporary file would go makes the write fail
    // the same way a read-only installation does, also when run as root.
    const dir = join(root, 'dist/start')
    const stat = statSync(join(dir, 'start.cjs'))
    const blocked = join(dir, `start.cjs.${stat.size}-${Math.trunc(stat.mtimeMs)}.v8cache`)
    cpSync(join(root, 'bin'), blocked, { recursive: true }) // a directory with the cache's name: rename onto it fails
    const r = await startAndStop(root)
    assert.equal(r.code, 0)
    await new Promise(resolve => setTimeout(resolve, 600))
    assert.ok(statSync(blocked).isDirectory(), 'left as it was')
    assert.deepEqual(readdirSync(dir).filter(f => f.endsWith('.tmp')), [], 'no temporary file left behind')
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})
