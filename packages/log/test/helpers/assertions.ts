import assert from 'node:assert/strict'
import { LogError, type LogErrorCode } from '../../src/errors.js'

/** Asserts that `promise` rejects with a LogError carrying `code`. */
export async function rejectsWith (promise: Promise<unknown>, code: LogErrorCode, message?: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof LogError, `expected a LogError ${code}, got ${String(err)}`)
    assert.equal(err.code, code, message)
    return true
  }, message)
}

/** Byte-equality with a diff that points at the first differing byte instead of dumping both buffers. */
export function equalBytes (actual: Buffer, expected: Buffer, message: string): void {
  if (actual.equals(expected)) return
  let i = 0
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++
  assert.fail(`${message}: ${actual.length} bytes vs ${expected.length} expected, first difference at byte ${i} ` +
    `(actual ${actual.subarray(i, i + 16).toString('hex')}, expected ${expected.subarray(i, i + 16).toString('hex')})`)
}
