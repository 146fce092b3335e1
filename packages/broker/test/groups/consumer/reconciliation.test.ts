// KIP-848 reconciliation through the manager: partitions move only after
// their previous owner revoked them, member epochs advance to the target
// assignment epoch as members converge, and no partition is ever held by two
// members, whatever the order of heartbeats, joins, leaves, crashes and
// partition changes (a property over random schedules).
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ErrorCode } from '@tributary/protocol'
import type { HeartbeatResponse } from '../../../src/groups/consumer/index.js'
import { Harness, doublyOwned, topicId } from './harness.js'

const T = topicId('t')
const U = topicId('u')

function parts (res: HeartbeatResponse, topic = T): number[] | undefined {
  if (res.assignment === null) return undefined
  return res.assignment.topicPartitions.find(t => t.topicId === topic)?.partitions ?? []
}

describe('reconciliation', () => {
  test('a second member gets partitions only after the first revoked them', async () => {
    const h = new Harness({ t: 6 })
    const a1 = await h.hb({ memberId: 'A', memberEpoch: 0, subscribedTopicNames: ['t'] })
    assert.equal(a1.errorCode, ErrorCode.NONE)
    assert.equal(a1.memberEpoch, 1)
    assert.deepEqual(parts(a1), [0, 1, 2, 3, 4, 5])
    assert.equal(a1.heartbeatIntervalMs, 5000)
    assert.equal(h.manager.group('g')!.state, 'Stable')

    // B joins: the target moves 3-5 to B, but A still holds them.
    const b1 = await h.hb({ memberId: 'B', memberEpoch: 0, subscribedTopicNames: ['t'] })
    assert.equal(b1.memberEpoch, 2)
    assert.deepEqual(parts(b1), [])
    assert.equal(h.manager.group('g')!.state, 'Reconciling')
    assert.deepEqual(doublyOwned(h.manager), [])

    // A is asked to revoke 3-5 and stays at epoch 1 until it has.
    const a2 = await h.hb({ memberId: 'A', memberEpoch: 1, topicPartitions: [{ topicId: T, partitions: [0, 1, 2, 3, 4, 5] }] })
    assert.equal(a2.memberEpoch, 1)
    assert.deepEqual(parts(a2), [0, 1, 2])
    // B asks again: still nothing, A has not confirmed.
    const b2 = await h.hb({ memberId: 'B', memberEpoch: 2 })
    assert.equal(b2.memberEpoch, 2)
    assert.equal(b2.assignment, null)
    // A keeps reporting 3-5: still unrevoked.
    const a3 = await h.hb({ memberId: 'A', memberEpoch: 1, topicPartitions: [{ topicId: T, partitions: [0, 1, 2, 3] }] })
    assert.equal(a3.memberEpoch, 1)
    // A revoked them: it moves to epoch 2; then B gets 3-5.
    const a4 = await h.hb({ memberId: 'A', memberEpoch: 1, topicPartitions: [{ topicId: T, partitions: [0, 1, 2] }] })
    assert.equal(a4.memberEpoch, 2)
    assert.equal(a4.assignment, null)
    const b3 = await h.hb({ memberId: 'B', memberEpoch: 2 })
    assert.deepEqual(parts(b3), [3, 4, 5])
    assert.equal(h.manager.group('g')!.state, 'Stable')
    assert.deepEqual(doublyOwned(h.manager), [])

    const d = h.manager.describe('g')!
    assert.equal(d.groupEpoch, 2)
    assert.equal(d.assignmentEpoch, 2)
    assert.equal(d.assignorName, 'uniform')
    assert.deepEqual(d.members.map(m => [m.memberId, m.memberEpoch, m.assignment[0]?.partitions, m.targetAssignment[0]?.partitions]),
      [['A', 2, [0, 1, 2], [0, 1, 2]], ['B', 2, [3, 4, 5], [3, 4, 5]]])
    assert.equal(d.members[0]!.assignment[0]!.topicName, 't')
  })

  test('the previous epoch is accepted with a subset of the assignment (a lost response); otherwise the member is fenced', async () => {
    const h = new Harness({ t: 4 })
    await h.hb({ memberId: 'A', memberEpoch: 0, subscribedTopicNames: ['t'] })
    await h.hb({ memberId: 'B', memberEpoch: 0, subscribedTopicNames: ['t'] })
    await h.hb({ memberId: 'A', memberEpoch: 1, topicPartitions: [{ topicId: T, partitions: [0, 1, 2, 3] }] })
    const moved = await h.hb({ memberId: 'A', memberEpoch: 1, topicPartitions: [{ topicId: T, partitions: [0, 1] }] })
    assert.equal(moved.memberEpoch, 2)
    // The answer with epoch 2 was lost: A retries with epoch 1 and a subset.
    const retry = await h.hb({ memberId: 'A', memberEpoch: 1, topicPartitions: [{ topicId: T, partitions: [0, 1] }] })
    assert.equal(retry.errorCode, ErrorCode.NONE)
    assert.equal(retry.memberEpoch, 2)
    // Not a subset, an older epoch, or a future epoch: fenced.
    assert.equal((await h.hb({ memberId: 'A', memberEpoch: 1, topicPartitions: [{ topicId: T, partitions: [0, 1, 2] }] })).errorCode, ErrorCode.FENCED_MEMBER_EPOCH)
    assert.equal((await h.hb({ memberId: 'A', memberEpoch: 0 - 0 + 1, topicPartitions: null })).errorCode, ErrorCode.FENCED_MEMBER_EPOCH)
    assert.equal((await h.hb({ memberId: 'A', memberEpoch: 7 })).errorCode, ErrorCode.FENCED_MEMBER_EPOCH)
    assert.equal((await h.hb({ memberId: 'Z', memberEpoch: 2 })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
    assert.equal((await h.hb({ groupId: 'nope', memberId: 'Z', memberEpoch: 2 })).errorCode, ErrorCode.GROUP_ID_NOT_FOUND)
    // A fenced member rejoins with epoch 0 under its id and gets its partitions again.
    const rejoin = await h.hb({ memberId: 'A', memberEpoch: 0, subscribedTopicNames: ['t'] })
    assert.equal(rejoin.errorCode, ErrorCode.NONE)
    assert.deepEqual(parts(rejoin), [0, 1])
  })

  test('a member that leaves frees its partitions for the others; the group epoch is bumped', async () => {
    const h = new Harness({ t: 4 })
    await h.hb({ memberId: 'A', memberEpoch: 0, subscribedTopicNames: ['t'] })
    await h.hb({ memberId: 'B', memberEpoch: 0, subscribedTopicNames: ['t'] })
    await h.hb({ memberId: 'A', memberEpoch: 1, topicPartitions: [{ topicId: T, partitions: [0, 1, 2, 3] }] })
    await h.hb({ memberId: 'A', memberEpoch: 1, topicPartitions: [{ topicId: T, partitions: [0, 1] }] })
    assert.deepEqual(parts(await h.hb({ memberId: 'B', memberEpoch: 2 })), [2, 3])
    const left = await h.hb({ memberId: 'B', memberEpoch: -1 })
    assert.deepEqual([left.errorCode, left.memberId, left.memberEpoch], [ErrorCode.NONE, 'B', -1])
    assert.equal(h.manager.group('g')!.groupEpoch, 3)
    assert.equal(h.manager.group('g')!.state, 'Assigning')
    const a = await h.hb({ memberId: 'A', memberEpoch: 2 })
    assert.equal(a.memberEpoch, 3)
    assert.deepEqual(parts(a), [0, 1, 2, 3])
    assert.equal((await h.hb({ memberId: 'B', memberEpoch: -1 })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
    await h.hb({ memberId: 'A', memberEpoch: -1 })
    assert.equal(h.manager.group('g')!.state, 'Empty')
    assert.equal(h.manager.isEmpty('g'), true)
    assert.deepEqual([...h.manager.list()], [{ groupId: 'g', protocolType: 'consumer', state: 'Empty', type: 'consumer' }])
  })

  test('new partitions, new topics matching a subscription, and deleted topics change the target', async () => {
    const h = new Harness({ t: 2 })
    await h.hb({ memberId: 'A', memberEpoch: 0, subscribedTopicNames: ['t', 'u'] })
    h.setTopics({ t: 4 })
    const grown = await h.hb({ memberId: 'A', memberEpoch: 1 })
    assert.equal(grown.memberEpoch, 2)
    assert.deepEqual(parts(grown), [0, 1, 2, 3])
    h.setTopics({ t: 4, u: 1 })
    const created = await h.hb({ memberId: 'A', memberEpoch: 2 })
    assert.equal(created.memberEpoch, 3)
    assert.deepEqual(parts(created, U), [0])
    h.setTopics({ u: 1 })
    // t is gone: its partitions are revoked first.
    const deleted = await h.hb({ memberId: 'A', memberEpoch: 3, topicPartitions: [{ topicId: T, partitions: [0, 1, 2, 3] }, { topicId: U, partitions: [0] }] })
    assert.equal(deleted.memberEpoch, 3)
    assert.deepEqual(parts(deleted), [])
    const done = await h.hb({ memberId: 'A', memberEpoch: 3, topicPartitions: [{ topicId: U, partitions: [0] }] })
    assert.equal(done.memberEpoch, 4)
  })

  test('changing the subscription revokes the topics left and assigns the new ones', async () => {
    const h = new Harness({ t: 2, u: 2 })
    await h.hb({ memberId: 'A', memberEpoch: 0, subscribedTopicNames: ['t'] })
    const sw = await h.hb({ memberId: 'A', memberEpoch: 1, subscribedTopicNames: ['u'], topicPartitions: [{ topicId: T, partitions: [0, 1] }] })
    assert.equal(sw.memberEpoch, 1)
    assert.deepEqual(sw.assignment?.topicPartitions, [])
    const next = await h.hb({ memberId: 'A', memberEpoch: 1, topicPartitions: [] })
    assert.equal(next.memberEpoch, 2)
    assert.deepEqual(parts(next, U), [0, 1])
  })

  test('random schedules never give a partition to two members, and the group converges', async () => {
    type Action =
      | { kind: 'hb', who: number, full: boolean }
      | { kind: 'leave', who: number }
      | { kind: 'crash', who: number }
      | { kind: 'grow', topic: 't' | 'u' }
      | { kind: 'expire' }
    const action: fc.Arbitrary<Action> = fc.oneof(
      { weight: 8, arbitrary: fc.record({ kind: fc.constant('hb' as const), who: fc.integer({ min: 0, max: 3 }), full: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), who: fc.integer({ min: 0, max: 3 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), who: fc.integer({ min: 0, max: 3 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('grow' as const), topic: fc.constantFrom('t' as const, 'u' as const) }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'expire' as const }) }
    )
    await fc.assert(fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 60 }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), async (actions, lazy) => {
      const counts = { t: 3, u: 2 }
      const h = new Harness(counts)
      interface Sim { id: string, epoch: number, inGroup: boolean, owned: Map<string, Set<number>>, toRevoke: Map<string, Set<number>>, lazy: boolean, lastSeen: number }
      let incarnation = 0
      const sims: Sim[] = [0, 1, 2, 3].map(i => ({ id: `m${i}-0`, epoch: 0, inGroup: false, owned: new Map(), toRevoke: new Map(), lazy: lazy[i]!, lastSeen: 0 }))
      const reset = (s: Sim, newId: boolean): void => {
        s.inGroup = false; s.epoch = 0; s.owned = new Map(); s.toRevoke = new Map()
        if (newId) s.id = `${s.id.split('-')[0]}-${++incarnation}`
      }
      const list = (m: Map<string, Set<number>>): Array<{ topicId: string, partitions: number[] }> => [...m].map(([topicId, ps]) => ({ topicId, partitions: [...ps].sort((a, b) => a - b) }))
      const step = async (s: Sim, full: boolean): Promise<void> => {
        // A lazy member finishes revoking one step late.
        for (const [t, ps] of s.toRevoke) for (const p of ps) s.owned.get(t)?.delete(p)
        s.toRevoke = new Map()
        const res = s.inGroup
          ? await h.hb({ memberId: s.id, memberEpoch: s.epoch, topicPartitions: full ? list(s.owned) : null, subscribedTopicNames: full ? ['t', 'u'] : null, rebalanceTimeoutMs: full ? 60_000 : -1 })
          : await h.hb({ memberId: s.id, memberEpoch: 0, subscribedTopicNames: ['t', 'u'] })
        if (res.errorCode === ErrorCode.FENCED_MEMBER_EPOCH || res.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) { reset(s, res.errorCode === ErrorCode.UNKNOWN_MEMBER_ID); return }
        assert.equal(res.errorCode, ErrorCode.NONE, res.errorMessage ?? '')
        s.inGroup = true
        s.epoch = res.memberEpoch
        s.lastSeen = h.clock.now
        if (res.assignment !== null) {
          const next = new Map(res.assignment.topicPartitions.map(t => [t.topicId, new Set(t.partitions)]))
          const revoked = new Map<string, Set<number>>()
          for (const [t, ps] of s.owned) for (const p of ps) if (!next.get(t)?.has(p)) { if (!revoked.has(t)) revoked.set(t, new Set()); revoked.get(t)!.add(p) }
          if (s.lazy) {
            for (const [t, ps] of next) { if (!s.owned.has(t)) s.owned.set(t, new Set()); for (const p of ps) s.owned.get(t)!.add(p) }
            s.toRevoke = revoked
          } else {
            s.owned = next
          }
        }
      }
      const check = (): void => {
        assert.deepEqual(doublyOwned(h.manager), [])
        const live = h.manager.group('g')
        const seen = new Map<string, string>()
        for (const s of sims) {
          if (!s.inGroup || live?.members.has(s.id) !== true) continue
          for (const [t, ps] of s.owned) for (const p of ps) {
            const k = `${t}:${p}`
            assert.equal(seen.get(k), undefined, `${k} owned by ${seen.get(k)} and ${s.id}`)
            seen.set(k, s.id)
          }
        }
      }
      for (const a of actions) {
        if (a.kind === 'hb') await step(sims[a.who]!, a.full)
        else if (a.kind === 'leave') {
          const s = sims[a.who]!
          if (s.inGroup) await h.hb({ memberId: s.id, memberEpoch: -1 })
          reset(s, true)
        } else if (a.kind === 'crash') {
          reset(sims[a.who]!, true) // its session expires later
        } else if (a.kind === 'grow') {
          counts[a.topic]++
          h.setTopics(counts)
        } else {
          h.timers.advance(46_000)
          await h.settle()
          for (const s of sims) if (s.inGroup && h.manager.group('g')?.members.has(s.id) !== true) reset(s, false)
        }
        check()
      }
      // Quiet rounds: the live members keep heartbeating while the sessions
      // of crashed ones expire; then the group converges.
      const live = sims.filter(s => s.inGroup)
      for (let round = 0; round < 14; round++) {
        for (const s of live) { await step(s, true); check() }
        if (round < 6) { h.timers.advance(10_000); await h.settle(); check() }
      }
      const g = h.manager.group('g')
      if (live.length === 0) return
      assert.equal(g!.state, 'Stable')
      for (const s of live) assert.equal(s.epoch, g!.groupEpoch)
      const total = counts.t + counts.u
      const sizes = live.map(s => [...s.owned.values()].reduce((n, ps) => n + ps.size, 0))
      assert.equal(sizes.reduce((a, b) => a + b, 0), total)
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `unbalanced ${sizes}`)
    }), { numRuns: 150 })
  })
})
