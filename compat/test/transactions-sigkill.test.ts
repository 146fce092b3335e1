// Exactly-once consume-transform-produce under SIGKILL (issue 6, point 5):
// a librdkafka process (confluent-kafka-python) reads an input topic with
// read_committed, writes one output record per input record and commits
// its input offsets in the same transaction (send_offsets_to_transaction).
// It is killed with SIGKILL at random moments, 20 times, and restarted;
// each restart fences the previous incarnation (same transactional.id),
// whose open transaction is aborted, and resumes from the offsets
// committed with the last committed transaction (OffsetFetch
// require_stable waits out a pending one). Afterwards the output read with
// read_committed holds exactly one record per input record.
import { spawn, type ChildProcess } from 'node:child_process'
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { runOk, runPython, SYSTEM_PYTHON, startTestBroker, withTimeout, type TestBroker } from '@tributary/testkit'

const T = 60_000
const INPUTS = 3000
const KILLS = 20

const FILL = `
import sys
from confluent_kafka import Producer
bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'linger.ms': 5})
for i in range(n):
    p.produce(topic, value=str(i).encode(), partition=0)
assert p.flush(30) == 0
`

/** The consume-transform-produce loop: up to 10 inputs per transaction; exits once the input end is committed. */
const EOS_LOOP = `
import sys
from confluent_kafka import Consumer, Producer, TopicPartition
bootstrap, src, dst, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'eos-group', 'isolation.level': 'read_committed',
              'enable.auto.commit': False, 'auto.offset.reset': 'earliest'})
c.assign([TopicPartition(src, 0)])
p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'eos-loop', 'linger.ms': 1, 'transaction.timeout.ms': 10000})
p.init_transactions(30)
# Resume from the offset committed with the last committed transaction (-1001: none yet).
done = max(0, c.committed([TopicPartition(src, 0)], 30)[0].offset)
while done < n:
    msgs = c.consume(10, 0.5)
    msgs = [m for m in msgs if m.error() is None]
    if not msgs:
        continue
    p.begin_transaction()
    for m in msgs:
        p.produce(dst, value=b'out-' + m.value(), partition=int(m.value()) % 3)
    done = msgs[-1].offset() + 1
    p.send_offsets_to_transaction([TopicPartition(src, 0, done)], c.consumer_group_metadata(), 30)
    p.commit_transaction(30)
    print('committed', done, flush=True)
c.close()
`

interface KcatMessage { payload: string | null }

describe('exactly-once consume-transform-produce under SIGKILL', () => {
  let broker: TestBroker | undefined
  const children = new Set<ChildProcess>()
  after(async () => {
    for (const ch of children) ch.kill('SIGKILL')
    await broker?.close()
  })

  function startLoop (b: TestBroker): { child: ChildProcess, exited: Promise<number | null> } {
    const child = spawn(SYSTEM_PYTHON, ['-c', EOS_LOOP, b.bootstrap, 'eos-in', 'eos-out', String(INPUTS)], { stdio: ['ignore', 'pipe', 'pipe'] })
    children.add(child)
    child.stdout!.resume()
    child.stderr!.resume()
    const exited = new Promise<number | null>(resolve => child.on('exit', code => { children.delete(child); resolve(code) }))
    return { child, exited }
  }

  test(`killed ${KILLS} times, the output holds exactly one record per input`, { timeout: 180_000 }, async () => {
    const b = broker = await startTestBroker({
      'num.partitions': 3, 'transaction.state.log.num.partitions': 2, 'offsets.topic.num.partitions': 2, 'group.initial.rebalance.delay.ms': 0
    })
    await runPython(FILL, [b.bootstrap, 'eos-in', String(INPUTS)], { timeoutMs: T })
    // A seeded sequence of kill delays keeps the run reproducible (a simple LCG).
    let seed = 12345
    const nextDelay = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return 300 + (seed % 1200) }
    let kills = 0
    for (let k = 0; k < KILLS; k++) {
      const { child, exited } = startLoop(b)
      const code = await Promise.race([exited, new Promise<'timer'>(resolve => setTimeout(() => resolve('timer'), nextDelay()))])
      assert.equal(code, 'timer', 'the loop ended before it was killed: there is too little input for the kills')
      child.kill('SIGKILL')
      await exited
      kills++
    }
    assert.equal(kills, KILLS)
    const { exited } = startLoop(b)
    assert.equal(await withTimeout(exited, 90_000, 'the final run of the loop'), 0)
    const r = await runOk('kcat', ['-b', b.bootstrap, '-C', '-t', 'eos-out', '-o', 'beginning', '-e', '-J', '-q', '-X', 'isolation.level=read_committed'], { timeoutMs: T })
    const values = r.stdout.split('\n').filter(l => l.trim() !== '').map(l => (JSON.parse(l) as KcatMessage).payload!)
    const counts = new Map<string, number>()
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([v]) => v)
    assert.deepEqual(duplicated, [], 'outputs written more than once')
    assert.equal(counts.size, INPUTS, 'every input has its output')
  })
})
