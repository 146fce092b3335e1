import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ErrorCode, KAFKA_ERRORS, KafkaError, errorByCode, errorByName, isRetriable } from '../src/error-codes.js'

const DOC = fileURLToPath(new URL('../../../../docs/errors.md', import.meta.url))

function renderDoc (): string {
  const rows = KAFKA_ERRORS.map(e => `| ${e.code} | \`${e.name}\` | ${e.retriable ? 'yes' : 'no'} | ${e.message} |`)
  return [
    '# Kafka error codes',
    '',
    '<!-- Generated from packages/protocol/src/error-codes.ts; packages/protocol/test/error-codes.test.ts checks it.',
    '     Regenerate: TRIBUTARY_UPDATE_DOCS=1 node --test packages/protocol/dist/test/error-codes.test.js -->',
    '',
    'The error codes of the Kafka protocol, with Kafka\'s names. "Retriable" follows Kafka: a client may retry',
    'the request when the code\'s exception is a `RetriableException`. The descriptions are Tributary\'s own.',
    '',
    '| Code | Name | Retriable | Meaning |',
    '| ---: | --- | :---: | --- |',
    ...rows,
    ''
  ].join('\n')
}

test('codes and names are unique, and codes run from -1 to 133 without gaps', () => {
  const codes = KAFKA_ERRORS.map(e => e.code)
  const names = KAFKA_ERRORS.map(e => e.name)
  assert.equal(new Set(codes).size, codes.length, 'duplicate code')
  assert.equal(new Set(names).size, names.length, 'duplicate name')
  assert.deepEqual(codes, Array.from({ length: 135 }, (_, i) => i - 1))
  for (const e of KAFKA_ERRORS) {
    assert.match(e.name, /^[A-Z][A-Z0-9_]*$/)
    assert.ok(e.message.length > 5 && e.message.endsWith('.'), `message of ${e.name}`)
  }
})

test('ErrorCode maps Kafka names to Kafka codes', () => {
  assert.equal(ErrorCode.UNKNOWN_SERVER_ERROR, -1)
  assert.equal(ErrorCode.NONE, 0)
  assert.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 3)
  assert.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER, 6)
  assert.equal(ErrorCode.NOT_COORDINATOR, 16)
  assert.equal(ErrorCode.UNSUPPORTED_VERSION, 35)
  assert.equal(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 45)
  assert.equal(ErrorCode.UNKNOWN_PRODUCER_ID, 59)
  assert.equal(ErrorCode.PRODUCER_FENCED, 90)
  assert.equal(ErrorCode.UNKNOWN_TOPIC_ID, 100)
  assert.equal(ErrorCode.FENCED_MEMBER_EPOCH, 110)
  assert.equal(ErrorCode.INVALID_REGISTRATION, 119)
  assert.equal(ErrorCode.TRANSACTION_ABORTABLE, 120)
  assert.equal(ErrorCode.INVALID_RECORD_STATE, 121)
  assert.equal(ErrorCode.INVALID_REGULAR_EXPRESSION, 128)
  assert.equal(ErrorCode.REBOOTSTRAP_REQUIRED, 129)
  assert.equal(ErrorCode.SHARE_SESSION_LIMIT_REACHED, 133)
  assert.equal(Object.keys(ErrorCode).length, KAFKA_ERRORS.length)
  assert.ok(Object.isFrozen(ErrorCode))
})

test('retriable is set exactly for the codes whose Kafka exception is a RetriableException', () => {
  // RetriableException subclasses (directly or via InvalidMetadataException) in Kafka's clients.
  const retriable = [
    'CORRUPT_MESSAGE', 'UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_OR_FOLLOWER', 'REQUEST_TIMED_OUT',
    'REPLICA_NOT_AVAILABLE', 'NETWORK_EXCEPTION', 'COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR',
    'NOT_ENOUGH_REPLICAS', 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', 'NOT_CONTROLLER', 'CONCURRENT_TRANSACTIONS', 'KAFKA_STORAGE_ERROR',
    'FETCH_SESSION_ID_NOT_FOUND', 'INVALID_FETCH_SESSION_EPOCH', 'LISTENER_NOT_FOUND', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH',
    'OFFSET_NOT_AVAILABLE', 'PREFERRED_LEADER_NOT_AVAILABLE', 'ELIGIBLE_LEADERS_NOT_AVAILABLE', 'ELECTION_NOT_NEEDED',
    'UNSTABLE_OFFSET_COMMIT', 'THROTTLING_QUOTA_EXCEEDED', 'UNKNOWN_TOPIC_ID', 'INCONSISTENT_TOPIC_ID', 'FETCH_SESSION_TOPIC_ID_ERROR',
    'SHARE_SESSION_NOT_FOUND', 'INVALID_SHARE_SESSION_EPOCH', 'SHARE_SESSION_LIMIT_REACHED'
  ]
  assert.deepEqual(KAFKA_ERRORS.filter(e => e.retriable).map(e => e.name).sort(), [...retriable].sort())
  assert.equal(isRetriable(ErrorCode.NOT_LEADER_OR_FOLLOWER), true)
  assert.equal(isRetriable(ErrorCode.OFFSET_OUT_OF_RANGE), false)
  assert.equal(isRetriable(9999), false)
})

test('lookups and KafkaError', () => {
  assert.deepEqual(errorByCode(3), errorByName('UNKNOWN_TOPIC_OR_PARTITION'))
  assert.equal(errorByCode(3)?.retriable, true)
  assert.equal(errorByCode(500), undefined)
  assert.equal(errorByName('NO_SUCH_ERROR'), undefined)

  const err = new KafkaError(ErrorCode.NOT_COORDINATOR)
  assert.ok(err instanceof Error)
  assert.equal(err.code, 16)
  assert.equal(err.name, 'NOT_COORDINATOR')
  assert.equal(err.retriable, true)
  assert.equal(err.message, errorByCode(16)!.message)
  assert.match(String(err), /^NOT_COORDINATOR: /)

  const custom = new KafkaError(ErrorCode.INVALID_REQUEST, 'bad frame', { cause: new Error('inner') })
  assert.equal(custom.message, 'bad frame')
  assert.equal((custom.cause as Error).message, 'inner')

  const unknown = KafkaError.fromCode(777)
  assert.equal(unknown.code, -1)
  assert.equal(unknown.name, 'UNKNOWN_SERVER_ERROR')
  assert.match(unknown.message, /777/)
  assert.equal(KafkaError.fromCode(51).name, 'CONCURRENT_TRANSACTIONS')
  assert.throws(() => new KafkaError(777 as ErrorCode), RangeError)
})

test('docs/errors.md lists every code as the table has it', () => {
  const expected = renderDoc()
  if (process.env.TRIBUTARY_UPDATE_DOCS === '1') writeFileSync(DOC, expected)
  const doc = readFileSync(DOC, 'utf8')
  for (const e of KAFKA_ERRORS) {
    assert.ok(doc.includes(`| ${e.code} | \`${e.name}\` | ${e.retriable ? 'yes' : 'no'} |`), `${e.name} missing or stale in docs/errors.md`)
  }
  assert.equal(doc, expected, 'docs/errors.md is out of date; regenerate it (see its header)')
})
