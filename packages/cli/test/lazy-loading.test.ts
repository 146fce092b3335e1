import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

// `tributary start` must stay fast: the bundle's entry and the chunks it
// imports statically must not contain the Kafka client, which the other
// verbs load with import() when they run (scripts/bundle-cli.mjs builds it).
const bundle = join(dirname(fileURLToPath(import.meta.url)), '../../dist/bundle')

function staticClosure (file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen
  seen.add(file)
  const text = readFileSync(join(bundle, file), 'utf8')
  // Static imports only: `import{..}from"./chunk-X.js"` or `import"./chunk-X.js"`, not import("...").
  for (const m of text.matchAll(/import\s*(?:[\w${},\s*]+from\s*)?["']\.\/([\w.-]+\.js)["']/g)) staticClosure(m[1]!, seen)
  return seen
}

test('the bundle entry does not load the client; a verb chunk does', () => {
  assert.ok(existsSync(join(bundle, 'main.js')), 'run node scripts/bundle-cli.mjs first (npm test does)')
  const closure = staticClosure('main.js')
  const clientMarker = 'TRIB_CLIENT_RETRIES_EXHAUSTED'
  for (const f of closure) assert.ok(!readFileSync(join(bundle, f), 'utf8').includes(clientMarker), `${f} is loaded at start-up and contains the client`)
  const all = [...closure].map(f => readFileSync(join(bundle, f), 'utf8')).join('')
  assert.match(all, /import\(["']\.\/list-[\w-]+\.js["']\)/, 'verbs are dynamic imports')
})

test('the CommonJS bundle of `tributary start` holds the broker but not the client', () => {
  const start = join(dirname(fileURLToPath(import.meta.url)), '../../dist/start/start.cjs')
  assert.ok(existsSync(start), 'run node scripts/bundle-cli.mjs first (npm test does)')
  const text = readFileSync(start, 'utf8')
  assert.ok(!text.includes('TRIB_CLIENT_RETRIES_EXHAUSTED'), 'start.cjs contains the client')
  assert.match(text, /broker started/, 'start.cjs contains the broker')
  assert.doesNotMatch(text, /\bimport\(/, 'a vm.Script has no module loader of its own for import()')
})
