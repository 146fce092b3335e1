import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kafka } from 'kafkajs'
import { runOk, silentKafkaJsLogCreator, startTestBroker, type TestBroker } from '@tributary/testkit'
import { bin, cli, cliOk, home, removeHome, rows } from './helpers/cli.js'

// `tributary produce` read back with kcat, `tributary consume` reading what
// kcat wrote, and group consumption checked with kafkajs' admin.
describe('tributary produce / consume', () => {
  let broker: TestBroker
  let kafka: Kafka
  const dir = mkdtempSync(join(tmpdir(), 'tributary-cli-pc-'))
  before(async () => {
    broker = await startTestBroker({ 'num.partitions': 1, 'group.initial.rebalance.delay.ms': 0 })
    kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'cli-test', logCreator: silentKafkaJsLogCreator })
    await cliOk(broker.bootstrap, ['topic', 'create', 'in', 'out', '-p', '2'])
  })
  after(async () => { await broker.close(); rmSync(dir, { recursive: true, force: true }); removeHome() })

  async function kcat (topic: string, format: string): Promise<string[]> {
    const r = await runOk('kcat', ['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', format])
    return r.stdout.split('\n').filter(l => l !== '').sort()
  }

  test('produce: keys, per-line and flag headers, partition, compression and acks; kcat reads them', async () => {
    const r = await cliOk(broker.bootstrap, ['produce', 'in', '-K', ':', '--header-separator', '|', '-H', 'src=cli', '-p', '1', '-z', 'gzip', '--acks', '1'],
      { input: 'k1:v1\ntrace=7|k2:v2\nnokey\n' })
    assert.match(r.stdout, /^produced 3 records to in\n/)
    assert.deepEqual(rows(r.stdout).slice(1), [['PARTITION', 'RECORDS', 'FIRST-OFFSET', 'LAST-OFFSET'], ['1', '3', '0', '2']])
    assert.deepEqual(await kcat('in', '%p|%o|%k|%s|%h\n'), ['1|0|k1|v1|src=cli', '1|1|k2|v2|src=cli,trace=7', '1|2||nokey|src=cli'])
  })

  test('produce with --acks 0 reports no offsets; kcat still reads the records', async () => {
    const r = await cliOk(broker.bootstrap, ['produce', 'acks0', '--acks', '0', '--format', 'json'], { input: 'x\ny\n' })
    const j = JSON.parse(r.stdout) as { records: number, partitions: Array<{ firstOffset: number | null }> }
    assert.equal(j.records, 2)
    assert.ok(j.partitions.every(p => p.firstOffset === null))
    // acks=0: nothing confirms the write; kcat waits until both are there.
    const kc = await runOk('kcat', ['-b', broker.bootstrap, '-C', '-t', 'acks0', '-o', 'beginning', '-c', '2', '-f', '%s\n'], { timeoutMs: 15_000 })
    assert.equal(kc.stdout, 'x\ny\n')
  })

  test('a group consumer without --num stops on SIGINT, exit 0, having committed what it printed', async () => {
    await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', 'sig', '-p', '0'], { input: 'one\ntwo\n' })
    const child = spawn(process.execPath, [bin, 'consume', 'sig', '-g', 'sig-group', '-o', 'beginning'], { env: { PATH: process.env.PATH, HOME: home, TRIBUTARY_BROKERS: broker.bootstrap }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (b: Buffer) => { out += b.toString(); if (out === 'one\ntwo\n') resolve() })
        void exited.then(code => reject(new Error(`exited ${code} early: ${out}`)))
      })
      child.kill('SIGINT')
      assert.equal(await exited, 0)
    } finally { clearTimeout(killer) }
    const admin = kafka.admin()
    await admin.connect()
    try {
      const [t] = await admin.fetchOffsets({ groupId: 'sig-group', topics: ['sig'] })
      assert.equal(t!.partitions[0]!.offset, '2')
    } finally { await admin.disconnect() }
  })

  test('a reader that goes away (| head -1) ends consume quietly with exit 0', async () => {
    // More than a pipe buffer holds, so that writes fail once head has exited.
    const file = join(dir, 'many.txt')
    writeFileSync(file, Array.from({ length: 20_000 }, (_, i) => `record-${i}`).join('\n') + '\n')
    await cliOk(broker.bootstrap, ['produce', 'many', '--file', file, '-p', '0'])
    const r = await runOk('bash', ['-c', 'set -o pipefail; "$0" "$1" consume many -o beginning | head -1', process.execPath, bin],
      { env: { PATH: process.env.PATH, HOME: home, TRIBUTARY_BROKERS: broker.bootstrap }, timeoutMs: 20_000 })
    assert.equal(r.stdout, 'record-0\n')
    assert.equal(r.stderr, '')
  })

  test('at a terminal (a pty from util-linux script): produce prompts, shows progress on stderr, reads until Ctrl-D', async () => {
    // script(1) gives the command a pseudo-terminal; what we write is typed into it.
    const typed = (async function * () {
      await new Promise(resolve => setTimeout(resolve, 1500))
      yield 'k:typed\n'
      await new Promise(resolve => setTimeout(resolve, 500))
      yield '\x04'
    })()
    const child = spawn('script', ['-qec', `"${process.execPath}" "${bin}" produce tty -K :`, '/dev/null'], { env: { PATH: process.env.PATH, HOME: home, TRIBUTARY_BROKERS: broker.bootstrap }, stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (b: Buffer) => { out += b.toString() })
    const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    try {
      for await (const chunk of typed) child.stdin.write(chunk)
      assert.equal(await exited, 0, out)
    } finally { clearTimeout(killer) }
    assert.match(out, /reading records for tty from stdin, one per line \(key:value\); Ctrl-D to finish/)
    assert.match(out, /\rproducing to tty 1 records/)
    assert.match(out, /produced 1 record to tty/)
    assert.deepEqual(await kcat('tty', '%k=%s\n'), ['k=typed'])
  })

  test('produce: every codec; JSON report', async () => {
    for (const z of ['snappy', 'lz4', 'zstd', 'none']) {
      const r = await cliOk(broker.bootstrap, ['produce', 'out', '-z', z, '-p', '0', '--format', 'json'], { input: `${z}-a\n${z}-b\n` })
      const j = JSON.parse(r.stdout) as { records: number, partitions: Array<{ partition: number, records: number }> }
      assert.equal(j.records, 2)
      assert.deepEqual(j.partitions.map(p => [p.partition, p.records]), [[0, 2]])
    }
    const values = await kcat('out', '%s\n')
    assert.deepEqual(values, ['lz4-a', 'lz4-b', 'none-a', 'none-b', 'snappy-a', 'snappy-b', 'zstd-a', 'zstd-b'])
  })

  test('produce from a file shows a progress bar (forced with TRIBUTARY_PROGRESS=1); bad flags exit 2', async () => {
    const file = join(dir, 'lines.txt')
    writeFileSync(file, Array.from({ length: 1200 }, (_, i) => `line-${i}`).join('\n') + '\n')
    const r = await cliOk(broker.bootstrap, ['produce', 'out', '--file', file, '-p', '1'], { env: { TRIBUTARY_PROGRESS: '1' } })
    assert.match(r.stdout, /produced 1200 records to out/)
    assert.match(r.stderr, /\rproducing to out \[#+\] 100% \d+\/\d+ bytes/)
    const quiet = await cliOk(broker.bootstrap, ['produce', 'out', '--file', file, '-p', '1'])
    assert.equal(quiet.stderr, '', 'no progress bar when stderr is not a terminal')
    const bad = await cli(broker.bootstrap, ['produce', 'out', '-z', 'brotli'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /--compression 'brotli' is not one of none, gzip, snappy, lz4, zstd/)
    const noFile = await cli(broker.bootstrap, ['produce', 'out', '--file', join(dir, 'missing')])
    assert.equal(noFile.code, 2)
  })

  test('consume what kcat wrote: template, JSON, from an offset, from a timestamp, --num', async () => {
    await runOk('kcat', ['-b', broker.bootstrap, '-P', '-t', 'kc', '-p', '0', '-K', ':', '-H', 'h=1'], { input: 'a:1\nb:2\nc:3\n' })
    const t = await cliOk(broker.bootstrap, ['consume', 'kc', '-o', 'beginning', '-e', '-f', '%t %p %o %k=%v %h %K %S'])
    assert.equal(t.stdout, 'kc 0 0 a=1 h=1 1 1\nkc 0 1 b=2 h=1 1 1\nkc 0 2 c=3 h=1 1 1\n')
    const j = await cliOk(broker.bootstrap, ['consume', 'kc', '-o', '1', '-e', '--format', 'json'])
    const recs = j.stdout.trim().split('\n').map(l => JSON.parse(l) as { offset: number, key: string, value: string, headers: unknown, timestamp: number })
    assert.deepEqual(recs.map(x => [x.offset, x.key, x.value]), [[1, 'b', '2'], [2, 'c', '3']])
    assert.deepEqual(recs[0]!.headers, [{ key: 'h', value: '1' }])
    const all = (await cliOk(broker.bootstrap, ['consume', 'kc', '-o', 'beginning', '-e', '--format', 'json'])).stdout.trim().split('\n').map(l => JSON.parse(l) as { offset: number, timestamp: number })
    const at = all[2]!.timestamp
    // ListOffsets by time: the first record whose timestamp is at or after the given one, then everything after it.
    const first = all.find(x => x.timestamp >= at)!.offset
    const ts = await cliOk(broker.bootstrap, ['consume', 'kc', '-o', `@${at}`, '-e', '-f', '%o'])
    assert.deepEqual(ts.stdout.trim().split('\n').map(Number), all.filter(x => x.offset >= first).map(x => x.offset))
    const last = await cliOk(broker.bootstrap, ['consume', 'kc', '-o', '-2', '-e'])
    assert.equal(last.stdout, '2\n3\n', 'kcat\'s -o -N: the last N records')
    const more = await cliOk(broker.bootstrap, ['consume', 'kc', '-o', '-10', '-e'])
    assert.equal(more.stdout, '1\n2\n3\n', 'never before the log start')
    const n = await cliOk(broker.bootstrap, ['consume', 'kc', '-o', 'beginning', '-n', '2'])
    assert.equal(n.stdout, '1\n2\n')
    const end = await cliOk(broker.bootstrap, ['consume', 'kc', '-o', 'end', '-e'])
    assert.equal(end.stdout, '')
  })

  test('consume to a file with a progress bar; --idle-timeout stops a consumer that waits', async () => {
    const file = join(dir, 'out.txt')
    const r = await cliOk(broker.bootstrap, ['consume', 'kc', '-o', 'beginning', '-n', '3', '--output', file, '-f', '%k'], { env: { TRIBUTARY_PROGRESS: '1' } })
    assert.equal(readFileSync(file, 'utf8'), 'a\nb\nc\n')
    assert.match(r.stderr, /consuming kc \[#+\] 100% 3\/3 records/)
    const started = Date.now()
    const idle = await cliOk(broker.bootstrap, ['consume', 'kc', '--idle-timeout', '500'])
    assert.equal(idle.stdout, '')
    assert.ok(Date.now() - started < 10_000)
  })

  test('consume as a group commits what it printed; kafkajs sees the offsets; bad offsets are usage errors', async () => {
    const first = await cliOk(broker.bootstrap, ['consume', 'kc', '-g', 'g1', '-o', 'beginning', '-n', '2'])
    assert.equal(first.stdout, '1\n2\n')
    const admin = kafka.admin()
    await admin.connect()
    try {
      const offsets = await admin.fetchOffsets({ groupId: 'g1', topics: ['kc'] })
      assert.equal(offsets[0]!.partitions.find(p => p.partition === 0)!.offset, '2')
    } finally { await admin.disconnect() }
    const rest = await cliOk(broker.bootstrap, ['consume', 'kc', '-g', 'g1', '-e'])
    assert.equal(rest.stdout, '3\n')
    const k848 = await cliOk(broker.bootstrap, ['consume', 'kc', '-g', 'g848', '--group-protocol', 'consumer', '-o', 'beginning', '-n', '3', '-f', '%v'])
    assert.equal(k848.stdout, '1\n2\n3\n')
    const d848 = JSON.parse((await cliOk(broker.bootstrap, ['group', 'describe', 'g848', '--format', 'json'])).stdout) as { type: string, totalLag: number, partitions: Array<{ currentOffset: number }> }
    assert.equal(d848.type, 'consumer', 'a KIP-848 group is described with ConsumerGroupDescribe')
    assert.equal(d848.totalLag, 0)
    assert.deepEqual(d848.partitions.map(p => p.currentOffset), [3])
    await cliOk(broker.bootstrap, ['group', 'seek', 'g848', '--to', '1', '--execute'])
    const again = await cliOk(broker.bootstrap, ['consume', 'kc', '-g', 'g848', '--group-protocol', 'consumer', '-e'])
    assert.equal(again.stdout, '2\n3\n', 'seek works on a KIP-848 group without members')
    const bad = await cli(broker.bootstrap, ['consume', 'kc', '-g', 'g1', '-o', '5'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /tributary group seek/)
    const badOffset = await cli(broker.bootstrap, ['consume', 'kc', '-o', 'yesterday'])
    assert.equal(badOffset.code, 2)
    const missing = await cli(broker.bootstrap, ['consume', 'no-such-topic', '-e'])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /no-such-topic/)
  })
})
