import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CONFIGURATION_DOC_PATH, renderConfigurationDocs } from './docs.js'

/**
 * Writes docs/configuration.md from the definitions table.
 *   node packages/broker/dist/src/config/write-docs.js           write the file
 *   node packages/broker/dist/src/config/write-docs.js --check   exit 1 if it is stale
 */

// This file runs from packages/broker/dist/src/config/, five levels below the repository root.
const root = fileURLToPath(new URL('../../../../../', import.meta.url))
const target = root + CONFIGURATION_DOC_PATH
const rendered = renderConfigurationDocs()

if (process.argv.includes('--check')) {
  let current = ''
  try {
    current = readFileSync(target, 'utf8')
  } catch {}
  if (current !== rendered) {
    process.stderr.write(`${CONFIGURATION_DOC_PATH} is out of date; run node packages/broker/dist/src/config/write-docs.js\n`)
    process.exitCode = 1
  }
} else {
  mkdirSync(dirname(target), { recursive: true })
  writeFileSync(target, rendered)
  process.stdout.write(`wrote ${target}\n`)
}
