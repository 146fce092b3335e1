import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PROTOCOL_COVERAGE_DOC, renderProtocolCoverage } from '../src/docs/protocol-coverage.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..')

test('docs/protocol-coverage.md matches the handler registry', () => {
  const committed = readFileSync(join(root, PROTOCOL_COVERAGE_DOC), 'utf8')
  assert.equal(committed, renderProtocolCoverage(), 'run: node packages/broker/dist/src/docs/write-protocol-coverage.js')
})
