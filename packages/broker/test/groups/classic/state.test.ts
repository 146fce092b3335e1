import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ClassicGroup } from '../../../src/groups/classic/group.js'
import { ClassicMember } from '../../../src/groups/classic/member.js'
import { canRebalance, canTransition, type ClassicState } from '../../../src/groups/classic/state.js'

const STATES: ClassicState[] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead']

test('the classic state machine allows exactly Kafka\'s transitions', () => {
  const allowed = STATES.flatMap(from => STATES.filter(to => canTransition(from, to)).map(to => `${from}->${to}`))
  assert.deepEqual(allowed.sort(), [
    'CompletingRebalance->Dead', 'CompletingRebalance->PreparingRebalance', 'CompletingRebalance->Stable',
    'Dead->Dead',
    'Empty->Dead', 'Empty->PreparingRebalance',
    'PreparingRebalance->CompletingRebalance', 'PreparingRebalance->Dead', 'PreparingRebalance->Empty',
    'Stable->Dead', 'Stable->PreparingRebalance'
  ].sort())
  assert.deepEqual(STATES.filter(canRebalance), ['Empty', 'CompletingRebalance', 'Stable'])
  const g = new ClassicGroup('g', 0)
  assert.throws(() => g.transitionTo('Stable', 1), /no transition from Empty to Stable/)
  g.transitionTo('PreparingRebalance', 5)
  assert.deepEqual([g.state, g.previousState, g.stateTimestamp], ['PreparingRebalance', 'Empty', 5])
})

test('members: a leaving leader hands over to the first remaining member; static ids map to member ids', () => {
  const g = new ClassicGroup('g', 0)
  const m = (id: string, instance: string | null = null) => new ClassicMember(id, instance, 'c', '/h', 1000, 1000, 'consumer', [{ name: 'range', metadata: Buffer.alloc(0) }])
  g.add(m('a'))
  g.add(m('b', 'ib'))
  g.add(m('c'))
  assert.equal(g.leaderId, 'a')
  assert.equal(g.protocolType, 'consumer')
  g.remove('a')
  assert.equal(g.leaderId, 'b')
  assert.equal(g.staticMemberId('ib'), 'b')
  const fresh = g.replaceStaticMember('ib', 'b', 'b2')
  assert.deepEqual([g.leaderId, g.staticMemberId('ib'), fresh.groupInstanceId, g.has('b')], ['b2', 'b2', 'ib', false])
  assert.equal(g.isStaticMemberFenced('ib', 'b'), true)
  assert.equal(g.isStaticMemberFenced('ib', 'b2'), false)
  g.remove('b2')
  g.remove('c')
  assert.equal(g.leaderId, null)
})
