import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Command } from 'commander'
import { configOption, configOptions, flagForKey, flagsFromOptions, keysNamedIn } from '../src/start/command.js'
import type { ConfigKeyInfo } from '../src/start/command.js'

// A few keys of each shape, standing in for the broker's table so that
// this test needs no broker.
const DEFS: readonly ConfigKeyInfo[] = [
  { name: 'log.dirs', type: 'list', doc: 'Data directories.', default: null },
  { name: 'node.id', type: 'int', doc: 'Node id.', default: '1' },
  { name: 'listeners', type: 'string', doc: 'Listeners.', default: 'PLAINTEXT://:9092' },
  { name: 'auto.create.topics.enable', type: 'boolean', doc: 'Auto-create.', default: 'true' },
  { name: 'log.retention.bytes', type: 'long', doc: 'Retention size.', default: '-1' },
  { name: 'max.connections.per.ip.overrides', type: 'string', doc: 'Per-IP limits.', default: '' }
]

/** Parses `argv` with an option for each of `keys`, as `start` does. */
function parseWith (keys: readonly ConfigKeyInfo[], argv: string[]): Record<string, string> {
  const cmd = new Command('start').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} })
  cmd.option('--config <file>')
  for (const o of configOptions(keys)) cmd.addOption(o)
  cmd.parse(argv, { from: 'user' })
  return flagsFromOptions(cmd.opts(), keys)
}

/**
 * Parses `argv` as `start` does, with only the options of the keys it names
 * (keysNamedIn), and checks that every key's option gives the same flags.
 */
function parse (argv: string[]): Record<string, string> {
  const all = parseWith(DEFS, argv)
  assert.deepEqual(parseWith(keysNamedIn(DEFS, argv) ?? DEFS, argv), all)
  return all
}

describe('start flags', () => {
  it('names each flag after its key with dots as dashes', () => {
    assert.equal(flagForKey('log.dirs'), 'log-dirs')
    assert.equal(flagForKey('max.connections.per.ip.overrides'), 'max-connections-per-ip-overrides')
    assert.equal(configOption(DEFS[0]!).long, '--log-dirs')
    assert.equal(configOption(DEFS[0]!).attributeName(), 'logDirs')
  })

  it('maps parsed flags back to Kafka keys', () => {
    assert.deepEqual(parse(['--log-dirs', '/tmp/t', '--node-id', '1', '--listeners', 'PLAINTEXT://127.0.0.1:19092']), {
      'log.dirs': '/tmp/t',
      'node.id': '1',
      listeners: 'PLAINTEXT://127.0.0.1:19092'
    })
  })

  it('accepts --flag=value and negative numbers', () => {
    assert.deepEqual(parse(['--node-id=3', '--log-retention-bytes', '-1']), { 'node.id': '3', 'log.retention.bytes': '-1' })
  })

  it('leaves out flags that were not given', () => {
    assert.deepEqual(parse([]), {})
    assert.deepEqual(parse(['--config', 'server.properties']), {})
  })

  it('reads a bare boolean flag as true and keeps an explicit value', () => {
    assert.deepEqual(parse(['--auto-create-topics-enable']), { 'auto.create.topics.enable': 'true' })
    assert.deepEqual(parse(['--auto-create-topics-enable', 'false']), { 'auto.create.topics.enable': 'false' })
  })

  it('keeps an empty value, for keys whose default is empty', () => {
    assert.deepEqual(parse(['--max-connections-per-ip-overrides', '']), { 'max.connections.per.ip.overrides': '' })
  })

  it('rejects unknown flags and missing values', () => {
    assert.throws(() => parse(['--log-dirz', '/tmp']), { code: 'commander.unknownOption' })
    assert.throws(() => parse(['--node-id']), { code: 'commander.optionMissingArgument' })
  })

  it('shows every key and its default in help', () => {
    const cmd = new Command('start')
    for (const o of configOptions(DEFS)) cmd.addOption(o)
    const help = cmd.helpInformation()
    for (const d of DEFS) assert.ok(help.includes(`--${flagForKey(d.name)}`), d.name)
    assert.match(help, /--node-id <value>\s+Node id\. \(default: 1\)/)
  })

  it('needs only the options of the keys the arguments name, or all of them when an argument is none of those', () => {
    const names = (args: string[]): string[] | undefined => keysNamedIn(DEFS, args)?.map(d => d.name)
    assert.deepEqual(names(['--log-dirs', '/tmp/t', '--node-id=3', '--log-dirs', '/tmp/u', '--config', 'f', '--config=g']), ['log.dirs', 'node.id'])
    assert.deepEqual(names([]), [])
    assert.equal(names(['--help']), undefined)
    assert.equal(names(['-h']), undefined)
    assert.equal(names(['--log-dirz', '/tmp']), undefined)
    assert.equal(names(['--log-retention-bytes', '-1']), undefined, 'a value that looks like an option')
    assert.equal(names(['--node-id', '1', '--']), undefined)
  })

  it('refuses keys that collide with each other or with the command\'s own options', () => {
    assert.throws(() => configOption({ name: 'config', type: 'string', doc: '', default: null }), /collides with the --config option/)
    assert.throws(() => configOptions([
      { name: 'a.b', type: 'string', doc: '', default: null },
      { name: 'a-b', type: 'string', doc: '', default: null }
    ]), /map to the same option/)
  })
})
