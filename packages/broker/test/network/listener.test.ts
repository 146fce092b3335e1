import { afterEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import diagnosticsChannel from 'node:diagnostics_channel'
import net from 'node:net'
import { Listener } from '../../src/network/index.js'
import type { ConnectionRejectMessage, ListenerOptions } from '../../src/network/index.js'
import { TestClient, request, sleep, testHandler, waitFor, withTimeout } from './helpers.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function serve (options: Omit<ListenerOptions, 'port'>): Promise<Listener> {
  const listener = await Listener.start({ host: '127.0.0.1', port: 0, ...options })
  cleanups.push(() => listener.close({ graceful: false }))
  return listener
}

async function client (listener: Listener): Promise<TestClient> {
  const c = await TestClient.connect(listener.port)
  cleanups.push(() => { c.destroy() })
  return c
}

/** Resolves with the error code of a connection attempt that should fail. */
function connectError (port: number): Promise<string | undefined> {
  return withTimeout(new Promise(resolve => {
    const socket = net.connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => { socket.destroy(); resolve(undefined) })
    socket.once('error', (err: NodeJS.ErrnoException) => { resolve(err.code) })
  }), 'a connection attempt')
}

describe('Listener', { timeout: 20_000 }, () => {
  it('binds an ephemeral port on 127.0.0.1 and reports it', async () => {
    const listener = await serve({ handler: testHandler() })
    assert.equal(listener.address.host, '127.0.0.1')
    assert.equal(listener.address.family, 'IPv4')
    assert.ok(listener.port > 0)
    const c = await client(listener)
    c.send(request(42))
    assert.deepEqual(await c.ids(1), [42])
    assert.equal(listener.connectionCount, 1)
    assert.equal(c.socket.remotePort, listener.port)
  })

  it('fails to start on a port already in use', async () => {
    const first = await serve({ handler: testHandler() })
    await assert.rejects(Listener.start({ host: '127.0.0.1', port: first.port, handler: testHandler() }), { code: 'EADDRINUSE' })
  })

  it('closes connections beyond max.connections and accepts again when one leaves', async () => {
    const rejected: ConnectionRejectMessage[] = []
    const onReject = (m: unknown): void => { rejected.push(m as ConnectionRejectMessage) }
    diagnosticsChannel.subscribe('tributary:connection:reject', onReject)
    cleanups.push(() => { diagnosticsChannel.unsubscribe('tributary:connection:reject', onReject) })

    const listener = await serve({ handler: testHandler(), maxConnections: 2 })
    const a = await client(listener)
    const b = await client(listener)
    await waitFor(() => listener.connectionCount === 2, 'two accepted connections')
    const extra = await client(listener)
    await extra.closed()
    assert.equal(rejected[0]?.reason, 'max.connections')
    a.send(request(1))
    b.send(request(2))
    assert.deepEqual(await a.ids(1), [1])
    assert.deepEqual(await b.ids(1), [2])

    a.destroy()
    await waitFor(() => listener.connectionCount === 1, 'the first connection to be gone')
    const again = await client(listener)
    again.send(request(3))
    assert.deepEqual(await again.ids(1), [3])
  })

  it('closes connections beyond max.connections.per.ip', async () => {
    const listener = await serve({ handler: testHandler(), maxConnectionsPerIp: 1 })
    const a = await client(listener)
    await waitFor(() => listener.connectionCount === 1, 'the first connection')
    const extra = await client(listener)
    await extra.closed()
    a.send(request(1))
    assert.deepEqual(await a.ids(1), [1])
  })

  it('applies max.connections.per.ip.overrides', async () => {
    const listener = await serve({
      handler: testHandler(),
      maxConnectionsPerIp: 1,
      maxConnectionsPerIpOverrides: { '127.0.0.1': 2 }
    })
    await client(listener)
    await client(listener)
    await waitFor(() => listener.connectionCount === 2, 'two connections from one address')
    const extra = await client(listener)
    await extra.closed()
  })

  it('graceful close answers an in-flight slow request before closing the socket', async () => {
    const handler = testHandler()
    const listener = await serve({ handler })
    const c = await client(listener)
    c.send(request(1, { delayMs: 150 }))
    await waitFor(() => handler.calls.length === 1, 'the request to reach the handler')
    const closing = listener.close({ graceful: true, timeoutMs: 5000 })
    assert.equal(await connectError(listener.port), 'ECONNREFUSED', 'no new connections once closing')
    assert.deepEqual(await c.ids(1), [1])
    await c.closed()
    await withTimeout(closing, 'the listener to close')
    assert.equal(listener.connectionCount, 0)
  })

  it('graceful close destroys connections still busy after the timeout', async () => {
    const handler = testHandler()
    const listener = await serve({ handler })
    const c = await client(listener)
    c.send(request(1, { action: 'hang' }))
    await waitFor(() => handler.calls.length === 1, 'the request to reach the handler')
    const started = Date.now()
    await withTimeout(listener.close({ graceful: true, timeoutMs: 100 }), 'the listener to close', 2000)
    assert.ok(Date.now() - started >= 90)
    await c.closed()
    assert.equal(c.received.length, 0)
    handler.releaseHung() // a late answer to a closed connection is dropped
    await sleep(10)
  })

  it('non-graceful close drops in-flight requests at once', async () => {
    const handler = testHandler()
    const listener = await serve({ handler })
    const c = await client(listener)
    c.send(request(1, { delayMs: 1000 }))
    await waitFor(() => handler.calls.length === 1, 'the request to reach the handler')
    await withTimeout(listener.close({ graceful: false }), 'the listener to close', 500)
    await c.closed()
    assert.equal(c.received.length, 0)
  })
})
