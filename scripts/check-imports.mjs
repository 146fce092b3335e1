#!/usr/bin/env node
// Enforces the layering of DESIGN.md §2: which workspace package may import
// which, that nobody reaches into another package's files, and that the
// protocol package stays sans-IO (no sockets, no files).
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs'
import { join, dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

// package directory -> the @tributary packages its sources may import
export const ALLOWED = {
  'packages/protocol': [],
  'packages/log': ['protocol'],
  'packages/metadata': ['protocol', 'log'],
  'packages/broker': ['protocol', 'log', 'metadata'],
  'packages/client': ['protocol'],
  'packages/cli': ['protocol', 'client', 'broker', 'testkit'],
  'packages/testkit': ['protocol', 'log', 'metadata', 'broker', 'client'],
  'tools/codegen': [],
  'tools/capture-golden': ['protocol', 'broker'],
  compat: ['protocol', 'client', 'testkit', 'broker']
}
// Extra packages that a package's tests (files under <pkg>/test/) may
// import: the client's integration tests start a real broker in-process,
// while its sources stay on the protocol package alone.
export const TEST_ALLOWED = {
  'packages/client': ['broker']
}
// Relative imports that may leave their package: the capture tool writes
// golden files in the encoding the protocol tests read.
const RELATIVE_EXCEPTIONS = new Set(['tools/capture-golden -> packages/protocol/dist/test/golden/golden-json.js'])
// Node modules the sans-IO protocol package must not use.
const PROTOCOL_FORBIDDEN = /^(node:)?(net|tls|fs|fs\/promises|dgram|http|https|child_process|worker_threads)$/

function files (dir, out = []) {
  if (!existsSync(dir)) return out
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (name === 'node_modules' || name === 'dist') continue
    if (statSync(p).isDirectory()) files(p, out)
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

const problems = []
for (const [pkg, allowed] of Object.entries(ALLOWED)) {
  const pkgDir = join(root, pkg)
  for (const file of files(pkgDir)) {
    const text = readFileSync(file, 'utf8')
    const specs = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)].map(m => m[1])
    const rel = relative(root, file)
    const allowedHere = relative(pkgDir, file).startsWith('test/') ? [...allowed, ...(TEST_ALLOWED[pkg] ?? [])] : allowed
    for (const spec of specs) {
      if (spec.startsWith('@tributary/')) {
        const [, name, ...rest] = spec.split('/')
        if (!allowedHere.includes(name)) problems.push(`${rel}: ${pkg} may not import @tributary/${name}`)
        else if (rest.length > 0 && !(name === 'protocol' && rest[0] === 'apis' && rest.length <= 2) && !(name === 'broker' && rest[0] === 'handlers' && rest.length === 1)) problems.push(`${rel}: import the package entry '@tributary/${name}', not '${spec}'`)
      } else if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec)
        if (!target.startsWith(pkgDir + '/') && !RELATIVE_EXCEPTIONS.has(`${pkg} -> ${relative(root, target)}`)) problems.push(`${rel}: relative import '${spec}' leaves ${pkg}`)
      } else if (pkg === 'packages/protocol' && rel.includes('/src/') && PROTOCOL_FORBIDDEN.test(spec)) {
        problems.push(`${rel}: the protocol package is sans-IO and may not import ${spec}`)
      }
    }
  }
}
for (const dir of ['packages', 'tools']) {
  for (const name of readdirSync(join(root, dir))) {
    if (!(`${dir}/${name}` in ALLOWED)) problems.push(`${dir}/${name}: no import rule; add it to scripts/check-imports.mjs`)
  }
}
if (problems.length > 0) {
  console.error('import rules broken:\n  ' + problems.join('\n  '))
  process.exit(1)
}
console.log('import rules hold')
