import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Kafka } from 'kafkajs'
import { runOk, silentKafkaJsLogCreator } from '@tributary/testkit'
import { bin, home, removeHome, rows } from './helpers/cli.js'

// The root README's five-minute tour, run line by line as a user types it:
// `tributary start` in its own process, then every command of the tour's
// code block through bash. kafkajs checks the lag the tour shows.
const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../../README.md'), 'utf8')
const section = readme.slice(readme.indexOf('## Five-minute tour'))
const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map(m => m[1]!.trim().split('\n'))
const startLine = blocks[0]![0]!
const tourLines = blocks[1]!

const dir = mkdtempSync(join(tmpdir(), 'tributary-tour-'))
let broker: ChildProcess | undefined
let bootstrap = ''

before(async () => {
  // `tributary` on the PATH, as after a global install.
  writeFileSync(join(dir, 'tributary'), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`)
  chmodSync(join(dir, 'tributary'), 0o755)
  assert.match(startLine, /^tributary start --log-dirs \S+$/)
  // The README's start line, on an ephemeral port and a temp directory instead of 9092 and /tmp/tributary-tour.
  const args = ['start', '--log-dirs', join(dir, 'data'), '--listeners', 'PLAINTEXT://127.0.0.1:0']
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  broker = child
  bootstrap = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`broker did not start within 10 s:\n${out}`)), 10_000)
    const onData = (b: Buffer): void => {
      out += b.toString()
      const line = out.split('\n').find(l => l.includes('"broker started"'))
      if (line !== undefined) {
        clearTimeout(timer)
        resolve(`127.0.0.1:${(JSON.parse(line) as { listeners: Array<{ port: number }> }).listeners[0]!.port}`)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', code => { clearTimeout(timer); reject(new Error(`broker exited ${code}:\n${out}`)) })
  })
})

after(async () => {
  if (broker !== undefined && broker.exitCode === null) {
    const exited = new Promise(resolve => broker!.once('exit', resolve))
    const timer = setTimeout(() => broker!.kill('SIGKILL'), 10_000)
    broker.kill('SIGTERM')
    await exited
    clearTimeout(timer)
  }
  rmSync(dir, { recursive: true, force: true })
  removeHome()
})

test('the README tour works as written', async () => {
  assert.equal(tourLines.length, 5)
  const outputs: string[] = []
  for (const line of tourLines) {
    const r = await runOk('bash', ['-c', line], { env: { PATH: `${dir}:${process.env.PATH ?? ''}`, HOME: home, TRIBUTARY_BROKERS: bootstrap }, timeoutMs: 30_000 })
    outputs.push(r.stdout)
  }
  const [create, produce, consume, produceMore, describeGroup] = outputs as [string, string, string, string, string]
  assert.deepEqual(rows(create), [['TOPIC', 'STATUS'], ['orders', 'OK']])
  assert.match(produce, /^produced 3 records to orders\n/)
  const consumed = consume.trim().split('\n')
  assert.equal(consumed.length, 3)
  assert.deepEqual(consumed.map(l => l.split(' ')[0]).sort(), ['alice', 'bob', 'carol'])
  assert.ok(consumed.includes(consumed.find(l => l.startsWith('alice {"total":42} (partition '))!))
  assert.match(produceMore, /^produced 2 records to orders\n/)
  const t = rows(describeGroup)
  assert.deepEqual(t[0], ['GROUP', 'COORDINATOR', 'STATE', 'TYPE', 'PROTOCOL', 'MEMBERS', 'TOTAL-LAG'])
  assert.equal(t[1]![0], 'billing')
  assert.equal(t[1]![t[1]!.length - 1], '2')
  // kafkajs agrees: the group's commits are two records behind the log ends.
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'tour-check', logCreator: silentKafkaJsLogCreator })
  const admin = kafka.admin()
  await admin.connect()
  try {
    const [committed] = await admin.fetchOffsets({ groupId: 'billing', topics: ['orders'] })
    const ends = await admin.fetchTopicOffsets('orders')
    const lag = ends.reduce((sum, e) => {
      const c = committed!.partitions.find(p => p.partition === e.partition)!.offset
      return sum + (c === '-1' ? 0 : Number(e.high) - Number(c))
    }, 0)
    assert.equal(lag, 2)
  } finally { await admin.disconnect() }
})
