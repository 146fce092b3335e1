import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import assert from 'node:assert/strict'
import { isConfigError } from '../../src/config/errors.js'

const created: string[] = []
process.once('exit', () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true })
})

/** A fresh temporary directory for one test, removed when the test process exits. */
export function tempDir (): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-config-'))
  created.push(dir)
  return dir
}

/** Writes a properties file into a fresh directory and returns its path. */
export function propertiesFile (text: string): string {
  const path = join(tempDir(), 'server.properties')
  writeFileSync(path, text)
  return path
}

/** Asserts that `fn` throws a ConfigError whose message matches every pattern. */
export function assertConfigError (fn: () => unknown, ...patterns: Array<RegExp | string>): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isConfigError(err), `expected a ConfigError, got ${String(err)}`)
    for (const p of patterns) {
      if (typeof p === 'string') assert.ok(err.message.includes(p), `"${err.message}" should include "${p}"`)
      else assert.match(err.message, p)
    }
    return true
  })
}
