import { afterEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import diagnosticsChannel from 'node:diagnostics_channel'
import { pino } from 'pino'
import { FrameDecoder, encodeFrame, frameHeader } from '@tributary/protocol'
import { Connection, Listener } from '../../src/network/index.js'
import type { ConnectionCloseMessage, ConnectionOpenMessage, ListenerOptions, Logger, RequestHandler } from '../../src/network/index.js'
import {
  TestClient,
  duplexPair,
  recordingLogger,
  request,
  responseId,
  sleep,
  testHandler,
  waitFor,
  withTimeout
} from './helpers.js'

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

describe('Connection', { timeout: 20_000 }, () => {
  it('writes responses in request order while processing overlaps', async () => {
    const handler = testHandler()
    const c = await client(await serve({ handler }))
    c.send(request(1, { delayMs: 50 }), request(2))
    assert.deepEqual(await c.ids(2), [1, 2])
    assert.deepEqual(handler.finished, [2, 1], 'the second request was answered before the first was')
  })

  it('keeps order across many pipelined requests with random delays', async () => {
    const handler = testHandler()
    const c = await client(await serve({ handler }))
    const ids = Array.from({ length: 300 }, (_, i) => i)
    // Deterministic pseudo-random delays, 0 to 9 ms.
    c.send(...ids.map(id => request(id, { delayMs: (id * 7919) % 10 })))
    assert.deepEqual(await c.ids(ids.length), ids)
  })

  it('writes a response given as parts back to back, in order with the others', async () => {
    const bulk = Buffer.alloc(200_000, 0x5a)
    const handler: RequestHandler = {
      handle (frame) {
        const id = frame.readInt32BE(0)
        const head = Buffer.alloc(4)
        head.writeInt32BE(id, 0)
        // Odd ids answer in parts around a large shared buffer, after a delay; even ids at once in one buffer.
        if (id % 2 === 1) return sleep(5).then(() => [head, bulk, Buffer.from('end')])
        return head
      }
    }
    const c = await client(await serve({ handler }))
    c.send(...[1, 2, 3, 4].map(id => request(id)))
    assert.deepEqual(await c.ids(4), [1, 2, 3, 4])
    for (const frame of c.received.filter(f => responseId(f) % 2 === 1)) {
      assert.equal(frame.length, 4 + bulk.length + 3)
      assert.deepEqual(frame.subarray(4, 4 + bulk.length), bulk)
      assert.equal(frame.subarray(4 + bulk.length).toString(), 'end')
    }
  })

  it('writes nothing for a null response but keeps the order', async () => {
    const handler = testHandler()
    const c = await client(await serve({ handler }))
    c.send(
      request(1, { action: 'noResponse', delayMs: 40 }),
      request(2, { delayMs: 20 }),
      request(3, { action: 'noResponse' }),
      request(4)
    )
    assert.deepEqual(await c.ids(2), [2, 4])
    c.send(request(5, { action: 'noResponse' }), request(6))
    assert.deepEqual(await c.ids(3), [2, 4, 6])
    assert.equal(c.received.length, 3)
  })

  it('hands the handler a ConnectionContext', async () => {
    const handler = testHandler()
    const listener = await serve({ handler, name: 'INTERNAL' })
    const c = await client(listener)
    c.send(request(1))
    await c.ids(1)
    const ctx = handler.contexts[0]
    assert.ok(ctx !== undefined)
    assert.equal(ctx.listenerName, 'INTERNAL')
    assert.equal(ctx.remoteAddress, '127.0.0.1')
    assert.equal(ctx.remotePort, c.socket.localPort)
    assert.equal(ctx.localPort, listener.port)
    assert.match(ctx.id, new RegExp(`^127\\.0\\.0\\.1:${listener.port}-127\\.0\\.0\\.1:${c.socket.localPort}-\\d+$`))
    assert.equal(ctx.closed, false)
    c.destroy()
    await waitFor(() => ctx.closed, 'the context to report closed')
  })

  it('closes only the connection that sends an oversized frame, before reading its body', async () => {
    const handler = testHandler()
    const logger = recordingLogger()
    const listener = await serve({ handler, logger, maxFrameSize: 1024 })
    const bad = await client(listener)
    const good = await client(listener)
    // Only the prefix: the server must not wait for the 1 MiB body.
    bad.socket.write(frameHeader(1024 * 1024))
    await bad.closed()
    assert.deepEqual(handler.calls, [])
    const warning = logger.entries.find(e => e.level === 'warn')
    assert.ok(warning !== undefined, 'the bad frame is logged')
    assert.equal(typeof warning.bindings.connectionId, 'string')
    assert.match(String(warning.bindings.remote), /^127\.0\.0\.1:\d+$/)

    good.send(request(7, { padding: 1000 }))
    assert.deepEqual(await good.ids(1), [7])
    assert.equal(good.isClosed, false)
  })

  it('closes the connection on a negative frame size', async () => {
    const handler = testHandler()
    const c = await client(await serve({ handler }))
    const prefix = Buffer.alloc(4)
    prefix.writeInt32BE(-5, 0)
    c.socket.write(prefix)
    await c.closed()
    assert.deepEqual(handler.calls, [])
  })

  it('closes only the connection whose handler throws or rejects', async () => {
    for (const action of ['throw', 'reject'] as const) {
      const handler = testHandler()
      const logger = recordingLogger()
      const listener = await serve({ handler, logger })
      const bad = await client(listener)
      const good = await client(listener)
      bad.send(request(1, { action }))
      await bad.closed()
      assert.ok(logger.entries.some(e => e.level === 'error' && e.bindings.connectionId !== undefined), `${action} is logged`)
      good.send(request(2), request(3))
      assert.deepEqual(await good.ids(2), [2, 3])
      assert.equal(good.isClosed, false)
    }
  })

  it('stops reading at maxInFlightRequests while the handler has not answered', async () => {
    const handler = testHandler()
    const limit = 16
    const c = await client(await serve({ handler, maxInFlightRequests: limit }))
    const total = 2000
    c.send(...Array.from({ length: total }, (_, id) => request(id, { action: 'hang' })))
    await waitFor(() => handler.calls.length >= limit, 'the first requests')
    await sleep(200)
    assert.equal(handler.calls.length, limit, 'no request beyond the limit was dispatched')
    // Answering lets the rest through, still in order; 2000 / 16 rounds at most.
    for (let round = 0; round < total && handler.finished.length < total; round++) {
      handler.releaseHung()
      await sleep(1)
    }
    const ids = await c.ids(total)
    assert.deepEqual(ids, Array.from({ length: total }, (_, id) => id))
  })

  it('does not buffer responses without bound for a client that does not read', async () => {
    const responseSize = 256 * 1024
    const handler = testHandler({ responseSize })
    const listener = await serve({ handler, maxBufferedResponseBytes: 1024 * 1024 })
    const c = await client(listener)
    c.socket.pause() // the client stops reading
    const total = 400 // 100 MiB of responses if nothing pushed back
    c.send(...Array.from({ length: total }, (_, id) => request(id)))
    await sleep(300)
    const dispatched = handler.calls.length
    // 1 MiB held by the broker plus what the kernel buffers on both sides
    // (a few MiB on loopback), in 256 KiB responses.
    assert.ok(dispatched < 100, `handler was called ${dispatched} times`)
    c.socket.resume()
    const ids = await c.ids(total, 15_000)
    assert.deepEqual(ids, Array.from({ length: total }, (_, id) => id))
  })

  it('closes a connection idle for idleTimeoutMs, but not one waiting on a request', async () => {
    const handler = testHandler()
    const listener = await serve({ handler, idleTimeoutMs: 100 })
    const busy = await client(listener)
    busy.send(request(1, { delayMs: 400 }))
    const idle = await client(listener)
    await idle.closed(2000)
    assert.deepEqual(await busy.ids(1), [1])
    await busy.closed(2000)
  })

  it('answers what a half-closed client sent, then closes', async () => {
    const handler = testHandler()
    const c = await client(await serve({ handler }))
    c.send(request(1, { delayMs: 50 }), request(2))
    c.socket.end()
    assert.deepEqual(await c.ids(2), [1, 2])
    await c.closed()
  })

  it('publishes open and close on diagnostics channels', async () => {
    const opened: ConnectionOpenMessage[] = []
    const closed: ConnectionCloseMessage[] = []
    const onOpen = (m: unknown): void => { opened.push(m as ConnectionOpenMessage) }
    const onClose = (m: unknown): void => { closed.push(m as ConnectionCloseMessage) }
    diagnosticsChannel.subscribe('tributary:connection:open', onOpen)
    diagnosticsChannel.subscribe('tributary:connection:close', onClose)
    cleanups.push(() => {
      diagnosticsChannel.unsubscribe('tributary:connection:open', onOpen)
      diagnosticsChannel.unsubscribe('tributary:connection:close', onClose)
    })
    const listener = await serve({ handler: testHandler(), maxFrameSize: 10 })
    const c = await client(listener)
    await waitFor(() => opened.length === 1, 'the open event')
    c.socket.write(frameHeader(11))
    await c.closed()
    await waitFor(() => closed.length === 1, 'the close event')
    assert.equal(closed[0]?.connection.id, opened[0]?.connection.id)
    assert.equal((closed[0]?.error as { code?: string } | undefined)?.code, 'TRIB_PROTOCOL_FRAME_TOO_LARGE')
  })

  it('runs over any Duplex, without sockets', async () => {
    const [server, peer] = duplexPair()
    const handler = testHandler()
    const conn = new Connection(server, { handler, listenerName: 'MEMORY' })
    cleanups.push(() => { server.destroy(); peer.destroy() })
    const decoder = new FrameDecoder()
    const got: number[] = []
    peer.on('data', (chunk: Buffer) => { for (const f of decoder.decode(chunk)) got.push(responseId(f)) })
    // Cut the requests at awkward places: inside a prefix and inside a body.
    const wire = Buffer.concat([
      encodeFrame(request(1, { delayMs: 30 })),
      encodeFrame(request(2, { action: 'noResponse' })),
      encodeFrame(request(3))
    ])
    peer.write(wire.subarray(0, 2))
    peer.write(wire.subarray(2, 20))
    peer.write(wire.subarray(20))
    await waitFor(() => got.length === 2, 'two responses')
    assert.deepEqual(got, [1, 3])
    assert.equal(handler.contexts[0]?.listenerName, 'MEMORY')
    // Graceful drain ends the write side once everything is answered.
    peer.write(encodeFrame(request(4, { delayMs: 30 })))
    await waitFor(() => handler.calls.length === 4, 'the fourth request')
    const ended = new Promise<void>(resolve => peer.once('end', () => { resolve() }))
    await withTimeout(conn.drain(), 'drain')
    assert.deepEqual(got, [1, 3, 4])
    await withTimeout(ended, 'end of stream')
  })

  it('accepts a pino logger', () => {
    // Type-level check that pino fits the Logger interface, and a smoke run.
    const logger: Logger = pino({ level: 'silent' })
    const [server, peer] = duplexPair()
    const conn = new Connection(server, { handler: testHandler(), logger })
    conn.close()
    peer.destroy()
    assert.equal(conn.closed, true)
  })
})
