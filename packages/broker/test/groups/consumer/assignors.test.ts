// The broker-side assignors: every subscribed partition goes to exactly one
// subscribed member; uniform balances (counts differ by at most one when
// subscriptions are homogeneous) and is sticky (only the partitions balance
// needs move); range gives co-partitioned contiguous ranges.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { EMPTY_ASSIGNMENT, partitionCount, type Assignment } from '../../../src/groups/consumer/assignment.js'
import { rangeAssignor, uniformAssignor, type AssignorMember, type AssignorTopic } from '../../../src/groups/consumer/assignors.js'

function topicsOf (counts: number[]): Map<string, AssignorTopic> {
  return new Map(counts.map((n, i) => [`id-${i}`, { id: `id-${i}`, name: `t${i}`, partitions: n }]))
}

function member (memberId: string, topics: string[], current: Assignment = EMPTY_ASSIGNMENT): AssignorMember {
  return { memberId, instanceId: null, rackId: null, topics: new Set(topics), current }
}

/** Checks that each partition of a subscribed topic is assigned once, to a subscriber; returns per-member counts. */
function checkComplete (members: AssignorMember[], topics: Map<string, AssignorTopic>, result: Map<string, Assignment>): Map<string, number> {
  const owner = new Map<string, string>()
  for (const m of members) {
    const a = result.get(m.memberId)
    assert.ok(a !== undefined, `no assignment for ${m.memberId}`)
    for (const [t, ps] of a) {
      assert.ok(m.topics.has(t), `${m.memberId} got ${t} without subscribing`)
      for (const p of ps) {
        assert.ok(p >= 0 && p < topics.get(t)!.partitions, `${t}:${p} does not exist`)
        assert.equal(owner.get(`${t}:${p}`), undefined, `${t}:${p} assigned twice`)
        owner.set(`${t}:${p}`, m.memberId)
      }
    }
  }
  for (const t of topics.values()) {
    if (!members.some(m => m.topics.has(t.id))) continue
    for (let p = 0; p < t.partitions; p++) assert.ok(owner.has(`${t.id}:${p}`), `${t.id}:${p} unassigned`)
  }
  return new Map(members.map(m => [m.memberId, partitionCount(result.get(m.memberId)!)]))
}

