import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@tributary/protocol'
import { AlterConfigsApi, DescribeConfigsApi, IncrementalAlterConfigsApi } from '@tributary/protocol/apis'
import { RawClient } from '../raw-client.js'
import { createTopics, withBroker } from './helpers.js'

const TOPIC = 2
const BROKER = 4
const Op = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 }
const Source = { TOPIC: 1, DYNAMIC_BROKER: 2, DYNAMIC_DEFAULT: 3, STATIC: 4, DEFAULT: 5 }

/** name -> [value, source, synonyms as name=value@source] of a resource. */
async function describe (c: RawClient, resourceType: number, resourceName: string, keys: string[] | null = null): Promise<Map<string, [string | null, number, string[]]>> {
  const res = await c.request(DescribeConfigsApi, 4, { resources: [{ resourceType, resourceName, configurationKeys: keys }], includeSynonyms: true })
  const r = res.results[0]!
  assert.equal(r.errorCode, ErrorCode.NONE, r.errorMessage ?? '')
  return new Map(r.configs.map(e => [e.name, [e.value, e.configSource, e.synonyms.map(s => `${s.name}=${s.value}@${s.source}`)]]))
}

/** The topic's overrides: the entries whose source is the topic. */
async function overrides (c: RawClient, topic: string): Promise<Record<string, string | null>> {
  const all = await describe(c, TOPIC, topic)
  return Object.fromEntries([...all].filter(([, [, source]]) => source === Source.TOPIC).map(([k, [v]]) => [k, v]))
}

test('AlterConfigs replaces the whole set of topic overrides in every version; validate_only changes nothing', () =>
  withBroker({}, async c => {
    await createTopics(c, [{ name: 't', configs: { 'retention.ms': '1000', 'cleanup.policy': 'compact' } }])
    for (let v = 0; v <= 2; v++) {
      const res = await c.request(AlterConfigsApi, v, {
        resources: [{ resourceType: TOPIC, resourceName: 't', configs: [{ name: 'segment.ms', value: String(60000 + v) }, { name: 'retention.ms', value: '2000' }] }],
        validateOnly: false
      })
      assert.equal(res.throttleTimeMs, 0)
      assert.deepEqual(res.responses, [{ errorCode: ErrorCode.NONE, errorMessage: null, resourceType: TOPIC, resourceName: 't' }], `v${v}`)
      assert.deepEqual(await overrides(c, 't'), { 'retention.ms': '2000', 'segment.ms': String(60000 + v) }, 'cleanup.policy is gone')
    }
    const dry = await c.request(AlterConfigsApi, 2, { resources: [{ resourceType: TOPIC, resourceName: 't', configs: [] }], validateOnly: true })
    assert.equal(dry.responses[0]!.errorCode, ErrorCode.NONE)
    assert.deepEqual(await overrides(c, 't'), { 'retention.ms': '2000', 'segment.ms': '60002' })
    const clear = await c.request(AlterConfigsApi, 2, { resources: [{ resourceType: TOPIC, resourceName: 't', configs: [] }], validateOnly: false })
    assert.equal(clear.responses[0]!.errorCode, ErrorCode.NONE)
    assert.deepEqual(await overrides(c, 't'), {})
  }))

