import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ProducerFencedError, TransactionStateError } from '../../src/index.js'
import { TransactionState } from '../../src/producer/transaction-state.js'

test('the transaction phases: ready, in a transaction, back to ready', () => {
  const s = new TransactionState()
  assert.throws(() => s.begin(), /before initTransactions/)
  s.phase = 'ready'
  assert.throws(() => s.expect('commitTransaction()', 'in_transaction'), TransactionStateError)
  s.begin()
  assert.equal(s.phase, 'in_transaction')
  assert.throws(() => s.begin(), /beginTransaction\(\) is not allowed inside a transaction/)
  assert.equal(s.started, false)
  s.added.add('t\u00000')
  assert.equal(s.started, true)
  s.abortableError = new Error('send failed')
  s.completed()
  assert.equal(s.phase, 'ready')
  assert.equal(s.started, false)
  assert.equal(s.abortableError, undefined)
  s.begin()
  s.offsetsAdded = true
  assert.equal(s.started, true)
})

test('a fatal error is rethrown by every later call', () => {
  const s = new TransactionState()
  s.phase = 'in_transaction'
  const fenced = new ProducerFencedError('fenced', new Error('PRODUCER_FENCED'))
  s.fail(fenced)
  assert.throws(() => s.begin(), (e: unknown) => e === fenced)
  assert.throws(() => s.expect('send()', 'in_transaction'), (e: unknown) => e === fenced)
  assert.equal(fenced.retriable, false)
  assert.equal(fenced.code, 'TRIB_CLIENT_PRODUCER_FENCED')
})
