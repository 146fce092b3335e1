import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  ControlRecordType, decodeControlRecordKey, decodeEndTxnMarker, decodeRecordBatchSync, decodeTransactionMarker,
  encodeControlBatch, encodeControlRecordKey, encodeEndTxnMarker, encodeRecordBatchSync, isTransactionMarker,
  readBatchHeader, verifyBatchCrc
} from '../../src/records/index.js'
import { throwsDecode } from './helpers.js'

test('commit and abort markers round trip with Kafka\'s layout', () => {
  for (const commit of [true, false]) {
    const batch = encodeControlBatch({
      producerId: 4242n, producerEpoch: 7, commit, coordinatorEpoch: 19, timestamp: 1_700_000_000_123n, baseOffset: 300n, partitionLeaderEpoch: 4
    })
    assert.ok(verifyBatchCrc(batch))
    const h = readBatchHeader(batch)
    assert.equal(h.isControl, true)
    assert.equal(h.isTransactional, true)
    assert.equal(h.compression, 0)
    assert.equal(h.baseSequence, -1)
    assert.equal(h.recordsCount, 1)
    assert.equal(h.partitionLeaderEpoch, 4)
    const decoded = decodeRecordBatchSync(batch)
    const rec = decoded.records[0]!
    // Key: version 0, type (1 = COMMIT, 0 = ABORT). Value: version 0, coordinator epoch.
    assert.deepEqual([...rec.key!], [0, 0, 0, commit ? 1 : 0])
    assert.deepEqual([...rec.value!], [0, 0, 0, 0, 0, 19])
    assert.ok(isTransactionMarker(rec))
    assert.deepEqual(decodeTransactionMarker(decoded), {
      commit, coordinatorEpoch: 19, producerId: 4242n, producerEpoch: 7, offset: 300n, timestamp: 1_700_000_000_123n
    })
  }
})

test('newer key and value versions are read by their known fields', () => {
  const key = Buffer.from([0, 3, 0, 1, 0xaa])
  assert.deepEqual(decodeControlRecordKey(key), { version: 3, type: ControlRecordType.COMMIT })
  const value = Buffer.concat([Buffer.from([0, 1, 0, 0, 1, 0]), Buffer.from([9, 9])])
  assert.deepEqual(decodeEndTxnMarker(value), { version: 1, coordinatorEpoch: 256 })
  assert.deepEqual(decodeControlRecordKey(encodeControlRecordKey(ControlRecordType.LEADER_CHANGE)), { version: 0, type: 2 })
  assert.deepEqual(decodeEndTxnMarker(encodeEndTxnMarker(-1)), { version: 0, coordinatorEpoch: -1 })
})

test('malformed control records are decode errors', () => {
  throwsDecode(() => decodeControlRecordKey(null))
  throwsDecode(() => decodeControlRecordKey(Buffer.from([0, 0, 1])))
  throwsDecode(() => decodeControlRecordKey(Buffer.from([0xff, 0xff, 0, 1])), /version/)
  throwsDecode(() => decodeEndTxnMarker(Buffer.from([0, 0, 0, 0, 1])))
  throwsDecode(() => decodeEndTxnMarker(Buffer.from([0x80, 0, 0, 0, 0, 1])), /version/)
  const plain = decodeRecordBatchSync(encodeRecordBatchSync({ records: [{ key: null, value: null }] }))
  throwsDecode(() => decodeTransactionMarker(plain), /not a control batch/)
  const leaderChange = decodeRecordBatchSync(encodeRecordBatchSync({
    control: true, records: [{ key: encodeControlRecordKey(ControlRecordType.LEADER_CHANGE), value: Buffer.alloc(0) }]
  }))
  throwsDecode(() => decodeTransactionMarker(leaderChange), /not a transaction marker/)
  assert.equal(isTransactionMarker(leaderChange.records[0]!), false)
})
