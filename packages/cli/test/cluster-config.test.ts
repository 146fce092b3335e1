import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Kafka } from 'kafkajs'
import { run, runOk, silentKafkaJsLogCreator, startTestBroker, type TestBroker } from '@tributary/testkit'
import { cli, cliOk, home, removeHome, rows } from './helpers/cli.js'

// `tributary cluster info`, `config get|set`, where the brokers come from
// (flag, environment, profile), errors and exit codes, shell completion.
describe('tributary cluster, config, connection settings, completion', () => {
  let broker: TestBroker
  let kafka: Kafka
  before(async () => {
    broker = await startTestBroker()
    kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'cli-test', logCreator: silentKafkaJsLogCreator })
  })
  after(async () => { await broker.close(); removeHome() })

  test('cluster info matches what kcat reports', async () => {
    const meta = JSON.parse((await runOk('kcat', ['-b', broker.bootstrap, '-L', '-J'])).stdout) as { controllerid: number, brokers: Array<{ id: number, name: string }> }
    const j = JSON.parse((await cliOk(broker.bootstrap, ['cluster', 'info', '--format', 'json'])).stdout) as { clusterId: string, controllerId: number, brokers: Array<{ nodeId: number, host: string, port: number }> }
    assert.equal(j.controllerId, meta.controllerid)
    assert.deepEqual(j.brokers.map(b => `${b.host}:${b.port}`), meta.brokers.map(b => b.name))
    const t = await cliOk(broker.bootstrap, ['cluster', 'info'])
    assert.match(t.stdout, new RegExp(`CLUSTER-ID\\s+CONTROLLER\\s+TOPICS\\n${j.clusterId}\\s+1\\s+0`))
    assert.match(t.stdout, new RegExp(`1\\*\\s+127\\.0\\.0\\.1\\s+${broker.port}`))
  })

  test('config set changes a broker key dynamically; config get and kafkajs read it back; unknown keys fail', async () => {
    const before = rows((await cliOk(broker.bootstrap, ['config', 'get', 'log.retention.ms'])).stdout)
    assert.deepEqual(before[0], ['KEY', 'VALUE', 'SOURCE'])
    assert.equal(before[1]![0], 'log.retention.ms')
    const set = await cliOk(broker.bootstrap, ['config', 'set', 'log.retention.ms=3600000', '--broker', '1'])
    assert.deepEqual(rows(set.stdout)[1], ['broker 1', 'log.retention.ms', 'SET', '3600000'])
    assert.deepEqual(rows((await cliOk(broker.bootstrap, ['config', 'get', 'log.retention.ms'])).stdout)[1], ['log.retention.ms', '3600000', 'DYNAMIC_BROKER_CONFIG'])
    const admin = kafka.admin()
    await admin.connect()
    try {
      const res = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 4, name: '1', configNames: ['log.retention.ms'] }] })
      assert.equal(res.resources[0]!.configEntries[0]!.configValue, '3600000')
    } finally { await admin.disconnect() }
    await cliOk(broker.bootstrap, ['config', 'set', '--delete', 'log.retention.ms'])
    const j = JSON.parse((await cliOk(broker.bootstrap, ['config', 'get', 'log.retention.ms', '--format', 'json'])).stdout) as { configs: Array<{ source: string }> }
    assert.notEqual(j.configs[0]!.source, 'DYNAMIC_BROKER_CONFIG')
    await cliOk(broker.bootstrap, ['topic', 'create', 'cfg'])
    await cliOk(broker.bootstrap, ['config', 'set', '--topic', 'cfg', 'retention.ms=5000'])
    assert.deepEqual(rows((await cliOk(broker.bootstrap, ['config', 'get', '--topic', 'cfg', 'retention.ms'])).stdout)[1], ['retention.ms', '5000', 'DYNAMIC_TOPIC_CONFIG'])
    const unknown = await cli(broker.bootstrap, ['config', 'get', 'no.such.key'])
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /unknown configuration key no\.such\.key/)
    const badValue = await cli(broker.bootstrap, ['config', 'set', 'log.retention.ms=soon'])
    assert.equal(badValue.code, 1)
    assert.match(badValue.stderr, /INVALID_CONFIG|INVALID_REQUEST/)
    const notPair = await cli(broker.bootstrap, ['config', 'set', 'log.retention.ms'])
    assert.equal(notPair.code, 2)
  })

  test('brokers come from --brokers over TRIBUTARY_BROKERS over the profile file', async () => {
    const dead = '127.0.0.1:1'
    assert.equal((await cli(dead, ['topic', 'list', '--brokers', broker.bootstrap])).code, 0, '--brokers wins over the environment')
    assert.equal((await cli(dead, ['topic', 'list', '--bootstrap-server', broker.bootstrap])).code, 0, 'kafka-*.sh\'s --bootstrap-server works too')
    mkdirSync(join(home, '.config', 'tributary'), { recursive: true })
    writeFileSync(join(home, '.config', 'tributary', 'profile.json'), JSON.stringify({ brokers: [broker.bootstrap] }))
    assert.equal((await cli(null, ['topic', 'list'])).code, 0, 'the default profile is read')
    assert.equal((await cli(dead, ['topic', 'list', '--timeout', '1500'])).code, 3, 'the environment wins over the profile')
    const other = join(home, 'other.json')
    writeFileSync(other, JSON.stringify({ brokers: dead, timeoutMs: 1500 }))
    assert.equal((await cli(null, ['topic', 'list', '--profile', other])).code, 3, '--profile names another file')
    writeFileSync(other, '{not json')
    const bad = await cli(null, ['topic', 'list', '--profile', other])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /profile .*other\.json is not valid JSON/)
    const badAddress = await cli('localhost', ['topic', 'list'])
    assert.equal(badAddress.code, 2)
    assert.match(badAddress.stderr, /bad broker address 'localhost'\n {2}hint: write it as host:port/)
  })

  test('producing to a missing topic where the broker does not create topics says how to create it', async () => {
    const strict = await startTestBroker({ 'auto.create.topics.enable': false })
    try {
      const r = await cli(strict.bootstrap, ['produce', 'absent', '--timeout', '1500'], { input: 'x\n' })
      assert.equal(r.code, 1)
      assert.match(r.stderr, /^tributary: topic 'absent' does not exist and the broker does not create topics on first use\n {2}hint: create it with `tributary topic create absent`/)
    } finally { await strict.close() }
  })

  test('an unreachable broker: exit 3, what went wrong and what to do, within the timeout', async () => {
    const started = Date.now()
    const r = await cli('127.0.0.1:1', ['topic', 'list', '--timeout', '2000'])
    assert.equal(r.code, 3)
    assert.match(r.stderr, /^tributary: cannot connect to 127\.0\.0\.1:1: .*ECONNREFUSED.*\n {2}hint: is a broker running\? start one with `tributary start`/)
    assert.ok(Date.now() - started < 8000)
    const usage = await cli(broker.bootstrap, ['topic', 'list', '--format', 'yaml'])
    assert.equal(usage.code, 2)
    assert.match(usage.stderr, /unknown --format 'yaml'/)
    const unknownOption = await cli(broker.bootstrap, ['topic', 'create', 'x', '--nope'])
    assert.equal(unknownOption.code, 2)
    assert.match(unknownOption.stderr, /^tributary: unknown option '--nope'/)
  })

  test('completion: a bash script that completes nouns, verbs and flags; a zsh script', async () => {
    const bash = await cliOk(null, ['completion', 'bash'])
    assert.match(bash.stdout, /complete -o default -F _tributary tributary/)
    const complete = async (...words: string[]): Promise<string[]> => {
      const script = `${bash.stdout}\nCOMP_WORDS=(${words.map(w => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _tributary; printf '%s\\n' "\${COMPREPLY[@]}"`
      return (await runOk('bash', ['-c', script])).stdout.trim().split('\n')
    }
    assert.deepEqual(await complete('tributary', 'to'), ['topic'])
    assert.deepEqual((await complete('tributary', 'topic', 'c')).sort(), ['create'])
    assert.ok((await complete('tributary', 'group', 'seek', '--')).includes('--execute'))
    assert.ok((await complete('tributary', 'consume', '-b', 'x', '--')).includes('--group'))
    const zsh = await cliOk(null, ['completion', 'zsh'])
    assert.match(zsh.stdout, /^#compdef tributary/)
    assert.match(zsh.stdout, /'topic create'\) candidates=\([^)]*--partitions/)
    const fish = await run(process.execPath, [join(import.meta.dirname, '../../bin/tributary.js'), 'completion', 'fish'])
    assert.equal(fish.code, 2)
  })
})

test('tributary --help lists every command; each verb has its own help', async () => {
  const r = await cliOk(null, ['--help'])
  for (const c of ['start', 'topic', 'produce', 'consume', 'group', 'cluster', 'config', 'bench', 'completion']) assert.match(r.stdout, new RegExp(`\\n  ${c}\\b`))
  const seek = await cliOk(null, ['group', 'seek', '--help'])
  assert.match(seek.stdout, /--execute/)
  assert.match(seek.stdout, /--brokers <list>/)
})
