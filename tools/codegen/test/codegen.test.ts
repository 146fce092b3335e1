import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generate } from '../src/main.js'
import { RELEASED_IN_KAFKA_4, kebab } from '../src/model.js'
import { parseVersions, stripComments } from '../src/spec.js'

test('version ranges', () => {
  assert.deepEqual(parseVersions('0+'), { lo: 0, hi: 0x7fff })
  assert.deepEqual(parseVersions('1-3'), { lo: 1, hi: 3 })
  assert.deepEqual(parseVersions('5'), { lo: 5, hi: 5 })
  assert.ok(parseVersions('none').lo > parseVersions('none').hi)
  assert.throws(() => parseVersions('3-'))
})

test('comments are stripped outside strings only', () => {
  assert.equal(stripComments('// head\n{ "a": "x//y" } // tail'), '\n{ "a": "x//y" } ')
})

test('module names', () => {
  assert.equal(kebab('ApiVersions'), 'api-versions')
  assert.equal(kebab('OffsetForLeaderEpoch'), 'offset-for-leader-epoch')
  assert.equal(kebab('DescribeTopicPartitions'), 'describe-topic-partitions')
})

// A made-up API, written for this test, exercising the generator's rules.
const REQUEST = {
  apiKey: 900,
  type: 'request',
  name: 'WidgetRequest',
  validVersions: '0-3',
  flexibleVersions: '2+',
  latestVersionUnstable: true,
  fields: [
    { name: 'Names', type: '[]string', versions: '0+', nullableVersions: '1+' },
    { name: 'Limit', type: 'int32', versions: '1+', default: '-1' },
    { name: 'Hint', type: 'string', versions: '2+', taggedVersions: '2+', tag: 0, nullableVersions: '2+', default: 'null' }
  ]
}
const RESPONSE = {
  apiKey: 900,
  type: 'response',
  name: 'WidgetResponse',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'Parts', type: '[]Part', versions: '0+', fields: [{ name: 'Id', type: 'uuid', versions: '0+' }] }
  ]
}

test('a module per API, unstable versions dropped, names prefixed, tagged fields handled', () => {
  const dir = mkdtempSync(join(tmpdir(), 'codegen-test-'))
  try {
    writeFileSync(join(dir, 'WidgetRequest.json'), '// a comment\n' + JSON.stringify(REQUEST))
    writeFileSync(join(dir, 'WidgetResponse.json'), JSON.stringify(RESPONSE))
    const files = generate(dir)
    assert.deepEqual([...files.keys()].sort(), ['index.ts', 'schemas.ts', 'widget.ts'])
    const widget = files.get('widget.ts')!
    assert.match(widget, /maxVersion: 2,/, 'v3 is unstable and left out')
    assert.match(widget, /export interface WidgetResponsePart \{/, 'struct names carry the message name')
    assert.match(widget, /case 0:/, 'the tagged field is decoded by tag')
    assert.match(widget, /limit: -1/, 'defaults come from the schema')
    assert.match(files.get('index.ts')!, /allApis: readonly ApiDescriptor\[\] = \[WidgetApi\]/)
    assert.doesNotMatch(widget, /about/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('latest versions Kafka 4.0 released are kept although the schema marks them unstable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'codegen-test-'))
  try {
    const req = { apiKey: 68, type: 'request', name: 'ConsumerGroupHeartbeatRequest', validVersions: '0-1', flexibleVersions: '0+', latestVersionUnstable: true, fields: [{ name: 'GroupId', type: 'string', versions: '0+' }] }
    const res = { apiKey: 68, type: 'response', name: 'ConsumerGroupHeartbeatResponse', validVersions: '0-1', flexibleVersions: '0+', fields: [{ name: 'ErrorCode', type: 'int16', versions: '0+' }] }
    writeFileSync(join(dir, 'ConsumerGroupHeartbeatRequest.json'), JSON.stringify(req))
    writeFileSync(join(dir, 'ConsumerGroupHeartbeatResponse.json'), JSON.stringify(res))
    assert.equal(RELEASED_IN_KAFKA_4.ConsumerGroupHeartbeatRequest, 1)
    assert.match(generate(dir).get('consumer-group-heartbeat.ts')!, /maxVersion: 1,/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
