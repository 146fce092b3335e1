#!/usr/bin/env node
// Fails when regenerating the protocol code from Kafka's message definitions
// gives a different result from what is committed (R1: the generated output
// is reviewed and must never drift from its generator or its input).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { spawnSync } from 'node:child_process'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const committed = join(root, 'packages/protocol/src/generated')
const out = mkdtempSync(join(tmpdir(), 'tributary-codegen-'))
try {
  const r = spawnSync(process.execPath, [join(root, 'tools/codegen/dist/src/main.js'), '--out', out], { encoding: 'utf8' })
  if (r.status !== 0) {
    console.error(r.stderr || r.stdout)
    process.exit(1)
  }
  const a = readdirSync(committed).sort()
  const b = readdirSync(out).sort()
  const problems = []
  for (const f of new Set([...a, ...b])) {
    if (!a.includes(f)) problems.push(`missing from the repository: ${f}`)
    else if (!b.includes(f)) problems.push(`no longer generated: ${f}`)
    else if (readFileSync(join(committed, f), 'utf8') !== readFileSync(join(out, f), 'utf8')) problems.push(`differs from the generator's output: ${f}`)
  }
  if (problems.length > 0) {
    console.error('packages/protocol/src/generated is not what tools/codegen produces; run `npm run codegen` and commit:\n  ' + problems.join('\n  '))
    process.exit(1)
  }
  console.log(`generated code is current (${a.length} files)`)
} finally {
  rmSync(out, { recursive: true, force: true })
}