describe('uniform assignor', () => {
  test('homogeneous subscriptions: complete and balanced to within one', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 9 }),
      (counts, n) => {
        const topics = topicsOf(counts)
        const members = Array.from({ length: n }, (_, i) => member(`m${i}`, [...topics.keys()]))
        const sizes = [...checkComplete(members, topics, uniformAssignor.assign(members, topics)).values()]
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `unbalanced: ${sizes}`)
      }
    ), { numRuns: 200 })
  })

  test('sticky: a member joining takes only what balance needs; members leaving keep their partitions', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 3 }),
      (counts, n, joining) => {
        const topics = topicsOf(counts)
        const ids = [...topics.keys()]
        const total = counts.reduce((a, b) => a + b, 0)
        const first = Array.from({ length: n }, (_, i) => member(`m${i}`, ids))
        const before = uniformAssignor.assign(first, topics)
        // Members join: every partition an old member loses is one it had above the new quota.
        const grown = [...first.map(m => member(m.memberId, ids, before.get(m.memberId))), ...Array.from({ length: joining }, (_, i) => member(`n${i}`, ids))]
        const after = uniformAssignor.assign(grown, topics)
        const sizes = checkComplete(grown, topics, after)
        const quotaMax = Math.ceil(total / grown.length)
        let moved = 0
        for (const m of first) {
          const kept = [...before.get(m.memberId)!].reduce((acc, [t, ps]) => acc + ps.filter(p => after.get(m.memberId)!.get(t)?.includes(p)).length, 0)
          const had = partitionCount(before.get(m.memberId)!)
          assert.equal(kept, Math.min(had, sizes.get(m.memberId)!), `${m.memberId} lost partitions it could keep`)
          assert.ok(kept >= Math.min(had, quotaMax - 1))
          moved += had - kept
        }
        // Exactly what the new members hold moved.
        assert.equal(moved, grown.slice(n).reduce((acc, m) => acc + sizes.get(m.memberId)!, 0))
        // Members leave: the others keep everything they had.
        if (n > 1) {
          const left = grown.slice(1).map(m => member(m.memberId, ids, after.get(m.memberId)))
          const shrunk = uniformAssignor.assign(left, topics)
          checkComplete(left, topics, shrunk)
          for (const m of left) {
            for (const [t, ps] of after.get(m.memberId)!) for (const p of ps) assert.ok(shrunk.get(m.memberId)!.get(t)?.includes(p), `${m.memberId} lost ${t}:${p}`)
          }
        }
      }
    ), { numRuns: 200 })
  })

  test('heterogeneous subscriptions: partitions only go to subscribers, and spread where they can', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 2, maxLength: 4 }),
      fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), { minLength: 2, maxLength: 6 }),
      (counts, subs) => {
        const topics = topicsOf(counts)
        const ids = [...topics.keys()]
        const members = subs.map((s, i) => member(`m${i}`, ids.filter((_, j) => s[j] === true)))
        const result = uniformAssignor.assign(members, topics)
        const sizes = checkComplete(members, topics, result)
        // No partition could move to a subscriber with two fewer partitions.
        for (const m of members) {
          for (const [t] of result.get(m.memberId)!) {
            for (const o of members) if (o.topics.has(t)) assert.ok(sizes.get(m.memberId)! - sizes.get(o.memberId)! <= 1, `${m.memberId} could give ${t} to ${o.memberId}`)
          }
        }
      }
    ), { numRuns: 200 })
  })

  test('an example: 2 members on 6 partitions, a third joins and gets one from each', () => {
    const topics = topicsOf([6])
    const a = uniformAssignor.assign([member('a', ['id-0']), member('b', ['id-0'])], topics)
    assert.deepEqual([...a.get('a')!.get('id-0')!], [0, 1, 2])
    assert.deepEqual([...a.get('b')!.get('id-0')!], [3, 4, 5])
    const b = uniformAssignor.assign([member('a', ['id-0'], a.get('a')), member('b', ['id-0'], a.get('b')), member('c', ['id-0'])], topics)
    assert.deepEqual([...b.get('a')!.get('id-0')!], [0, 1])
    assert.deepEqual([...b.get('b')!.get('id-0')!], [3, 4])
    assert.deepEqual([...b.get('c')!.get('id-0')!], [2, 5])
  })
})

describe('range assignor', () => {
  test('co-partitioned contiguous ranges, the first members one more', () => {
    const topics = topicsOf([5, 5, 2])
    const members = [member('b', ['id-0', 'id-1']), member('a', ['id-0', 'id-1', 'id-2']), member('c', ['id-0', 'id-1'])]
    const r = rangeAssignor.assign(members, topics)
    checkComplete(members, topics, r)
    const view = (id: string): unknown => Object.fromEntries([...r.get(id)!].map(([t, ps]) => [t, [...ps]]))
    assert.deepEqual(view('a'), { 'id-0': [0, 1], 'id-1': [0, 1], 'id-2': [0, 1] })
    assert.deepEqual(view('b'), { 'id-0': [2, 3], 'id-1': [2, 3] })
    assert.deepEqual(view('c'), { 'id-0': [4], 'id-1': [4] })
  })

  test('complete for any subscriptions', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
      (counts, subs) => {
        const topics = topicsOf(counts)
        const ids = [...topics.keys()]
        const members = subs.map((s, i) => member(`m${i}`, ids.filter((_, j) => s[j] === true)))
        checkComplete(members, topics, rangeAssignor.assign(members, topics))
      }
    ), { numRuns: 200 })
  })
})
