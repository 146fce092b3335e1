import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MemoryLog } from '../../src/memory-log.js'
import { encodeBatch, makeRecords, spans } from '../helpers/batches.js'
import { openMemoryLog, reopenMemoryLog } from '../helpers/memory-logs.js'
import { runLogContract } from './log-contract.js'
import { ALL } from './session.js'

runLogContract('MemoryLog', openMemoryLog, reopenMemoryLog)

test('MemoryLog copies what it stores: the caller may reuse its buffer', async () => {
  const log = new MemoryLog()
  const input = encodeBatch({ records: makeRecords(3, 'a') })
  const before = Buffer.from(input)
  await log.append(input)
  assert.ok(input.equals(before), 'the input is not rewritten in place')
  input.fill(0)
  assert.deepEqual(spans((await log.read(0n, ALL)).records), ['0-2'])
})

test('MemoryLog counts rolls, its only trace of segments', async () => {
  const log = new MemoryLog()
  await log.roll()
  await log.roll()
  assert.equal(log.rolls, 2)
})
