import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@tributary/protocol'
import { DescribeConfigsApi } from '@tributary/protocol/apis'
import type { DescribeConfigsResponseDescribeConfigsResourceResult as Entry } from '@tributary/protocol/apis/describe-configs'
import { createTopics, withBroker } from './helpers.js'

const TOPIC = 2
const BROKER = 4
const LONG_MAX = '9223372036854775807'
const Source = { TOPIC: 1, DYNAMIC_BROKER: 2, DYNAMIC_DEFAULT: 3, STATIC: 4, DEFAULT: 5 }

function byName (configs: Entry[]): Map<string, Entry> {
  return new Map(configs.map(e => [e.name, e]))
}

const STATIC = { 'log.retention.hours': 48, 'log.cleanup.policy': 'compact' }

test('topic configs in every version: values, sources, synonyms, types, documentation', () =>
  withBroker(STATIC, async c => {
    await createTopics(c, [{ name: 'described', configs: { 'retention.ms': '1000', 'max.message.bytes': '2048' } }])
    for (let v = 0; v <= 4; v++) {
      const res = await c.request(DescribeConfigsApi, v, {
        resources: [{ resourceType: TOPIC, resourceName: 'described', configurationKeys: null }],
        includeSynonyms: v >= 1,
        includeDocumentation: v >= 3
      })
      const r = res.results[0]!
      assert.deepEqual([r.errorCode, r.errorMessage, r.resourceType, r.resourceName], [ErrorCode.NONE, null, TOPIC, 'described'], `v${v}`)
      const names = r.configs.map(e => e.name)
      assert.deepEqual(names, [...names].sort())
      assert.ok(names.includes('message.timestamp.after.max.ms') && names.includes('unclean.leader.election.enable') && names.length >= 34)
      const e = byName(r.configs)
      assert.equal(e.get('retention.ms')?.value, '1000')
      assert.equal(e.get('cleanup.policy')?.value, 'compact', 'the static broker default')
      assert.equal(e.get('flush.ms')?.value, LONG_MAX)
      assert.equal(e.get('min.cleanable.dirty.ratio')?.value, '0.5')
      assert.ok([...e.values()].every(x => !x.readOnly && !x.isSensitive))
      if (v === 0) {
        assert.equal(e.get('retention.ms')?.isDefault, false)
        assert.equal(e.get('segment.bytes')?.isDefault, true)
        assert.equal(e.get('cleanup.policy')?.isDefault, false)
      } else {
        assert.deepEqual(e.get('retention.ms')?.synonyms, [{ name: 'retention.ms', value: '1000', source: Source.TOPIC }])
        assert.equal(e.get('retention.ms')?.configSource, Source.TOPIC)
        assert.equal(e.get('cleanup.policy')?.configSource, Source.STATIC)
        assert.deepEqual(e.get('cleanup.policy')?.synonyms, [
          { name: 'log.cleanup.policy', value: 'compact', source: Source.STATIC },
          { name: 'log.cleanup.policy', value: 'delete', source: Source.DEFAULT }
        ])
        assert.deepEqual(e.get('max.message.bytes')?.synonyms, [
          { name: 'max.message.bytes', value: '2048', source: Source.TOPIC },
          { name: 'message.max.bytes', value: '1048588', source: Source.DEFAULT }
        ])
        assert.equal(e.get('segment.bytes')?.configSource, Source.DEFAULT)
        // Kafka lists a synonym group only from its primary key on, so
        // retention.ms is DEFAULT_CONFIG with no synonyms while only
        // log.retention.hours is set (ConfigHelper.configSynonyms).
        assert.deepEqual(e.get('flush.ms')?.synonyms, [])
        assert.deepEqual(e.get('remote.storage.enable')?.synonyms, [])
      }
      if (v >= 3) {
        assert.deepEqual([e.get('retention.ms')?.configType, e.get('cleanup.policy')?.configType, e.get('min.insync.replicas')?.configType,
          e.get('preallocate')?.configType, e.get('compression.type')?.configType, e.get('min.cleanable.dirty.ratio')?.configType], [5, 7, 3, 1, 2, 6])
        assert.match(e.get('retention.ms')!.documentation!, /deleted/)
      }
    }
  }))

