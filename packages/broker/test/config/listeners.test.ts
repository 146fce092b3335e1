import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfig } from '../../src/config/load.js'
import { advertisedEndpoint, bindHost, parseListenerList, parseSecurityProtocolMap } from '../../src/config/listeners.js'
import { assertConfigError } from './helpers.js'

const ok = (value: string) => {
  const r = parseListenerList(value)
  assert.ok(r.ok, r.ok ? '' : r.reason)
  return r.value
}
const reason = (value: string): string => {
  const r = parseListenerList(value)
  assert.ok(!r.ok, `${value} should be rejected`)
  return r.reason
}

describe('listener parsing', () => {
  it('parses names, hosts and ports', () => {
    assert.deepEqual(ok('PLAINTEXT://:9092'), [{ name: 'PLAINTEXT', host: '', port: 9092 }])
    assert.deepEqual(ok('plaintext://localhost:0, INTERNAL://10.0.0.1:9093'), [
      { name: 'PLAINTEXT', host: 'localhost', port: 0 },
      { name: 'INTERNAL', host: '10.0.0.1', port: 9093 }
    ])
    assert.deepEqual(ok('PLAINTEXT://[::1]:9092,EXTERNAL://[::]:9094'), [
      { name: 'PLAINTEXT', host: '::1', port: 9092 },
      { name: 'EXTERNAL', host: '::', port: 9094 }
    ])
    assert.deepEqual(ok('A://0.0.0.0:65535'), [{ name: 'A', host: '0.0.0.0', port: 65535 }])
  })

  it('rejects bad syntax, ports and duplicates with a reason', () => {
    assert.match(reason('PLAINTEXT://:65536'), /port 65536 is not between 0 and 65535/)
    assert.match(reason('PLAINTEXT://:-1'), /port -1 is not between 0 and 65535/)
    assert.match(reason('PLAINTEXT://host:'), /has no port/)
    assert.match(reason('PLAINTEXT://::1:9092'), /IPv6 host must be in brackets/)
    assert.match(reason('PLAINTEXT://[nope]:9092'), /nope is not an IPv6 address/)
    assert.match(reason('localhost:9092'), /not of the form NAME:\/\/host:port/)
    assert.match(reason(''), /at least one listener/)
    assert.match(reason('A://:1,'), /empty listener entry/)
    assert.match(reason('A://:1,a://:2'), /listener name A appears more than once/)
    assert.match(reason('A://:9092,B://127.0.0.1:9092'), /both use port 9092/)
    ok('A://127.0.0.1:9092,B://127.0.0.2:9092')
    ok('A://:0,B://:0')
  })

  it('stops startup on a bad listener, naming the key', () => {
    assertConfigError(() => loadConfig({ argv: ['--listeners', 'PLAINTEXT://:70000'] }),
      "Invalid value 'PLAINTEXT://:70000' for configuration listeners: in PLAINTEXT://:70000, port 70000 is not between 0 and 65535 (from --listeners)")
  })

  it('parses the security protocol map', () => {
    const r = parseSecurityProtocolMap('internal:plaintext, EXTERNAL:SASL_SSL')
    assert.ok(r.ok)
    assert.deepEqual([...r.value], [['INTERNAL', 'PLAINTEXT'], ['EXTERNAL', 'SASL_SSL']])
    assertConfigError(() => loadConfig({ flags: { 'listener.security.protocol.map': 'A:TLS' } }),
      "Invalid value 'A:TLS' for configuration listener.security.protocol.map: entry 'A:TLS': the protocol must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL")
  })

  it('gives each listener its protocol and refuses unsupported ones', () => {
    const config = loadConfig({ flags: { listeners: 'CLIENT://:0', 'listener.security.protocol.map': 'CLIENT:PLAINTEXT' } })
    assert.equal(config.listeners[0]!.securityProtocol, 'PLAINTEXT')
    assertConfigError(() => loadConfig({ flags: { listeners: 'SSL://:9093' } }),
      'Listener SSL uses security protocol SSL, which Tributary does not support yet')
    assertConfigError(() => loadConfig({ flags: { listeners: 'CLIENT://:9093' } }),
      'No security protocol is defined for listener CLIENT')
  })

  it('advertises the listeners unless advertised.listeners is set', () => {
    const config = loadConfig({ flags: { listeners: 'PLAINTEXT://127.0.0.1:0' } })
    assert.deepEqual(config.advertisedListeners, config.listeners)
    const custom = loadConfig({ flags: { listeners: 'PLAINTEXT://:9092', 'advertised.listeners': 'PLAINTEXT://broker1.example:19092' } })
    assert.deepEqual(custom.advertisedListeners, [{ name: 'PLAINTEXT', host: 'broker1.example', port: 19092, securityProtocol: 'PLAINTEXT' }])
    assertConfigError(() => loadConfig({ flags: { 'advertised.listeners': 'OTHER://h:1' } }),
      'advertised.listeners names listener OTHER, which is not in listeners (PLAINTEXT)')
    assertConfigError(() => loadConfig({ flags: { 'advertised.listeners': 'PLAINTEXT://0.0.0.0:9092' } }),
      'cannot advertise 0.0.0.0')
  })

  it('builds the advertised endpoint from the bound port', () => {
    const [listener] = loadConfig({ flags: { listeners: 'PLAINTEXT://127.0.0.1:0' } }).advertisedListeners
    assert.deepEqual(advertisedEndpoint(listener!, 51234), { name: 'PLAINTEXT', host: '127.0.0.1', port: 51234, securityProtocol: 'PLAINTEXT' })
    const [fixed] = loadConfig({ flags: { listeners: 'PLAINTEXT://127.0.0.1:9092' } }).advertisedListeners
    assert.equal(advertisedEndpoint(fixed!, 9092).port, 9092)
    const [wild] = loadConfig().advertisedListeners
    assert.equal(advertisedEndpoint(wild!, 9092, 'myhost').host, 'myhost')
    assert.equal(bindHost(wild!), undefined)
    assert.equal(bindHost(fixed!), '127.0.0.1')
  })

  it('picks the inter-broker listener', () => {
    assert.equal(loadConfig().interBrokerListenerName, 'PLAINTEXT')
    const two = { listeners: 'CLIENT://:9092,REPLICATION://:9093', 'listener.security.protocol.map': 'CLIENT:PLAINTEXT,REPLICATION:PLAINTEXT' }
    assert.equal(loadConfig({ flags: two }).interBrokerListenerName, 'CLIENT')
    assert.equal(loadConfig({ flags: { ...two, 'inter.broker.listener.name': 'replication' } }).interBrokerListenerName, 'REPLICATION')
    assertConfigError(() => loadConfig({ flags: { ...two, 'inter.broker.listener.name': 'NOPE' } }),
      'inter.broker.listener.name is NOPE, which is not an advertised listener (CLIENT, REPLICATION)')
  })
})
