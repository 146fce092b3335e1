// The fault proxy itself: it forwards, cuts a connection after N bytes
// with a reset, stops at maxFaults, and repeats a seeded schedule.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { FaultProxy } from '../src/fault-proxy.js'

/** A server that records what each connection sent and echoes it back. */
async function echoServer (): Promise<{ server: Server, port: number, received: Buffer[] }> {
  const received: Buffer[] = []
  const server = createServer(s => {
    const chunks: Buffer[] = []
    s.on('data', c => { chunks.push(c); s.write(c) })
    s.on('error', () => {})
    s.on('close', () => received.push(Buffer.concat(chunks)))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
  return { server, port: (server.address() as { port: number }).port, received }
}

/** Sends `data`, collects the echo until the connection ends; reports how it ended. */
function exchange (port: number, data: Buffer): Promise<{ echoed: Buffer, error: string | null }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let error: string | null = null
    const s: Socket = connect(port, '127.0.0.1', () => s.write(data))
    const t = setTimeout(() => { s.destroy(); reject(new Error('exchange timed out')) }, 5000)
    s.on('data', c => { chunks.push(c); if (Buffer.concat(chunks).length >= data.length) s.end() })
    s.on('error', e => { error = (e as NodeJS.ErrnoException).code ?? e.message })
    s.on('close', () => { clearTimeout(t); resolve({ echoed: Buffer.concat(chunks), error }) })
  })
}

async function waitFor (cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise(resolve => setTimeout(resolve, 10))
  assert.ok(cond())
}

test('forwards both ways when no fault is configured', async () => {
  const echo = await echoServer()
  const proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: echo.port } })
  try {
    const r = await exchange(proxy.port, Buffer.from('hello through the proxy'))
    assert.deepEqual([r.echoed.toString(), r.error], ['hello through the proxy', null])
    assert.equal(proxy.faults, 0)
  } finally {
    await proxy.close()
    echo.server.close()
  }
})

test('resetAfterBytes cuts a request in the middle and resets the client; maxFaults bounds the faults', async () => {
  const echo = await echoServer()
  const proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: echo.port }, resetAfterBytes: 10, direction: 'requests', maxFaults: 2 })
  try {
    for (let i = 0; i < 2; i++) {
      const r = await exchange(proxy.port, Buffer.alloc(40, 'a'))
      assert.equal(r.error, 'ECONNRESET')
      assert.ok(r.echoed.length <= 10)
      await waitFor(() => echo.received.length === i + 1)
      assert.equal(echo.received[i]!.length, 10, 'the server saw only the first 10 bytes')
    }
    const r = await exchange(proxy.port, Buffer.alloc(40, 'b'))
    assert.deepEqual([r.echoed.length, r.error], [40, null])
    assert.equal(proxy.faults, 2)
  } finally {
    await proxy.close()
    echo.server.close()
  }
})

test('a seeded random schedule repeats exactly', async () => {
  const echo = await echoServer()
  const run = async (): Promise<string[]> => {
    const proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: echo.port }, probability: 0.5, seed: 42, direction: 'responses', maxFaults: 3 })
    const outcomes: string[] = []
    try {
      for (let i = 0; i < 6; i++) {
        const r = await exchange(proxy.port, Buffer.alloc(100, 'c'))
        // A cut response shows as a short echo (the reset may arrive as ECONNRESET or as an end, depending on timing).
        outcomes.push(r.error === null && r.echoed.length === 100 ? 'ok' : `cut at ${r.echoed.length}`)
      }
    } finally {
      await proxy.close()
    }
    return outcomes
  }
  try {
    const first = await run()
    assert.deepEqual(await run(), first)
    assert.equal(first.filter(o => o.startsWith('cut')).length, 3)
  } finally {
    echo.server.close()
  }
})
