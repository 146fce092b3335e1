// Membership rules of KIP-848 groups: request validation, session and
// rebalance timeouts, static members (epoch -2, replacement, unreleased and
// fenced instance ids), group size, assignors, regex subscriptions, the
// member checks of OffsetCommit/OffsetFetch, and classic groups.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@tributary/protocol'
import type { GroupManager } from '../../../src/groups/group-manager.js'
import type { HeartbeatResponse } from '../../../src/groups/consumer/index.js'
import { CONSUMER_SETTINGS, Harness, doublyOwned, topicId } from './harness.js'

const T = topicId('t')

function parts (res: HeartbeatResponse, topic = T): number[] | undefined {
  if (res.assignment === null) return undefined
  return res.assignment.topicPartitions.find(t => t.topicId === topic)?.partitions ?? []
}

describe('request validation', () => {
  test('Kafka\'s INVALID_REQUEST cases, bad regexes and unknown assignors', async () => {
    const h = new Harness({ t: 2 })
    const code = async (req: Parameters<Harness['hb']>[0]): Promise<[number, string | null]> => {
      const r = await h.hb(req)
      return [r.errorCode, r.errorMessage]
    }
    assert.deepEqual(await code({ groupId: '', memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t'] }), [ErrorCode.INVALID_REQUEST, 'GroupId can\'t be empty.'])
    assert.deepEqual(await code({ memberId: '', memberEpoch: 0, subscribedTopicNames: ['t'] }), [ErrorCode.INVALID_REQUEST, 'MemberId can\'t be empty.'])
    assert.deepEqual(await code({ memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t'], instanceId: '' }), [ErrorCode.INVALID_REQUEST, 'InstanceId can\'t be empty.'])
    assert.deepEqual(await code({ memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t'], rackId: '' }), [ErrorCode.INVALID_REQUEST, 'RackId can\'t be empty.'])
    assert.deepEqual(await code({ memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t'], rebalanceTimeoutMs: -1 }), [ErrorCode.INVALID_REQUEST, 'RebalanceTimeoutMs must be provided in first request.'])
    assert.deepEqual(await code({ memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t'], topicPartitions: null }), [ErrorCode.INVALID_REQUEST, 'TopicPartitions must be empty when (re-)joining.'])
    assert.deepEqual(await code({ memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t'], topicPartitions: [{ topicId: T, partitions: [0] }] }), [ErrorCode.INVALID_REQUEST, 'TopicPartitions must be empty when (re-)joining.'])
    assert.deepEqual(await code({ memberId: 'a', memberEpoch: 0 }), [ErrorCode.INVALID_REQUEST, 'Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.'])
    assert.deepEqual(await code({ memberId: 'a', memberEpoch: -2 }), [ErrorCode.INVALID_REQUEST, 'InstanceId can\'t be null.'])
    assert.deepEqual(await code({ memberId: 'a', memberEpoch: -3 }), [ErrorCode.INVALID_REQUEST, 'MemberEpoch is invalid.'])
    assert.equal((await code({ memberId: 'a', memberEpoch: 0, subscribedTopicRegex: 'a(b' }))[0], ErrorCode.INVALID_REGULAR_EXPRESSION)
    assert.deepEqual(await code({ memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t'], serverAssignor: 'sticky' }),
      [ErrorCode.UNSUPPORTED_ASSIGNOR, 'ServerAssignor sticky is not supported. Supported assignors: uniform, range.'])
    // None of these created the group.
    assert.equal(h.manager.has('g'), false)
    assert.deepEqual(h.records, [])
  })

  test('v0 joins without a member id and get one from the coordinator (Kafka\'s Uuid form)', async () => {
    const h = new Harness({ t: 1 })
    const r = await h.hb({ memberId: '', memberEpoch: 0, subscribedTopicNames: ['t'], apiVersion: 0 })
    assert.equal(r.errorCode, ErrorCode.NONE)
    assert.match(r.memberId!, /^[A-Za-z0-9_-]{22}$/)
    assert.equal((await h.hb({ memberId: r.memberId!, memberEpoch: 1, apiVersion: 0 })).errorCode, ErrorCode.NONE)
  })

  test('group.consumer.max.size refuses new members, not existing ones', async () => {
    const h = new Harness({ t: 2 }, { ...CONSUMER_SETTINGS, consumerMaxSize: 2 })
    await h.hb({ memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t'] })
    await h.hb({ memberId: 'b', memberEpoch: 0, subscribedTopicNames: ['t'] })
    const c = await h.hb({ memberId: 'c', memberEpoch: 0, subscribedTopicNames: ['t'] })
    assert.deepEqual([c.errorCode, c.errorMessage], [ErrorCode.GROUP_MAX_SIZE_REACHED, 'The consumer group has reached its maximum capacity of 2 members.'])
    assert.equal((await h.hb({ memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t'] })).errorCode, ErrorCode.NONE)
    assert.equal(h.manager.group('g')!.members.size, 2)
  })
})

describe('timeouts', () => {
  test('a member that stops heartbeating is fenced after group.consumer.session.timeout.ms; its partitions move', async () => {
    const h = new Harness({ t: 4 })
    await h.hb({ memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t'] })
    await h.hb({ memberId: 'b', memberEpoch: 0, subscribedTopicNames: ['t'] })
    await h.hb({ memberId: 'a', memberEpoch: 1, topicPartitions: [{ topicId: T, partitions: [0, 1, 2, 3] }] })
    await h.hb({ memberId: 'a', memberEpoch: 1, topicPartitions: [{ topicId: T, partitions: [0, 1] }] })
    assert.deepEqual(parts(await h.hb({ memberId: 'b', memberEpoch: 2 })), [2, 3])
    // b keeps heartbeating, a does not.
    let epoch = 2
    let last: number[] | undefined
    for (let i = 0; i < 5; i++) {
      h.timers.advance(10_000)
      await h.settle()
      const r = await h.hb({ memberId: 'b', memberEpoch: epoch })
      assert.equal(r.errorCode, ErrorCode.NONE)
      epoch = r.memberEpoch
      last = parts(r) ?? last
    }
    const g = h.manager.group('g')!
    assert.deepEqual([...g.members.keys()], ['b'])
    assert.equal(g.groupEpoch, 3)
    assert.equal(epoch, 3)
    assert.deepEqual(last, [0, 1, 2, 3])
    assert.equal((await h.hb({ memberId: 'a', memberEpoch: 2 })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  })

  test('a member that does not revoke within its rebalance timeout is fenced', async () => {
    const h = new Harness({ t: 4 })
    await h.hb({ memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t'], rebalanceTimeoutMs: 20_000 })
    await h.hb({ memberId: 'b', memberEpoch: 0, subscribedTopicNames: ['t'] })
    const asked = await h.hb({ memberId: 'a', memberEpoch: 1, topicPartitions: [{ topicId: T, partitions: [0, 1, 2, 3] }] })
    assert.deepEqual(parts(asked), [0, 1])
    // a heartbeats but keeps 2 and 3.
    for (let i = 0; i < 3; i++) {
      h.timers.advance(5_000)
      await h.settle()
      const r = await h.hb({ memberId: 'a', memberEpoch: 1, topicPartitions: [{ topicId: T, partitions: [0, 1, 2, 3] }] })
      assert.equal(r.errorCode, ErrorCode.NONE)
      await h.hb({ memberId: 'b', memberEpoch: 2 })
    }
    h.timers.advance(6_000)
    await h.settle()
    assert.deepEqual([...h.manager.group('g')!.members.keys()], ['b'])
    assert.equal((await h.hb({ memberId: 'a', memberEpoch: 1 })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
    assert.deepEqual(parts(await h.hb({ memberId: 'b', memberEpoch: 2 })), [0, 1, 2, 3])
  })
})

describe('static members (KIP-848 group.instance.id)', () => {
  test('epoch -2 keeps the partitions; the instance rejoins under a new id without a rebalance', async () => {
    const h = new Harness({ t: 4 })
    await h.hb({ memberId: 'a1', memberEpoch: 0, subscribedTopicNames: ['t'], instanceId: 'ia' })
    await h.hb({ memberId: 'b', memberEpoch: 0, subscribedTopicNames: ['t'] })
    await h.hb({ memberId: 'a1', memberEpoch: 1, instanceId: 'ia', topicPartitions: [{ topicId: T, partitions: [0, 1, 2, 3] }] })
    await h.hb({ memberId: 'a1', memberEpoch: 1, instanceId: 'ia', topicPartitions: [{ topicId: T, partitions: [0, 1] }] })
    await h.hb({ memberId: 'b', memberEpoch: 2 })
    const epoch = h.manager.group('g')!.groupEpoch
    // Another process with the same instance id while a1 is active.
    const dup = await h.hb({ memberId: 'a2', memberEpoch: 0, subscribedTopicNames: ['t'], instanceId: 'ia' })
    assert.equal(dup.errorCode, ErrorCode.UNRELEASED_INSTANCE_ID)
    assert.equal((await h.hb({ memberId: 'a2', memberEpoch: 2, instanceId: 'ia' })).errorCode, ErrorCode.FENCED_INSTANCE_ID)
    assert.equal((await h.hb({ memberId: 'a2', memberEpoch: 2, instanceId: 'other' })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
    // a1 goes away for a while: it keeps 0 and 1, nobody else gets them.
    const left = await h.hb({ memberId: 'a1', memberEpoch: -2, instanceId: 'ia' })
    assert.deepEqual([left.errorCode, left.memberEpoch], [ErrorCode.NONE, -2])
    assert.equal(h.manager.group('g')!.groupEpoch, epoch)
    assert.equal(h.manager.group('g')!.members.get('a1')!.memberEpoch, -2)
    // The restarted process rejoins with a new member id and the same instance id.
    const back = await h.hb({ memberId: 'a2', memberEpoch: 0, subscribedTopicNames: ['t'], instanceId: 'ia' })
    assert.equal(back.errorCode, ErrorCode.NONE)
    assert.deepEqual(parts(back), [0, 1])
    assert.equal(back.memberEpoch, epoch)
    assert.equal(h.manager.group('g')!.groupEpoch, epoch)
    assert.deepEqual([...h.manager.group('g')!.members.keys()].sort(), ['a2', 'b'])
    assert.deepEqual(doublyOwned(h.manager), [])
    // A static member that leaves with -1 is removed.
    const gone = await h.hb({ memberId: 'a2', memberEpoch: -1, instanceId: 'ia' })
    assert.equal(gone.memberEpoch, -1)
    assert.deepEqual([...h.manager.group('g')!.members.keys()], ['b'])
  })

  test('a static member that left with -2 is removed when its session expires', async () => {
    const h = new Harness({ t: 2 })
    await h.hb({ memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t'], instanceId: 'ia' })
    await h.hb({ memberId: 'a', memberEpoch: -2, instanceId: 'ia' })
    h.timers.advance(46_000)
    await h.settle()
    assert.equal(h.manager.group('g')!.members.size, 0)
    assert.equal(h.manager.group('g')!.state, 'Empty')
  })
})

describe('subscriptions', () => {
  test('a regex matches whole topic names (RE2/J full-match semantics), never internal topics, and follows topic creation', async () => {
    const h = new Harness()
    h.setTopics({ 'orders-eu': 1, 'orders-us': 1, 'xorders-eu': 1, orders: 1, __consumer_offsets: 3 }, ['__consumer_offsets'])
    const a = await h.hb({ memberId: 'a', memberEpoch: 0, subscribedTopicRegex: 'orders-.*|__.*' })
    assert.deepEqual(a.assignment!.topicPartitions.map(t => t.topicId).sort(), [topicId('orders-eu'), topicId('orders-us')].sort())
    assert.equal(h.manager.isSubscribedTo('g', 'orders-us'), true)
    assert.equal(h.manager.isSubscribedTo('g', 'xorders-eu'), false)
    h.setTopics({ 'orders-eu': 1, 'orders-us': 1, 'orders-apac': 2, orders: 1 })
    const b = await h.hb({ memberId: 'a', memberEpoch: 1 })
    assert.equal(b.memberEpoch, 2)
    assert.deepEqual(b.assignment!.topicPartitions.find(t => t.topicId === topicId('orders-apac'))?.partitions, [0, 1])
    const d = h.manager.describe('g')!
    assert.equal(d.members[0]!.subscribedTopicRegex, 'orders-.*|__.*')
    // Switching from the regex to names (an empty regex clears it).
    const c = await h.hb({ memberId: 'a', memberEpoch: 2, subscribedTopicRegex: '', subscribedTopicNames: ['orders'], topicPartitions: [] })
    assert.equal(c.errorCode, ErrorCode.NONE)
    const e = await h.hb({ memberId: 'a', memberEpoch: c.memberEpoch, topicPartitions: [] })
    assert.deepEqual(e.assignment?.topicPartitions, [{ topicId: topicId('orders'), partitions: [0] }])
  })

  test('the assignor most members ask for is used; range gives co-partitioned ranges', async () => {
    const h = new Harness({ t: 4, u: 4 })
    await h.hb({ memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t', 'u'], serverAssignor: 'range' })
    await h.hb({ memberId: 'b', memberEpoch: 0, subscribedTopicNames: ['t', 'u'], serverAssignor: 'range' })
    assert.equal(h.manager.describe('g')!.assignorName, 'range')
    const target = h.manager.group('g')!.targetOf('a')
    assert.deepEqual(target.get(topicId('t')), [0, 1])
    assert.deepEqual(target.get(topicId('u')), [0, 1])
    const plain = new Harness({ t: 1 })
    await plain.hb({ memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t'] })
    assert.equal(plain.manager.describe('g')!.assignorName, 'uniform')
  })
})

describe('offset commit and fetch checks (KIP-848)', () => {
  test('member epochs must match; outsiders may commit only to an empty group', async () => {
    const h = new Harness({ t: 2 })
    const m = h.manager
    assert.equal(m.validateOffsetCommit('g', { memberId: '', generationIdOrMemberEpoch: -1, groupInstanceId: null }, 9), ErrorCode.NONE)
    await h.hb({ memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t'] })
    assert.equal(m.validateOffsetCommit('g', { memberId: 'a', generationIdOrMemberEpoch: 1, groupInstanceId: null }, 9), ErrorCode.NONE)
    assert.equal(m.validateOffsetCommit('g', { memberId: 'a', generationIdOrMemberEpoch: 0, groupInstanceId: null }, 9), ErrorCode.STALE_MEMBER_EPOCH)
    assert.equal(m.validateOffsetCommit('g', { memberId: 'a', generationIdOrMemberEpoch: 1, groupInstanceId: null }, 8), ErrorCode.UNSUPPORTED_VERSION)
    assert.equal(m.validateOffsetCommit('g', { memberId: 'x', generationIdOrMemberEpoch: 1, groupInstanceId: null }, 9), ErrorCode.UNKNOWN_MEMBER_ID)
    assert.equal(m.validateOffsetCommit('g', { memberId: '', generationIdOrMemberEpoch: -1, groupInstanceId: null }, 9), ErrorCode.UNKNOWN_MEMBER_ID)
    assert.equal(m.validateOffsetFetch('g', null, -1), ErrorCode.NONE)
    assert.equal(m.validateOffsetFetch('g', 'a', 1), ErrorCode.NONE)
    assert.equal(m.validateOffsetFetch('g', 'a', 2), ErrorCode.STALE_MEMBER_EPOCH)
    assert.equal(m.validateOffsetFetch('g', 'x', 1), ErrorCode.UNKNOWN_MEMBER_ID)
    assert.equal(m.validateOffsetFetch('nope', 'x', 1), ErrorCode.GROUP_ID_NOT_FOUND)
  })
})

describe('classic groups', () => {
  function classic (empty: boolean): GroupManager {
    let exists = true
    return {
      type: 'classic',
      replay (r) { if (r.kind === 'group' && r.value === null) exists = false },
      onLoaded () {},
      has: () => exists,
      list: () => [],
      validateOffsetCommit: () => ErrorCode.NONE,
      validateOffsetFetch: () => ErrorCode.NONE,
      isEmpty: () => empty,
      isSubscribedTo: () => false,
      deletionRecords: (groupId: string) => [{ kind: 'group', group: groupId, value: null }],
      close () {}
    }
  }

  test('a classic group with members is not a consumer group; an empty one is replaced', async () => {
    const busy = new Harness({ t: 1 })
    busy.other = classic(false)
    const r = await busy.hb({ memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t'] })
    assert.deepEqual([r.errorCode, r.errorMessage], [ErrorCode.GROUP_ID_NOT_FOUND, 'Group g is not a consumer group.'])
    assert.equal(busy.manager.has('g'), false)

    const idle = new Harness({ t: 1 })
    idle.other = classic(true)
    const ok = await idle.hb({ memberId: 'a', memberEpoch: 0, subscribedTopicNames: ['t'] })
    assert.equal(ok.errorCode, ErrorCode.NONE)
    assert.deepEqual(idle.records[0], { kind: 'group', group: 'g', value: null })
    assert.equal(idle.other.has('g'), false)
    assert.equal(idle.manager.has('g'), true)
  })
})
