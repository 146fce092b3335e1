#!/usr/bin/env node
// `npm run bench [-- suite ...]`: runs the benchmark suites and prints a
// text report plus JSON (also written to bench/results/<suite>.json).
// Figures are reported next to a baseline measured in the same run, never
// asserted as timings in tests.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const suites = {
  startup: () => import('./startup.mjs'),
  log: () => import('./log.mjs'),
  groups: () => import('./groups.mjs'),
  produce: () => import('./produce.mjs'),
  transactions: () => import('./transactions.mjs')
}
const wanted = process.argv.slice(2).filter(a => !a.startsWith('-'))
const names = wanted.length > 0 ? wanted : Object.keys(suites)
mkdirSync(join(here, 'results'), { recursive: true })
for (const name of names) {
  const load = suites[name]
  if (load === undefined) {
    console.error(`unknown suite ${name}; suites: ${Object.keys(suites).join(', ')}`)
    process.exit(2)
  }
  const { run } = await load()
  const result = await run()
  writeFileSync(join(here, 'results', `${name}.json`), JSON.stringify(result, null, 2) + '\n')
  console.log(`\n${result.report}\n`)
  console.log(JSON.stringify({ suite: name, ...result.figures }))
}