test('retention.ms of a topic without override: the effective broker value, with Kafka\'s source rules', () =>
  withBroker(STATIC, async c => {
    await createTopics(c, [{ name: 'plain' }])
    const res = await c.request(DescribeConfigsApi, 4, {
      resources: [{ resourceType: TOPIC, resourceName: 'plain', configurationKeys: ['retention.ms', 'cleanup.policy', 'not.a.key'] }],
      includeSynonyms: false,
      includeDocumentation: false
    })
    const e = byName(res.results[0]!.configs)
    assert.deepEqual([...e.keys()], ['cleanup.policy', 'retention.ms'], 'only the keys asked for, unknown ones left out')
    assert.deepEqual([e.get('retention.ms')?.value, e.get('retention.ms')?.configSource], [String(48 * 3600000), Source.DEFAULT])
    assert.deepEqual(e.get('retention.ms')?.synonyms, [], 'include_synonyms=false')
    assert.equal(e.get('retention.ms')?.documentation, null, 'include_documentation=false')
  }))

test('broker configs: every key, static and default sources, synonyms, read-only as Tributary applies it', () =>
  withBroker(STATIC, async c => {
    const res = await c.request(DescribeConfigsApi, 4, {
      resources: [{ resourceType: BROKER, resourceName: '1', configurationKeys: null }],
      includeSynonyms: true,
      includeDocumentation: true
    })
    const r = res.results[0]!
    assert.equal(r.errorCode, ErrorCode.NONE)
    const e = byName(r.configs)
    assert.deepEqual(e.get('log.retention.hours'), {
      name: 'log.retention.hours',
      value: '48',
      readOnly: false,
      isDefault: false, // the decoder's default: v4 has no is_default
      configSource: Source.STATIC,
      isSensitive: false,
      synonyms: [{ name: 'log.retention.hours', value: '48', source: Source.STATIC }, { name: 'log.retention.hours', value: '168', source: Source.DEFAULT }],
      configType: 3,
      documentation: e.get('log.retention.hours')!.documentation
    })
    assert.deepEqual([e.get('log.retention.ms')?.value, e.get('log.retention.ms')?.configSource, e.get('log.retention.ms')?.readOnly], [null, Source.DEFAULT, false])
    assert.deepEqual([e.get('num.partitions')?.value, e.get('num.partitions')?.readOnly], ['1', true])
    assert.equal(e.get('max.connections')?.readOnly, true, 'Kafka can change it at runtime, Tributary cannot yet')
    assert.equal(e.get('log.dirs')?.configSource, Source.STATIC)
    assert.equal(e.get('node.id')?.value, '1')
  }))

test('the cluster default resource lists only dynamic defaults (none yet)', () =>
  withBroker({}, async c => {
    const res = await c.request(DescribeConfigsApi, 4, { resources: [{ resourceType: BROKER, resourceName: '', configurationKeys: null }], includeSynonyms: true })
    assert.deepEqual([res.results[0]!.errorCode, res.results[0]!.configs], [ErrorCode.NONE, []])
  }))

test('resource errors, each in its own result', () =>
  withBroker({}, async c => {
    const res = await c.request(DescribeConfigsApi, 4, {
      resources: [
        { resourceType: TOPIC, resourceName: 'missing', configurationKeys: null },
        { resourceType: TOPIC, resourceName: 'bad/name', configurationKeys: null },
        { resourceType: BROKER, resourceName: '2', configurationKeys: null },
        { resourceType: BROKER, resourceName: 'one', configurationKeys: null },
        { resourceType: 8, resourceName: '1', configurationKeys: null },
        { resourceType: 8, resourceName: '', configurationKeys: null },
        { resourceType: 32, resourceName: 'group', configurationKeys: null },
        { resourceType: 99, resourceName: 'x', configurationKeys: null }
      ]
    })
    assert.deepEqual(res.results.map(r => [r.resourceType, r.resourceName, r.errorCode, r.errorMessage, r.configs.length]), [
      [TOPIC, 'missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'The topic \'missing\' does not exist.', 0],
      [TOPIC, 'bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION, 'Topic name "bad/name" is illegal, it contains a character other than ASCII alphanumerics, \'.\', \'_\' and \'-\'', 0],
      [BROKER, '2', ErrorCode.INVALID_REQUEST, 'Unexpected broker id, expected 1 or empty string, but received 2', 0],
      [BROKER, 'one', ErrorCode.INVALID_REQUEST, 'Broker id must be an integer, but it is: one', 0],
      [8, '1', ErrorCode.INVALID_REQUEST, 'Tributary does not support BROKER_LOGGER config resources yet: it logs through one logger whose level is set at startup', 0],
      [8, '', ErrorCode.INVALID_REQUEST, 'Broker id must not be empty', 0],
      [32, 'group', ErrorCode.INVALID_REQUEST, 'Tributary does not support GROUP config resources yet', 0],
      [99, 'x', ErrorCode.INVALID_REQUEST, 'Unsupported resource type: 99', 0]
    ])
  }))
