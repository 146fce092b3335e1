// Transaction markers on a data partition and the coordinator epoch they
// carry (Kafka's appendEndTxnMarker): a marker from a coordinator epoch
// older than one the partition saw for the producer is refused
// (TRANSACTION_COORDINATOR_FENCED) and changes nothing, also after the
// producer state is rebuilt from the log; the epoch of each
// `__transaction_state` partition grows at every load, across restarts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DiskLog } from '@tributary/log'
import { ErrorCode, encodeRecordBatchSync } from '@tributary/protocol'
import { CoordinatorFencedError, Partition } from '../../src/partitions/partition.js'
import { CoordinatorEpochs } from '../../src/transactions/coordinator-epochs.js'

test('a marker of an older coordinator epoch is refused with TRANSACTION_COORDINATOR_FENCED; the open transaction stays open', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'trib-markers-'))
  const log = await DiskLog.open(join(dir, 't-0'), {}, { logger: { warn: () => {} } })
  try {
    const p = await Partition.open('t', 0, log, 60_000)
    const batch = (seq: number): Buffer => encodeRecordBatchSync({ transactional: true, producerId: 7n, producerEpoch: 0, baseSequence: seq, records: [{ key: null, value: Buffer.from(`v${seq}`) }] })
    await p.append(batch(0), false).durable
    await p.writeMarker(7n, 0, true, 3)
    assert.equal(p.producers.get(7n)!.coordinatorEpoch, 3)
    assert.equal(p.lastStableOffset, 2n)
    await p.append(batch(1), false).durable
    const end = p.logEndOffset
    await assert.rejects(p.writeMarker(7n, 0, false, 2), (err: unknown) => err instanceof CoordinatorFencedError && err.errorCode === ErrorCode.TRANSACTION_COORDINATOR_FENCED)
    assert.equal(p.logEndOffset, end)
    assert.equal(p.lastStableOffset, 2n)
    // The same or a newer epoch is accepted.
    await p.writeMarker(7n, 0, true, 4)
    assert.equal(p.lastStableOffset, end + 1n)
    assert.equal(p.producers.get(7n)!.coordinatorEpoch, 4)
  } finally {
    await log.close()
    await rm(dir, { recursive: true, force: true })
  }
})

test('the coordinator epoch of the last marker is rebuilt from the log at open (recovery reads it from the marker), so the fence survives a restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'trib-markers-reopen-'))
  try {
    const batch = encodeRecordBatchSync({ transactional: true, producerId: 9n, producerEpoch: 0, baseSequence: 0, records: [{ key: null, value: Buffer.from('v') }] })
    const first = await DiskLog.open(join(dir, 't-0'), {}, { logger: { warn: () => {} } })
    const p = await Partition.open('t', 0, first, 60_000)
    await p.append(batch, false).durable
    await p.writeMarker(9n, 0, false, 5)
    await first.close()
    const second = await DiskLog.open(join(dir, 't-0'), {}, { logger: { warn: () => {} } })
    try {
      const q = await Partition.open('t', 0, second, 60_000)
      assert.equal(q.producers.get(9n)!.coordinatorEpoch, 5)
      await assert.rejects(q.writeMarker(9n, 0, false, 4), CoordinatorFencedError)
    } finally {
      await second.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('coordinator epochs grow at every load of a partition, also across restarts (persisted)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'trib-coord-epochs-'))
  try {
    const a = new CoordinatorEpochs(dir)
    assert.equal(a.current(0), -1)
    assert.deepEqual([a.next(0), a.next(0), a.next(1)], [0, 1, 0])
    const b = new CoordinatorEpochs(dir)
    assert.deepEqual([b.current(0), b.current(1)], [1, 0])
    assert.deepEqual([b.next(0), b.next(1)], [2, 1])
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
