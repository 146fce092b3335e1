// Unit tests of the transaction coordinator's state machine (TxnShard)
// with fake writes and markers: the transitions of Kafka's
// TransactionCoordinator, its error codes, and that replaying the written
// records rebuilds the same state.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@tributary/protocol'
import { decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue, type TxnRecordValue } from '../../src/transactions/records.js'
import { COMPLETION_WAIT_MS, MarkerFencedError, TxnShard, type TopicPartition } from '../../src/transactions/shard.js'

interface Marker { producerId: bigint, producerEpoch: number, commit: boolean, tp: TopicPartition }

interface Harness {
  shard: TxnShard
  log: Array<[string, TxnRecordValue | null]>
  /** Markers written, in order. */
  markers: Marker[]
  clock: { now: number }
  failWrites: { on: boolean }
  /** How many more attempts of a partition's marker fail (key `topic-partition`). */
  markerFailures: Map<string, number>
  /** Partitions that no longer exist: their markers are dropped. */
  deleted: Set<string>
  /** Partitions whose markers are refused as coming from a stale coordinator. */
  fenced: Set<string>
  /** While set, marker writes wait for it (markers still in flight). */
  gate: { wait: Promise<void> | undefined, open: () => void }
  errors: string[]
}

function harness (): Harness {
  const log: Array<[string, TxnRecordValue | null]> = []
  const markers: Marker[] = []
  const clock = { now: 1_000_000 }
  const failWrites = { on: false }
  const markerFailures = new Map<string, number>()
  const deleted = new Set<string>()
  const fenced = new Set<string>()
  const errors: string[] = []
  const gate: Harness['gate'] = { wait: undefined, open: () => {} }
  let nextId = 1000n
  const shard = new TxnShard(0, {
    write: async (id, value) => {
      if (failWrites.on) throw new Error('disk on fire')
      // Through the real encoding, as the log would store it.
      log.push([decodeTxnKey(encodeTxnKey(id)), value === null ? null : decodeTxnValue(encodeTxnValue(value))])
    },
    writeMarker: async (tp, producerId, producerEpoch, commit) => {
      if (gate.wait !== undefined) await gate.wait
      const k = `${tp.topic}-${tp.partition}`
      if (deleted.has(k)) return 'deleted'
      if (fenced.has(k)) throw new MarkerFencedError('newer coordinator')
      const fails = markerFailures.get(k) ?? 0
      if (fails > 0) { markerFailures.set(k, fails - 1); throw new Error(`${k} is not available`) }
      markers.push({ producerId, producerEpoch, commit, tp })
      return 'written'
    },
    allocateProducerId: async () => nextId++,
    now: () => clock.now,
    onError: (message) => { errors.push(message) },
    retryBackoffMs: 1,
    retryBackoffMaxMs: 4
  })
  return { shard, log, markers, clock, failWrites, markerFailures, deleted, fenced, gate, errors }
}

/** Makes marker writes wait until the returned function is called. */
function holdMarkers (h: Harness): () => void {
  let open!: () => void
  h.gate.wait = new Promise<void>(resolve => { open = resolve })
  return () => { h.gate.wait = undefined; open() }
}

const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition })

