#!/usr/bin/env node
// The project's one test command (`npm test`): on a fresh machine it
// installs what the suites need (npm packages, Debian packages for the
// third-party clients), builds, checks that the generated protocol code and
// the docs are current and that packages import only what they may, then
// runs every test file with node's test runner.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
process.chdir(root)

function step (name, cmd, args, opts = {}) {
  const started = Date.now()
  console.log(`\n== ${name}: ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts })
  if (r.status !== 0) {
    console.error(`== ${name} failed (exit ${r.status ?? r.signal})`)
    process.exit(r.status || 1)
  }
  console.log(`== ${name} ok in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

function needsInstall () {
  const marker = join(root, 'node_modules/.package-lock.json')
  if (!existsSync(marker)) return true
  return statSync(join(root, 'package-lock.json')).mtimeMs > statSync(marker).mtimeMs
}

// @confluentinc/kafka-javascript (an optional dependency of compat/) builds
// the librdkafka it bundles when installed. Its default (static) build
// downloads OpenSSL and friends, which fails offline, and npm then drops
// the package; CKJS_LINKING=dynamic builds it against Debian's OpenSSL and
// zlib (scripts/install-system-deps.sh) instead.
const npmEnv = { ...process.env, CKJS_LINKING: 'dynamic' }
function confluentClientLoads () {
  return spawnSync(process.execPath, ['-e', "require('@confluentinc/kafka-javascript')"], { cwd: join(root, 'compat'), stdio: 'ignore' }).status === 0
}

if (process.env.TRIBUTARY_SKIP_SYSTEM_DEPS !== '1') step('system packages', 'bash', ['scripts/install-system-deps.sh'])
if (needsInstall()) step('npm install', 'npm', ['install', '--no-audit', '--no-fund'], { env: npmEnv })
if (!confluentClientLoads()) step('build @confluentinc/kafka-javascript (librdkafka)', 'npm', ['install', '--no-audit', '--no-fund'], { env: npmEnv })
step('build', 'npx', ['tsc', '-b'])
step('bundle the CLI', 'node', ['scripts/bundle-cli.mjs'])
step('generated code is current', 'node', ['scripts/check-generated.mjs'])
step('package imports', 'node', ['scripts/check-imports.mjs'])

function findTests (dir, out = []) {
  if (!existsSync(dir)) return out
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) findTests(p, out)
    else if (name.endsWith('.test.js')) out.push(p)
  }
  return out
}

const only = process.argv.slice(2)
const packageDirs = [...['packages', 'tools'].flatMap(d => existsSync(d) ? readdirSync(d).map(p => join(d, p)) : []), 'compat']
const roots = packageDirs.map(d => join(d, 'dist/test'))
let files = roots.flatMap(d => findTests(d)).sort()
if (only.length > 0) files = files.filter(f => only.some(o => f.includes(o)))
if (files.length === 0) {
  console.error('no test files found')
  process.exit(1)
}
step(`tests (${files.length} files)`, process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=300000', ...files])
void execFileSync
