import { describe, test } from 'node:test'
import type { LogConfig, PartitionLog } from '../../src/types.js'
import { appendTests } from './append-tests.js'
import { lifecycleTests } from './lifecycle-tests.js'
import { readTests } from './read-tests.js'
import { reopenTests } from './reopen-tests.js'
import type { LogContext, OpenLog } from './session.js'
import { timeTests } from './time-tests.js'
import { truncationTests } from './truncation-tests.js'

export { contractConfig, SMALL_SEGMENTS, type LogContext, type OpenLog } from './session.js'

/** What a group of contract tests receives: how to open a log, and how to open the same directory again. */
export interface ContractTarget {
  open: OpenLog
  reopen: OpenLog | undefined
}

/**
 * The one contract every PartitionLog implementation passes (DESIGN.md §3,
 * R7). Registers node:test tests under `name`. `open` gets a fresh empty
 * directory and a config; `reopen`, when given, opens the directory of a
 * closed log again, and enables the tests of what survives a restart.
 */
export function runLogContract (
  name: string,
  open: (ctx: { dir: string, config: LogConfig }) => Promise<PartitionLog>,
  reopen?: (ctx: LogContext) => Promise<PartitionLog>
): void {
  const target: ContractTarget = { open, reopen }
  describe(`PartitionLog contract: ${name}`, () => {
    describe('append', () => appendTests(target))
    describe('read', () => readTests(target))
    describe('time queries', () => timeTests(target))
    describe('truncateTo and advanceLogStartOffset', () => truncationTests(target))
    describe('high watermark, roll, flush, close', () => lifecycleTests(target))
    describe('close and reopen', () => {
      if (reopen === undefined) {
        test('skipped: no reopen given for this implementation', { skip: true }, () => {})
        return
      }
      reopenTests({ open, reopen })
    })
  })
}