describe('transaction coordinator state machine', () => {
  test('a new transactional id gets a new producer id with epoch 0; the next InitProducerId bumps the epoch', async () => {
    const { shard, log } = harness()
    assert.deepEqual(await shard.initProducerId('a', 60000, -1n, -1), { errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 0 })
    assert.deepEqual(await shard.initProducerId('a', 60000, -1n, -1), { errorCode: ErrorCode.NONE, producerId: 1000n, producerEpoch: 1 })
    assert.equal(shard.txns.get('a')!.state, 'Empty')
    assert.deepEqual(log.map(([, v]) => v!.state), ['Empty', 'Empty'])
  })

  test('commit: Ongoing, PrepareCommit, markers, CompleteCommit; a retried commit is NONE, an abort after it INVALID_TXN_STATE', async () => {
    const h = harness()
    const { shard, log, markers } = h
    const { producerId, producerEpoch } = await shard.initProducerId('a', 60000, -1n, -1)
    assert.equal(await shard.addPartitions('a', producerId, producerEpoch, [tp('t', 0), tp('t', 1)]), ErrorCode.NONE)
    assert.equal(shard.txns.get('a')!.state, 'Ongoing')
    // Adding a partition already in the transaction writes nothing.
    const before = log.length
    assert.equal(await shard.addPartitions('a', producerId, producerEpoch, [tp('t', 1)]), ErrorCode.NONE)
    assert.equal(log.length, before)
    assert.equal(await shard.endTxn('a', producerId, producerEpoch, true), ErrorCode.NONE)
    await shard.settled()
    assert.deepEqual(log.map(([, v]) => v!.state), ['Empty', 'Ongoing', 'PrepareCommit', 'CompleteCommit'])
    assert.deepEqual(log[2]![1]!.partitions, [{ topic: 't', partitions: [0, 1] }])
    assert.deepEqual(log[3]![1]!.partitions, [])
    assert.deepEqual(markers, [{ producerId, producerEpoch, commit: true, tp: tp('t', 0) }, { producerId, producerEpoch, commit: true, tp: tp('t', 1) }])
    assert.equal(await shard.endTxn('a', producerId, producerEpoch, true), ErrorCode.NONE)
    assert.equal(await shard.endTxn('a', producerId, producerEpoch, false), ErrorCode.INVALID_TXN_STATE)
    assert.equal(markers.length, 2)
  })

  test('EndTxn is answered once PrepareCommit is durable; until the markers are written requests get CONCURRENT_TRANSACTIONS', async () => {
    const h = harness()
    const { shard, log, markers } = h
    const p = await shard.initProducerId('a', 60000, -1n, -1)
    await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)])
    const release = holdMarkers(h)
    assert.equal(await shard.endTxn('a', p.producerId, p.producerEpoch, true), ErrorCode.NONE)
    assert.equal(shard.txns.get('a')!.state, 'PrepareCommit')
    assert.equal(markers.length, 0)
    // Kafka: a retried EndTxn with the same decision is CONCURRENT_TRANSACTIONS, the other decision INVALID_TXN_STATE.
    assert.equal(await shard.endTxn('a', p.producerId, p.producerEpoch, true), ErrorCode.CONCURRENT_TRANSACTIONS)
    assert.equal(await shard.endTxn('a', p.producerId, p.producerEpoch, false), ErrorCode.INVALID_TXN_STATE)
    // The next transaction (AddPartitionsToTxn, AddOffsetsToTxn) and InitProducerId wait for the markers.
    assert.equal(await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 1)]), ErrorCode.CONCURRENT_TRANSACTIONS)
    assert.equal((await shard.initProducerId('a', 60000, -1n, -1)).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS)
    // A stale KIP-360 pair is fenced before the state is looked at, as Kafka.
    assert.equal((await shard.initProducerId('a', 60000, p.producerId, p.producerEpoch + 5)).errorCode, ErrorCode.PRODUCER_FENCED)
    // The old epoch is fenced, a wrong producer id unmapped, whatever the state.
    assert.equal(await shard.endTxn('a', p.producerId, p.producerEpoch - 1, true), ErrorCode.PRODUCER_FENCED)
    assert.equal(await shard.endTxn('a', p.producerId + 1n, p.producerEpoch, true), ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    assert.equal(log.at(-1)![1]!.state, 'PrepareCommit')
    release()
    await shard.settled()
    assert.equal(shard.txns.get('a')!.state, 'CompleteCommit')
    assert.deepEqual(markers.map(m => [m.tp.partition, m.commit]), [[0, true]])
    assert.equal(await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 1)]), ErrorCode.NONE)
  })

  test('AddPartitionsToTxn right after EndTxn waits for the markers in flight (at most COMPLETION_WAIT_MS) instead of answering CONCURRENT_TRANSACTIONS', async () => {
    const h = harness()
    const { shard, markers } = h
    const p = await shard.initProducerId('a', 60000, -1n, -1)
    await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)])
    const release = holdMarkers(h)
    assert.equal(await shard.endTxn('a', p.producerId, p.producerEpoch, true), ErrorCode.NONE)
    // The markers land 20 ms later, while the next transaction's first AddPartitionsToTxn waits.
    const next = shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 1)])
    setTimeout(release, 20)
    const started = Date.now()
    assert.equal(await next, ErrorCode.NONE)
    assert.ok(Date.now() - started < COMPLETION_WAIT_MS * 10, 'answered once the markers were written')
    assert.deepEqual(markers.map(m => [m.tp.partition, m.commit]), [[0, true]], 'the markers of the first transaction came first')
    assert.equal(shard.txns.get('a')!.state, 'Ongoing')
    assert.deepEqual([...shard.txns.get('a')!.partitions.values()], [tp('t', 1)])
    // A stale epoch does not wait: it is fenced at once.
    const release2 = holdMarkers(h)
    assert.equal(await shard.endTxn('a', p.producerId, p.producerEpoch, false), ErrorCode.NONE)
    assert.equal(await shard.addPartitions('a', p.producerId, p.producerEpoch - 1, [tp('t', 2)]), ErrorCode.PRODUCER_FENCED)
    release2()
    await shard.settled()
  })

  test('abort: EndTxn answered after PrepareAbort; a retried abort is CONCURRENT_TRANSACTIONS while markers are pending, a commit INVALID_TXN_STATE', async () => {
    const h = harness()
    const { shard, markers } = h
    const p = await shard.initProducerId('a', 60000, -1n, -1)
    await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)])
    const release = holdMarkers(h)
    assert.equal(await shard.endTxn('a', p.producerId, p.producerEpoch, false), ErrorCode.NONE)
    assert.equal(shard.txns.get('a')!.state, 'PrepareAbort')
    assert.equal(await shard.endTxn('a', p.producerId, p.producerEpoch, false), ErrorCode.CONCURRENT_TRANSACTIONS)
    assert.equal(await shard.endTxn('a', p.producerId, p.producerEpoch, true), ErrorCode.INVALID_TXN_STATE)
    release()
    await shard.settled()
    assert.equal(shard.txns.get('a')!.state, 'CompleteAbort')
    assert.deepEqual(markers.map(m => m.commit), [false])
    assert.equal(await shard.endTxn('a', p.producerId, p.producerEpoch, false), ErrorCode.NONE)
  })

  test('a failed marker write is retried with backoff; the transaction completes only once every marker is written', async () => {
    const h = harness()
    const { shard, log, markers } = h
    const p = await shard.initProducerId('a', 60000, -1n, -1)
    await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0), tp('t', 1)])
    h.markerFailures.set('t-1', 3)
    const release = holdMarkers(h)
    assert.equal(await shard.endTxn('a', p.producerId, p.producerEpoch, true), ErrorCode.NONE)
    release()
    await shard.settled()
    assert.equal(h.markerFailures.get('t-1'), 0)
    assert.equal(h.errors.filter(e => e.includes('t-1')).length, 3)
    assert.deepEqual(markers.map(m => `${m.tp.topic}-${m.tp.partition}`), ['t-0', 't-1'])
    assert.deepEqual(log.map(([, v]) => v!.state), ['Empty', 'Ongoing', 'PrepareCommit', 'CompleteCommit'])
  })

  test('a failed Complete write is retried; the state stays Prepare* (CONCURRENT_TRANSACTIONS) until it succeeds', async () => {
    const h = harness()
    const { shard, log } = h
    const p = await shard.initProducerId('a', 60000, -1n, -1)
    await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)])
    const release = holdMarkers(h)
    assert.equal(await shard.endTxn('a', p.producerId, p.producerEpoch, true), ErrorCode.NONE)
    h.failWrites.on = true
    release()
    for (let i = 0; i < 200 && !h.errors.some(e => e.startsWith('completing a')); i++) await new Promise(resolve => setTimeout(resolve, 5))
    assert.ok(h.errors.some(e => e.startsWith('completing a')))
    assert.equal(shard.txns.get('a')!.state, 'PrepareCommit')
    assert.equal(await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)]), ErrorCode.CONCURRENT_TRANSACTIONS)
    h.failWrites.on = false
    await shard.settled()
    assert.equal(shard.txns.get('a')!.state, 'CompleteCommit')
    assert.equal(log.at(-1)![1]!.state, 'CompleteCommit')
  })

  test('markers to a deleted partition are dropped; the transaction completes', async () => {
    const h = harness()
    const p = await h.shard.initProducerId('a', 60000, -1n, -1)
    await h.shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('gone', 0), tp('t', 0)])
    h.deleted.add('gone-0')
    assert.equal(await h.shard.endTxn('a', p.producerId, p.producerEpoch, false), ErrorCode.NONE)
    await h.shard.settled()
    assert.equal(h.shard.txns.get('a')!.state, 'CompleteAbort')
    assert.deepEqual(h.markers.map(m => `${m.tp.topic}-${m.tp.partition}`), ['t-0'])
  })

  test('a marker refused as TRANSACTION_COORDINATOR_FENCED stops the round: no retry, no Complete record (the newer coordinator owns it)', async () => {
    const h = harness()
    const p = await h.shard.initProducerId('a', 60000, -1n, -1)
    await h.shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)])
    h.fenced.add('t-0')
    assert.equal(await h.shard.endTxn('a', p.producerId, p.producerEpoch, true), ErrorCode.NONE)
    await h.shard.settled()
    assert.equal(h.shard.txns.get('a')!.state, 'PrepareCommit')
    assert.equal(h.log.at(-1)![1]!.state, 'PrepareCommit')
    assert.deepEqual(h.errors.filter(e => e.includes('retrying')), [])
  })

  test('close() stops the retries of a marker round; a new load of the log resumes it and completes', async () => {
    const a = harness()
    const p = await a.shard.initProducerId('a', 60000, -1n, -1)
    await a.shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)])
    a.markerFailures.set('t-0', 1_000_000)
    assert.equal(await a.shard.endTxn('a', p.producerId, p.producerEpoch, true), ErrorCode.NONE)
    for (let i = 0; i < 200 && a.errors.length < 2; i++) await new Promise(resolve => setTimeout(resolve, 5))
    a.shard.close()
    await a.shard.settled()
    assert.equal(a.shard.txns.get('a')!.state, 'PrepareCommit')
    assert.equal(a.markers.length, 0)
    const b = harness()
    for (const [id, v] of a.log) b.shard.replay(id, v)
    b.shard.resumeCompletions()
    await b.shard.settled()
    assert.equal(b.shard.txns.get('a')!.state, 'CompleteCommit')
    assert.deepEqual(b.markers.map(m => [m.producerEpoch, m.commit]), [[p.producerEpoch, true]])
  })

  test('EndTxn without a transaction is INVALID_TXN_STATE', async () => {
    const { shard } = harness()
    const { producerId, producerEpoch } = await shard.initProducerId('a', 60000, -1n, -1)
    assert.equal(await shard.endTxn('a', producerId, producerEpoch, true), ErrorCode.INVALID_TXN_STATE)
  })

  test('unknown ids or producer ids are INVALID_PRODUCER_ID_MAPPING; an old epoch is PRODUCER_FENCED', async () => {
    const { shard } = harness()
    assert.equal(await shard.addPartitions('nope', 1n, 0, [tp('t', 0)]), ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    const first = await shard.initProducerId('a', 60000, -1n, -1)
    assert.equal(await shard.addPartitions('a', first.producerId + 1n, 0, [tp('t', 0)]), ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    await shard.initProducerId('a', 60000, -1n, -1)
    assert.equal(await shard.addPartitions('a', first.producerId, first.producerEpoch, [tp('t', 0)]), ErrorCode.PRODUCER_FENCED)
    assert.equal(await shard.endTxn('a', first.producerId, first.producerEpoch, true), ErrorCode.PRODUCER_FENCED)
    // KIP-360: recovering with a stale id/epoch pair is fenced too.
    assert.equal((await shard.initProducerId('a', 60000, first.producerId, first.producerEpoch)).errorCode, ErrorCode.PRODUCER_FENCED)
  })

  test('InitProducerId during an ongoing transaction: PrepareAbort with a fencing epoch, CONCURRENT_TRANSACTIONS, and the retry after the abort gets the next epoch', async () => {
    const h = harness()
    const { shard, markers, log } = h
    const p = await shard.initProducerId('a', 60000, -1n, -1)
    await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 2)])
    const release = holdMarkers(h)
    assert.deepEqual(await shard.initProducerId('a', 60000, -1n, -1), { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS, producerId: -1n, producerEpoch: -1 })
    assert.deepEqual([log.at(-1)![1]!.state, log.at(-1)![1]!.producerEpoch], ['PrepareAbort', 1])
    // The old producer is fenced at once (its epoch is no longer current).
    assert.equal(await shard.endTxn('a', p.producerId, p.producerEpoch, true), ErrorCode.PRODUCER_FENCED)
    assert.equal(await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)]), ErrorCode.PRODUCER_FENCED)
    // Retries while the abort's markers are pending: CONCURRENT_TRANSACTIONS.
    assert.equal((await shard.initProducerId('a', 60000, -1n, -1)).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS)
    release()
    await shard.settled()
    assert.deepEqual(markers, [{ producerId: p.producerId, producerEpoch: 1, commit: false, tp: tp('t', 2) }])
    assert.equal(shard.txns.get('a')!.state, 'CompleteAbort')
    assert.deepEqual(await shard.initProducerId('a', 60000, -1n, -1), { errorCode: ErrorCode.NONE, producerId: p.producerId, producerEpoch: 2 })
    assert.deepEqual(log.map(([, v]) => [v!.state, v!.producerEpoch]), [['Empty', 0], ['Ongoing', 0], ['PrepareAbort', 1], ['CompleteAbort', 1], ['Empty', 2]])
  })

  test('requests while a write is in flight get CONCURRENT_TRANSACTIONS', async () => {
    const { shard } = harness()
    const p = await shard.initProducerId('a', 60000, -1n, -1)
    const adding = shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)])
    assert.equal(await shard.endTxn('a', p.producerId, p.producerEpoch, true), ErrorCode.CONCURRENT_TRANSACTIONS)
    assert.equal((await shard.initProducerId('a', 60000, -1n, -1)).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS)
    assert.equal(await adding, ErrorCode.NONE)
  })

  test('a failed write leaves the state as it was and the id usable', async () => {
    const { shard, failWrites } = harness()
    const p = await shard.initProducerId('a', 60000, -1n, -1)
    failWrites.on = true
    await assert.rejects(shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)]))
    failWrites.on = false
    assert.equal(shard.txns.get('a')!.state, 'Empty')
    assert.equal(await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)]), ErrorCode.NONE)
  })

  test('transaction.timeout.ms aborts an old ongoing transaction and fences its producer', async () => {
    const { shard, markers, clock } = harness()
    const p = await shard.initProducerId('a', 1000, -1n, -1)
    await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)])
    clock.now += 1000
    assert.equal(shard.abortTimedOut(), 0)
    clock.now += 1
    assert.equal(shard.abortTimedOut(), 1)
    await shard.settled()
    assert.equal(shard.txns.get('a')!.state, 'CompleteAbort')
    assert.deepEqual(markers.map(m => [m.commit, m.producerEpoch]), [[false, 1]])
    assert.equal(await shard.endTxn('a', p.producerId, p.producerEpoch, true), ErrorCode.PRODUCER_FENCED)
  })

  test('transactional.id.expiration.ms removes idle finished ids with a tombstone, not ongoing ones', async () => {
    const { shard, log, clock } = harness()
    await shard.initProducerId('idle', 60000, -1n, -1)
    const busy = await shard.initProducerId('busy', 600000, -1n, -1)
    await shard.addPartitions('busy', busy.producerId, busy.producerEpoch, [tp('t', 0)])
    clock.now += 5000
    assert.equal(shard.expireIds(5000), 1)
    await shard.settled()
    assert.equal(shard.txns.has('idle'), false)
    assert.equal(shard.txns.has('busy'), true)
    assert.deepEqual(log.at(-1), ['idle', null])
  })

  test('verify_only (KIP-890) answers NONE only for partitions of the ongoing transaction', async () => {
    const { shard } = harness()
    const p = await shard.initProducerId('a', 60000, -1n, -1)
    await shard.addPartitions('a', p.producerId, p.producerEpoch, [tp('t', 0)])
    assert.equal(shard.verify('a', p.producerId, p.producerEpoch, tp('t', 0)), ErrorCode.NONE)
    assert.equal(shard.verify('a', p.producerId, p.producerEpoch, tp('t', 1)), ErrorCode.INVALID_TXN_STATE)
    assert.equal(shard.verify('a', p.producerId, p.producerEpoch + 1, tp('t', 0)), ErrorCode.PRODUCER_FENCED)
  })

  test('replaying the written records rebuilds the state; a transaction caught in PrepareCommit is completed at load', async () => {
    const a = harness()
    const p = await a.shard.initProducerId('x', 60000, -1n, -1)
    await a.shard.addPartitions('x', p.producerId, p.producerEpoch, [tp('t', 0)])
    await a.shard.endTxn('x', p.producerId, p.producerEpoch, true)
    await a.shard.settled()
    const q = await a.shard.initProducerId('y', 60000, -1n, -1)
    await a.shard.addPartitions('y', q.producerId, q.producerEpoch, [tp('u', 3)])
    const b = harness()
    for (const [id, v] of a.log) b.shard.replay(id, v)
    assert.equal(b.shard.txns.get('x')!.state, 'CompleteCommit')
    assert.equal(b.shard.txns.get('y')!.state, 'Ongoing')
    assert.deepEqual([...b.shard.txns.get('y')!.partitions.values()], [tp('u', 3)])
    // Cut the log after a PrepareCommit: the loaded coordinator sends the markers and completes.
    const c = harness()
    for (const [id, v] of a.log.slice(0, 3)) c.shard.replay(id, v)
    assert.equal(c.shard.txns.get('x')!.state, 'PrepareCommit')
    c.shard.resumeCompletions()
    await c.shard.settled()
    assert.equal(c.shard.txns.get('x')!.state, 'CompleteCommit')
    assert.deepEqual(c.markers.map(m => [m.tp, m.commit]), [[tp('t', 0), true]])
  })
})
