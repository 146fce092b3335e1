import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveConnection, defaultProfilePath } from '../src/common/connection.js'
import { CliError, describeError, EXIT_UNREACHABLE, EXIT_USAGE } from '../src/common/errors.js'
import { table, toJson } from '../src/common/output.js'
import { compileTemplate, jsonRecord } from '../src/consume/format.js'
import { parseStart } from '../src/consume/offset.js'
import { parseTarget } from '../src/group/seek.js'
import { parseLine } from '../src/produce/line.js'

// The CLI's pure parts: parsing, formatting, settings and error mapping.
const msg = { topic: 't', partition: 2, offset: 7n, timestamp: 1000n, key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'a', value: Buffer.from('1') }, { key: 'b', value: null }] }

test('templates: every letter, escapes, unknown letters kept, null key and value', () => {
  assert.equal(compileTemplate('%t|%p|%o|%k|%v|%s|%h|%T|%K|%S|%%|%x\\t\\n')(msg), 't|2|7|k|v|v|a=1,b=|1000|1|1|%|%x\t\n')
  assert.equal(compileTemplate('[%k][%v] %K %S')({ ...msg, key: null, value: null }), '[][] -1 -1')
  assert.deepEqual(JSON.parse(jsonRecord(msg)), { topic: 't', partition: 2, offset: 7, timestamp: 1000, key: 'k', value: 'v', headers: [{ key: 'a', value: '1' }, { key: 'b', value: '' }] })
})

test('produce lines: key and header separators, separators inside values, lines without them', () => {
  const f = { keySeparator: ':', headerSeparator: '|', headers: [{ key: 'src', value: 'cli' }] }
  assert.deepEqual(parseLine('h=1,g=2|k:v:w', f, 1), { key: 'k', value: 'v:w', headers: [{ key: 'src', value: 'cli' }, { key: 'h', value: '1' }, { key: 'g', value: '2' }] })
  assert.deepEqual(parseLine('plain', f, 2), { key: null, value: 'plain', headers: [{ key: 'src', value: 'cli' }] })
  assert.deepEqual(parseLine('a:b', { headers: [] }, 3), { key: null, value: 'a:b', headers: [] })
  assert.throws(() => parseLine('nokv|v', f, 4), (e: CliError) => e.exitCode === EXIT_USAGE && /line 4: header 'nokv'/.test(e.message))
})

test('start offsets and seek targets', () => {
  assert.deepEqual(parseStart('beginning'), { kind: 'earliest' })
  assert.deepEqual(parseStart('end'), { kind: 'latest' })
  assert.deepEqual(parseStart('42'), { kind: 'offset', offset: 42n })
  assert.deepEqual(parseStart('@1000'), { kind: 'timestamp', ms: 1000 })
  assert.deepEqual(parseStart('@1970-01-01T00:00:01Z'), { kind: 'timestamp', ms: 1000 })
  assert.equal(parseStart(undefined), undefined)
  assert.deepEqual(parseStart('-3'), { kind: 'fromEnd', count: 3n })
  assert.throws(() => parseStart('-x'), CliError)
  assert.throws(() => parseStart('@never'), CliError)
  assert.deepEqual(parseTarget(undefined, '-5'), { kind: 'shift', by: -5n })
  assert.deepEqual(parseTarget('latest', undefined), { kind: 'latest' })
  assert.deepEqual(parseTarget('9', undefined), { kind: 'offset', offset: 9n })
  assert.throws(() => parseTarget('9', '1'), /exactly one/)
  assert.throws(() => parseTarget(undefined, 'x'), /not an integer/)
})

test('connection settings: flag > environment > profile > default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-units-'))
  try {
    const env = { XDG_CONFIG_HOME: dir }
    assert.equal(defaultProfilePath(env), join(dir, 'tributary', 'profile.json'))
    assert.deepEqual(resolveConnection({}, env).brokers, ['127.0.0.1:9092'])
    const profile = join(dir, 'p.json')
    writeFileSync(profile, JSON.stringify({ brokers: 'a:1,b:2', clientId: 'me', timeoutMs: 1234 }))
    assert.deepEqual(resolveConnection({ profile }, env), { brokers: ['a:1', 'b:2'], clientId: 'me', timeoutMs: 1234 })
    assert.deepEqual(resolveConnection({ profile }, { ...env, TRIBUTARY_BROKERS: 'c:3' }).brokers, ['c:3'])
    assert.deepEqual(resolveConnection({ profile, brokers: 'd:4' }, { ...env, TRIBUTARY_BROKERS: 'c:3' }).brokers, ['d:4'])
    assert.throws(() => resolveConnection({ profile: join(dir, 'missing.json') }, env), (e: CliError) => e.exitCode === EXIT_USAGE)
    assert.throws(() => resolveConnection({ timeout: '-1' }, env), /bad --timeout/)
  } finally { rmSync(dir, { recursive: true, force: true }) }
})

test('tables align columns and show missing values as -; JSON writes bigints as numbers while exact', () => {
  assert.equal(table(['a', 'long-name'], [['xxxx', null], ['y', 5n]]), 'A     LONG-NAME\nxxxx  -\ny     5\n')
  assert.equal(toJson({ n: 5n, big: 2n ** 63n - 1n }), '{\n  "n": 5,\n  "big": "9223372036854775807"\n}\n')
})

test('errors: connection failures are exit 3 with a hint; Kafka errors are named', () => {
  const conn = Object.assign(new Error('DescribeCluster failed after 3 attempts'), { code: 'TRIB_CLIENT_RETRIES_EXHAUSTED', cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'TRIB_CLIENT_CONNECTION' }) })
  const e = describeError(conn, ['127.0.0.1:9'])
  assert.equal(e.exitCode, EXIT_UNREACHABLE)
  assert.match(e.message, /^cannot connect to 127\.0\.0\.1:9: connect ECONNREFUSED/)
  assert.match(e.hint!, /tributary start/)
  const kafka = Object.assign(new Error("delete group 'g'"), { name: 'NON_EMPTY_GROUP', code: 68 })
  const k = describeError(kafka)
  assert.equal(k.exitCode, 1)
  assert.equal(k.message, "delete group 'g' (NON_EMPTY_GROUP)")
  assert.match(k.hint!, /stop the group's consumers/)
})
