import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { CONFIG_DEFINITIONS } from '../../src/config/definitions.js'
import { CONFIGURATION_DOC_PATH, renderConfigurationDocs } from '../../src/config/docs.js'

// Compiled to packages/broker/dist/test/config/, five levels below the repository root.
const root = fileURLToPath(new URL('../../../../../', import.meta.url))

describe('docs/configuration.md', () => {
  it('is up to date with the definitions (run write-docs.js if not)', () => {
    const committed = readFileSync(root + CONFIGURATION_DOC_PATH, 'utf8')
    assert.equal(committed, renderConfigurationDocs(),
      'docs/configuration.md is stale: npx tsc -b packages/broker && node packages/broker/dist/src/config/write-docs.js')
  })

  it('lists every key with its type and default', () => {
    const text = renderConfigurationDocs()
    for (const d of CONFIG_DEFINITIONS) {
      assert.ok(text.includes(`| \`${d.name}\` | ${d.type} |`), d.name)
    }
    assert.ok(text.includes('| `message.max.bytes` | int | `1048588` | >= 0 |'))
    assert.ok(text.includes('| `compression.type` | string | `producer` | `uncompressed`, `zstd`, `lz4`, `snappy`, `gzip`, `producer` |'))
  })

  it('gives every key a one-line description', () => {
    for (const d of CONFIG_DEFINITIONS) {
      assert.ok(d.doc.length > 10 && !d.doc.includes('\n'), d.name)
    }
  })
})
