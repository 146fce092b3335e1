// Consumer groups in __consumer_offsets: the records' keys (Kafka's key
// versions 3-8, group id first), the state rebuilt from their bytes after a
// restart, tombstones on leave and deletion, and a failed write undone.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, Reader } from '@tributary/protocol'
import type { ConsumerGroupManager } from '../../../src/groups/consumer/index.js'
import { decodeConsumerRecord, encodeConsumerRecord } from '../../../src/groups/consumer/records.js'
import { encodeGroupRecord, type GroupRecord } from '../../../src/groups/records/index.js'
import { Harness, topicId } from './harness.js'

const T = topicId('t')

/** Everything a group holds, in a comparable form. */
function stateOf (m: ConsumerGroupManager, groupId = 'g'): unknown {
  const g = m.group(groupId)
  if (g === undefined) return undefined
  const plain = (a: ReadonlyMap<string, readonly number[]>): unknown => [...a].sort(([x], [y]) => x < y ? -1 : 1)
  return {
    state: g.state,
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    topics: [...g.subscriptionMetadata].sort(),
    members: [...g.members.values()].sort((a, b) => a.memberId < b.memberId ? -1 : 1).map(mm => ({ ...mm, subscribedTopicNames: [...mm.subscribedTopicNames], assigned: plain(mm.assigned), pendingRevocation: plain(mm.pendingRevocation) })),
    targets: [...g.targets].sort(([x], [y]) => x < y ? -1 : 1).map(([id, a]) => [id, plain(a)]),
    describe: m.describe(groupId),
    list: [...m.list()]
  }
}

async function busyGroup (): Promise<Harness> {
  const h = new Harness({ t: 6, 'logs-a': 2, 'logs-b': 1 })
  await h.hb({ memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t'], rackId: 'r1', instanceId: 'ia', rebalanceTimeoutMs: 30_000 })
  await h.hb({ memberId: 'b', memberEpoch: 0, subscribedTopicNames: ['t'], subscribedTopicRegex: 'logs-.*', serverAssignor: 'uniform', clientId: 'cb', clientHost: '/10.0.0.2' })
  await h.hb({ memberId: 'c', memberEpoch: 0, subscribedTopicNames: ['t'] })
  // a is asked to revoke, and has not yet: it is left in UNREVOKED_PARTITIONS.
  await h.hb({ memberId: 'a', memberEpoch: 1, instanceId: 'ia', topicPartitions: [{ topicId: T, partitions: [0, 1, 2, 3, 4, 5] }] })
  return h
}

describe('consumer group records', () => {
  test('keys are Kafka\'s versions 3-8 with the group id (and member id) first; values round-trip', async () => {
    const h = await busyGroup()
    const versions = new Set<number>()
    for (const r of h.records) {
      assert.equal(r.kind, 'consumer')
      if (r.kind !== 'consumer') continue
      versions.add(r.keyVersion)
      const { key } = encodeGroupRecord(r)
      const k = new Reader(key)
      assert.equal(k.int16(), r.keyVersion)
      assert.equal(k.string(), 'g')
      if ([5, 7, 8].includes(r.keyVersion)) assert.match(k.string(), /^[abc]$/)
      assert.equal(k.remaining, 0)
      const d = decodeConsumerRecord(r)!
      assert.deepEqual(encodeConsumerRecord(d), r)
    }
    assert.deepEqual([...versions].sort(), [3, 4, 5, 6, 7, 8])
    // Unknown KIP-848 keys (16: regular expressions) are skipped.
    assert.equal(decodeConsumerRecord({ kind: 'consumer', group: 'g', keyVersion: 16, key: Buffer.from([0, 1, 0x67, 0, 1, 0x78]), value: Buffer.from([0, 0]) }), null)
  })

  test('a restart rebuilds the same state from the records, and members carry on with their epochs', async () => {
    const h = await busyGroup()
    const before = stateOf(h.manager)
    const m = h.restart()
    assert.deepEqual(stateOf(m), before)
    // a finishes its revocation after the restart; b and c continue.
    const a = await h.hb({ memberId: 'a', memberEpoch: 1, instanceId: 'ia', topicPartitions: [{ topicId: T, partitions: [0, 1] }] })
    assert.equal(a.errorCode, ErrorCode.NONE)
    assert.equal(a.memberEpoch, 3)
    assert.equal((await h.hb({ memberId: 'b', memberEpoch: 2 })).errorCode, ErrorCode.NONE)
    assert.equal((await h.hb({ memberId: 'c', memberEpoch: 3 })).errorCode, ErrorCode.NONE)
    const again = stateOf(h.manager)
    assert.deepEqual(stateOf(h.restart()), again)
    // Sessions restart on load: silent members are fenced one session later.
    h.timers.advance(46_000)
    await h.settle()
    assert.equal(h.manager.group('g')!.members.size, 0)
    assert.deepEqual(stateOf(h.restart()), stateOf(h.manager))
  })

  test('a member leaving writes tombstones; deletion records remove the whole group', async () => {
    const h = await busyGroup()
    const n = h.records.length
    await h.hb({ memberId: 'c', memberEpoch: 3, subscribedTopicNames: null })
    await h.hb({ memberId: 'c', memberEpoch: -1 })
    const leave = h.records.slice(n).filter((r): r is Extract<GroupRecord, { kind: 'consumer' }> => r.kind === 'consumer' && r.value === null)
    assert.deepEqual(leave.map(r => r.keyVersion), [8, 7, 5])
    for (const id of ['a', 'b']) await h.hb({ memberId: id, memberEpoch: -1, instanceId: id === 'a' ? 'ia' : null })
    assert.equal(h.manager.isEmpty('g'), true)
    const tombstones = h.manager.deletionRecords('g')
    assert.ok(tombstones.every(r => r.kind === 'consumer' && r.value === null))
    assert.deepEqual(tombstones.map(r => r.kind === 'consumer' ? r.keyVersion : 0), [6, 4, 3])
    await h.ctx.write(tombstones)
    assert.equal(h.manager.has('g'), false)
    assert.equal(h.restart().has('g'), false)
  })

  test('a failed write answers with its error code and leaves the group as it was', async () => {
    const h = await busyGroup()
    const before = stateOf(h.manager)
    const count = h.records.length
    h.failWrites = true
    const r = await h.hb({ memberId: 'd', memberEpoch: 0, subscribedTopicNames: ['t'] })
    assert.deepEqual([r.errorCode, r.errorMessage], [ErrorCode.NOT_COORDINATOR, 'injected write failure'])
    assert.equal((await h.hb({ memberId: 'b', memberEpoch: -1 })).errorCode, ErrorCode.NOT_COORDINATOR)
    const fresh = await h.hb({ groupId: 'new', memberId: 'x', memberEpoch: 0, subscribedTopicNames: ['t'] })
    assert.equal(fresh.errorCode, ErrorCode.NOT_COORDINATOR)
    assert.equal(h.manager.has('new'), false)
    assert.deepEqual(stateOf(h.manager), before)
    assert.equal(h.records.length, count)
    // b's failed leave left it a member, still on the session clock.
    assert.ok(h.timers.keys().some(k => k.includes('session') && k.endsWith('\u0000b')))
    h.failWrites = false
    assert.equal((await h.hb({ memberId: 'd', memberEpoch: 0, subscribedTopicNames: ['t'] })).errorCode, ErrorCode.NONE)
    assert.deepEqual(stateOf(h.restart()), stateOf(h.manager))
  })
})
