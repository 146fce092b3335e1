// Long-running Python group members for groups-classic.test.ts: each runs
// as a child process of Debian's python3, prints one JSON line per
// rebalance callback ({"ev": "assign" | "revoke" | "lost", "parts": [...],
// "owned": [...]}, "owned" being what it holds afterwards), and leaves the
// group and exits when its stdin says "stop" (or closes). SIGKILL is the
// crash case.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { SYSTEM_PYTHON } from '@tributary/testkit'

/**
 * confluent-kafka-python (librdkafka). argv: bootstrap group topic strategy
 * instance-id ('' for none) session-timeout-ms. With cooperative-sticky the
 * callbacks carry the increments (KIP-429) and call incremental_assign /
 * incremental_unassign; otherwise the full assignment.
 */
export const CONFLUENT_MEMBER = `
import json, sys, threading, time
from confluent_kafka import Consumer
bootstrap, group, topic, strategy, instance, session = sys.argv[1:7]
cooperative = strategy == 'cooperative-sticky'
conf = {'bootstrap.servers': bootstrap, 'group.id': group, 'enable.auto.commit': False,
        'partition.assignment.strategy': strategy, 'session.timeout.ms': int(session),
        'heartbeat.interval.ms': 500, 'auto.offset.reset': 'earliest', 'topic.metadata.refresh.interval.ms': 2000}
if instance:
    conf['group.instance.id'] = instance
owned = set()
def out(ev, parts):
    print(json.dumps({'ev': ev, 'parts': sorted(parts), 'owned': sorted(owned), 't': time.time()}), flush=True)
def on_assign(c, ps):
    parts = [p.partition for p in ps]
    if cooperative:
        owned.update(parts)
        c.incremental_assign(ps)
    else:
        owned.clear(); owned.update(parts)
        c.assign(ps)
    out('assign', parts)
def on_revoke(c, ps):
    parts = [p.partition for p in ps]
    if cooperative:
        owned.difference_update(parts)
        c.incremental_unassign(ps)
    else:
        owned.clear()
        c.unassign()
    out('revoke', parts)
def on_lost(c, ps):
    owned.clear()
    out('lost', [p.partition for p in ps])
c = Consumer(conf)
c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_lost)
stop = threading.Event()
def watch():
    for line in sys.stdin:
        if line.strip() == 'stop':
            break
    stop.set()
threading.Thread(target=watch, daemon=True).start()
deadline = time.time() + 120
while not stop.is_set() and time.time() < deadline:
    m = c.poll(0.2)
    if m is not None and m.error():
        print(json.dumps({'ev': 'error', 'msg': str(m.error())}), flush=True)
c.close()
print(json.dumps({'ev': 'closed'}), flush=True)
`

/** kafka-python with the roundrobin assignor (shared with @platformatic/kafka's default). argv: bootstrap group topic session-timeout-ms. */
export const KAFKA_PYTHON_MEMBER = `
import json, sys, threading, time
from kafka import KafkaConsumer, ConsumerRebalanceListener
from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
bootstrap, group, topic, session = sys.argv[1:5]
owned = set()
def out(ev, parts):
    print(json.dumps({'ev': ev, 'parts': sorted(parts), 'owned': sorted(owned), 't': time.time()}), flush=True)
class Listener(ConsumerRebalanceListener):
    def on_partitions_revoked(self, revoked):
        owned.clear()
        out('revoke', [p.partition for p in revoked])
    def on_partitions_assigned(self, assigned):
        owned.clear(); owned.update(p.partition for p in assigned)
        out('assign', [p.partition for p in assigned])
c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False, auto_offset_reset='earliest',
                  session_timeout_ms=int(session), heartbeat_interval_ms=500, api_version_auto_timeout_ms=10000,
                  partition_assignment_strategy=[RoundRobinPartitionAssignor], metadata_max_age_ms=2000)
c.subscribe([topic], listener=Listener())
stop = threading.Event()
def watch():
    for line in sys.stdin:
        if line.strip() == 'stop':
            break
    stop.set()
threading.Thread(target=watch, daemon=True).start()
deadline = time.time() + 120
while not stop.is_set() and time.time() < deadline:
    c.poll(timeout_ms=200)
c.close()
print(json.dumps({'ev': 'closed'}), flush=True)
`

export interface MemberEvent { ev: string, parts?: number[], owned?: number[], msg?: string, t?: number }

/** One Python group member: its events as they arrive, and ways to wait for, stop or kill it. */
export class PythonMember {
  readonly events: MemberEvent[] = []
  readonly stderr: string[] = []
  private readonly child: ChildProcessWithoutNullStreams
  private readonly exited: Promise<number | null>
  private buffer = ''

  constructor (readonly name: string, script: string, args: string[]) {
    this.child = spawn(SYSTEM_PYTHON, ['-u', '-c', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    this.child.stdout.on('data', (b: Buffer) => {
      this.buffer += b.toString('utf8')
      let nl: number
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl).trim()
        this.buffer = this.buffer.slice(nl + 1)
        if (line.startsWith('{')) this.events.push(JSON.parse(line) as MemberEvent)
      }
    })
    this.child.stderr.on('data', (b: Buffer) => { this.stderr.push(b.toString('utf8')) })
    this.child.stdin.on('error', () => {})
    this.exited = new Promise(resolve => this.child.on('close', code => resolve(code)))
  }

  /** What it holds after its last callback. */
  owned (): number[] {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i]!.owned !== undefined) return this.events[i]!.owned!
    return []
  }

  get pid (): number | undefined { return this.child.pid }

  /** Waits until `pred` holds, polling; fails with the member's output after `timeoutMs`. */
  async waitFor (pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`${this.name}: ${what} not seen within ${timeoutMs} ms; events ${JSON.stringify(this.events)}; stderr ${this.stderr.join('').slice(-2000)}`)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }

  /** Leaves the group (consumer close) and exits; killed if it takes longer than `timeoutMs`. */
  async stop (timeoutMs = 20_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    this.child.stdin.end('stop\n')
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs)
    await this.exited
    clearTimeout(t)
  }

  /** A crash: no LeaveGroup, the broker only notices when the session times out. */
  async kill (): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    this.child.kill('SIGKILL')
    await this.exited
  }
}

/** True when the members' partitions are exactly 0..n-1, each owned once. */
export function splitsExactly (owned: number[][], n: number): boolean {
  const all = owned.flat().sort((a, b) => a - b)
  return all.length === n && all.every((p, i) => p === i)
}
