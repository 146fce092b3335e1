import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Admin, Producer, parseHostPort } from '../../src/index.js'

test('bootstrap addresses parse as host:port, IPv6 in brackets; anything else is a TypeError', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:9092'), { host: '127.0.0.1', port: 9092 })
  assert.deepEqual(parseHostPort('broker-1.example:19092'), { host: 'broker-1.example', port: 19092 })
  assert.deepEqual(parseHostPort('[::1]:9092'), { host: '::1', port: 9092 })
  for (const bad of ['localhost', ':9092', 'h:0', 'h:70000', 'h:x']) assert.throws(() => parseHostPort(bad), TypeError, bad)
})

test('producer options are checked when the producer is made', () => {
  assert.throws(() => new Producer({ brokers: ['127.0.0.1:9092'], acks: 2 as never }), /acks must be 0, 1 or -1/)
  assert.throws(() => new Producer({ brokers: ['127.0.0.1:9092'], compression: 'brotli' as never }), /unknown compression 'brotli'/)
  assert.throws(() => new Admin({ brokers: [] }), /at least one bootstrap broker/)
})