test('AlterConfigs errors: per resource, nothing applied for a failed one', () =>
  withBroker({}, async c => {
    await createTopics(c, [{ name: 't', configs: { 'retention.ms': '1000' } }])
    const res = await c.request(AlterConfigsApi, 2, {
      resources: [
        { resourceType: TOPIC, resourceName: 't', configs: [{ name: 'retention.ms', value: '5' }, { name: 'retention.weeks', value: '1' }] },
        { resourceType: TOPIC, resourceName: 'missing', configs: [{ name: 'retention.ms', value: '5' }] },
        { resourceType: BROKER, resourceName: '1', configs: [{ name: 'num.partitions', value: '3' }] },
        { resourceType: BROKER, resourceName: '1', configs: [{ name: 'log.retention.ms', value: '3' }] },
        { resourceType: BROKER, resourceName: '', configs: [{ name: 'max.connections', value: '5' }] },
        { resourceType: BROKER, resourceName: '7', configs: [] }
      ],
      validateOnly: false
    })
    assert.deepEqual(res.responses.map(r => [r.resourceName, r.errorCode, r.errorMessage]), [
      ['t', ErrorCode.INVALID_CONFIG, 'Unknown topic config name: retention.weeks'],
      ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'The topic \'missing\' does not exist.'],
      ['1', ErrorCode.INVALID_REQUEST, 'Duplicate resource.'],
      ['1', ErrorCode.INVALID_REQUEST, 'Duplicate resource.'],
      ['', ErrorCode.INVALID_REQUEST, 'Tributary cannot update these configs dynamically yet (set them in the configuration and restart): max.connections'],
      ['7', ErrorCode.INVALID_REQUEST, 'Unexpected broker id, expected 1 or empty string, but received 7']
    ])
    const more = await c.request(AlterConfigsApi, 1, {
      resources: [
        { resourceType: TOPIC, resourceName: 't', configs: [{ name: 'retention.ms', value: 'a week' }] },
        { resourceType: TOPIC, resourceName: 'bad/name', configs: [] },
        { resourceType: BROKER, resourceName: '1', configs: [{ name: 'num.partitions', value: '3' }, { name: 'log.dirs', value: '/x' }] },
        { resourceType: BROKER, resourceName: '', configs: [{ name: 'log.retention.ms', value: 'soon' }] }
      ],
      validateOnly: false
    })
    assert.deepEqual(more.responses.map(r => [r.resourceName, r.errorCode, r.errorMessage]), [
      ['t', ErrorCode.INVALID_CONFIG, 'Invalid value \'a week\' for configuration retention.ms: must be an integer >= -1'],
      ['bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION, 'Topic name "bad/name" is illegal, it contains a character other than ASCII alphanumerics, \'.\', \'_\' and \'-\''],
      ['1', ErrorCode.INVALID_REQUEST, 'Cannot update these configs dynamically: log.dirs, num.partitions'],
      ['', ErrorCode.INVALID_REQUEST, 'Invalid value \'soon\' for configuration log.retention.ms: must be an integer between -9223372036854775808 and 9223372036854775807']
    ])
    const dupKeys = await c.request(AlterConfigsApi, 2, {
      resources: [{ resourceType: TOPIC, resourceName: 't', configs: [{ name: 'retention.ms', value: '1' }, { name: 'retention.ms', value: '2' }, { name: 'segment.ms', value: null }] }],
      validateOnly: false
    })
    assert.deepEqual([dupKeys.responses[0]!.errorCode, dupKeys.responses[0]!.errorMessage], [ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys'])
    assert.deepEqual(await overrides(c, 't'), { 'retention.ms': '1000' }, 'unchanged')
  }))

test('IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT on a topic in every version', () =>
  withBroker({}, async c => {
    await createTopics(c, [{ name: 't', configs: { 'retention.ms': '1000', 'segment.ms': '60000' } }])
    const alter = async (v: number, configs: Array<{ name: string, configOperation: number, value: string | null }>): Promise<void> => {
      const res = await c.request(IncrementalAlterConfigsApi, v, { resources: [{ resourceType: TOPIC, resourceName: 't', configs }], validateOnly: false })
      assert.deepEqual(res.responses, [{ errorCode: ErrorCode.NONE, errorMessage: null, resourceType: TOPIC, resourceName: 't' }])
    }
    await alter(0, [{ name: 'retention.ms', configOperation: Op.SET, value: '2000' }, { name: 'segment.ms', configOperation: Op.DELETE, value: null }])
    assert.deepEqual(await overrides(c, 't'), { 'retention.ms': '2000' })
    // APPEND to an unset list starts from its default ("delete").
    await alter(1, [{ name: 'cleanup.policy', configOperation: Op.APPEND, value: 'compact' }])
    assert.deepEqual(await overrides(c, 't'), { 'retention.ms': '2000', 'cleanup.policy': 'delete,compact' })
    await alter(1, [{ name: 'cleanup.policy', configOperation: Op.SUBTRACT, value: 'delete' }])
    assert.deepEqual(await overrides(c, 't'), { 'retention.ms': '2000', 'cleanup.policy': 'compact' })
    await alter(1, [{ name: 'follower.replication.throttled.replicas', configOperation: Op.APPEND, value: '0:1,1:1' }])
    await alter(1, [{ name: 'follower.replication.throttled.replicas', configOperation: Op.APPEND, value: '1:1,2:1' }])
    assert.equal((await overrides(c, 't'))['follower.replication.throttled.replicas'], '0:1,1:1,2:1')
    await alter(1, [{ name: 'cleanup.policy', configOperation: Op.DELETE, value: null }, { name: 'follower.replication.throttled.replicas', configOperation: Op.DELETE, value: null }])
    assert.deepEqual(await overrides(c, 't'), { 'retention.ms': '2000' })
  }))

test('IncrementalAlterConfigs errors and validate_only', () =>
  withBroker({}, async c => {
    await createTopics(c, [{ name: 't', configs: { 'retention.ms': '1000' } }])
    const one = async (configs: Array<{ name: string, configOperation: number, value: string | null }>, validateOnly = false): Promise<[number, string | null]> => {
      const res = await c.request(IncrementalAlterConfigsApi, 1, { resources: [{ resourceType: TOPIC, resourceName: 't', configs }], validateOnly })
      return [res.responses[0]!.errorCode, res.responses[0]!.errorMessage]
    }
    assert.deepEqual(await one([{ name: 'retention.ms', configOperation: Op.APPEND, value: '5' }]), [ErrorCode.INVALID_CONFIG, 'Can\'t APPEND to key retention.ms because its type is not LIST.'])
    assert.deepEqual(await one([{ name: 'retention.ms', configOperation: Op.SUBTRACT, value: '5' }]), [ErrorCode.INVALID_CONFIG, 'Can\'t SUBTRACT to key retention.ms because its type is not LIST.'])
    assert.deepEqual(await one([{ name: 'cleanup.policy', configOperation: Op.APPEND, value: 'forever' }]), [ErrorCode.INVALID_CONFIG, 'Invalid value \'delete,forever\' for configuration cleanup.policy: must be a comma-separated list of: compact, delete'])
    assert.deepEqual(await one([{ name: 'retention.ms', configOperation: 9, value: '5' }]), [ErrorCode.INVALID_REQUEST, 'Unknown operations type 9'])
    assert.deepEqual(await one([{ name: 'retention.ms', configOperation: Op.SET, value: null }]), [ErrorCode.INVALID_REQUEST, 'Null value not supported for : retention.ms'])
    assert.deepEqual(await one([{ name: 'retention.ms', configOperation: Op.SET, value: '1' }, { name: 'retention.ms', configOperation: Op.DELETE, value: null }]), [ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys'])
    assert.deepEqual(await one([{ name: 'nonsense', configOperation: Op.SET, value: '1' }]), [ErrorCode.INVALID_CONFIG, 'Unknown topic config name: nonsense'])
    assert.deepEqual(await one([{ name: 'retention.ms', configOperation: Op.SET, value: '7' }], true), [ErrorCode.NONE, null])
    assert.deepEqual(await overrides(c, 't'), { 'retention.ms': '1000' }, 'nothing changed')
  }))

test('concurrent incremental changes to one topic keep each other\'s keys', () =>
  withBroker({}, async (c, broker) => {
    await createTopics(c, [{ name: 't' }])
    const keys = ['retention.ms', 'segment.ms', 'flush.ms', 'delete.retention.ms', 'file.delete.delay.ms']
    const clients = await Promise.all(keys.map(() => RawClient.connect(broker.port)))
    try {
      await Promise.all(keys.map((name, i) => clients[i]!.request(IncrementalAlterConfigsApi, 1, {
        resources: [{ resourceType: TOPIC, resourceName: 't', configs: [{ name, configOperation: Op.SET, value: String(1000 + i) }] }],
        validateOnly: false
      })))
    } finally {
      for (const k of clients) k.close()
    }
    assert.deepEqual(await overrides(c, 't'), Object.fromEntries(keys.map((k, i) => [k, String(1000 + i)])))
  }))

test('dynamic broker configs: per broker and cluster default, with their sources, applied to topic defaults', () =>
  withBroker({ 'log.retention.hours': 48 }, async c => {
    await createTopics(c, [{ name: 'plain' }, { name: 'own', configs: { 'retention.ms': '1000' } }])
    const set = async (resourceName: string, configs: Array<{ name: string, configOperation: number, value: string | null }>): Promise<void> => {
      const res = await c.request(IncrementalAlterConfigsApi, 1, { resources: [{ resourceType: BROKER, resourceName, configs }], validateOnly: false })
      assert.deepEqual([res.responses[0]!.errorCode, res.responses[0]!.errorMessage], [ErrorCode.NONE, null])
    }
    await set('', [{ name: 'log.retention.ms', configOperation: Op.SET, value: '7200000' }, { name: 'log.cleanup.policy', configOperation: Op.APPEND, value: 'compact' }])
    let topic = await describe(c, TOPIC, 'plain', ['retention.ms', 'cleanup.policy'])
    assert.deepEqual(topic.get('retention.ms'), ['7200000', Source.DYNAMIC_DEFAULT, ['log.retention.ms=7200000@3', 'log.retention.hours=48@4', 'log.retention.hours=168@5']])
    assert.deepEqual(topic.get('cleanup.policy'), ['delete,compact', Source.DYNAMIC_DEFAULT, ['log.cleanup.policy=delete,compact@3', 'log.cleanup.policy=delete@5']])
    assert.deepEqual((await describe(c, TOPIC, 'own', ['retention.ms'])).get('retention.ms'),
      ['1000', Source.TOPIC, ['retention.ms=1000@1', 'log.retention.ms=7200000@3', 'log.retention.hours=48@4', 'log.retention.hours=168@5']])

    await set('1', [{ name: 'log.retention.ms', configOperation: Op.SET, value: '60000' }])
    topic = await describe(c, TOPIC, 'plain', ['retention.ms'])
    assert.deepEqual(topic.get('retention.ms'), ['60000', Source.DYNAMIC_BROKER, ['log.retention.ms=60000@2', 'log.retention.ms=7200000@3', 'log.retention.hours=48@4', 'log.retention.hours=168@5']])
    const self = await describe(c, BROKER, '1', ['log.retention.ms', 'log.retention.hours'])
    assert.deepEqual(self.get('log.retention.ms'), ['60000', Source.DYNAMIC_BROKER, ['log.retention.ms=60000@2', 'log.retention.ms=7200000@3', 'log.retention.hours=48@4', 'log.retention.hours=168@5']])
    const defaults = await describe(c, BROKER, '')
    assert.deepEqual([...defaults], [
      ['log.cleanup.policy', ['delete,compact', Source.DYNAMIC_DEFAULT, ['log.cleanup.policy=delete,compact@3']]],
      ['log.retention.ms', ['7200000', Source.DYNAMIC_DEFAULT, ['log.retention.ms=7200000@3']]]
    ])

    // Legacy AlterConfigs replaces the broker's set: log.retention.ms goes back to the cluster default.
    const legacy = await c.request(AlterConfigsApi, 2, { resources: [{ resourceType: BROKER, resourceName: '1', configs: [{ name: 'message.max.bytes', value: '2000000' }] }], validateOnly: false })
    assert.equal(legacy.responses[0]!.errorCode, ErrorCode.NONE)
    topic = await describe(c, TOPIC, 'plain', ['retention.ms', 'max.message.bytes'])
    assert.deepEqual(topic.get('retention.ms')?.slice(0, 2), ['7200000', Source.DYNAMIC_DEFAULT])
    assert.deepEqual(topic.get('max.message.bytes')?.slice(0, 2), ['2000000', Source.DYNAMIC_BROKER])
    await set('', [{ name: 'log.retention.ms', configOperation: Op.DELETE, value: null }, { name: 'log.cleanup.policy', configOperation: Op.DELETE, value: null }])
    topic = await describe(c, TOPIC, 'plain', ['retention.ms'])
    assert.deepEqual(topic.get('retention.ms'), [String(48 * 3600000), Source.DEFAULT, []])
    assert.deepEqual([...await describe(c, BROKER, '')], [])
  }))
