import { test } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { encodeRequest } from '@tributary/protocol'
import { ApiVersionsApi, MetadataApi } from '@tributary/protocol/apis'
import { startBroker } from '../src/index.js'
import { RawClient } from './raw-client.js'

// Mutated frames sent over real sockets: the broker answers or closes that
// connection, and keeps serving everyone else. Seeded and bounded.
const CONNECTIONS = 60
const FRAMES_PER_CONNECTION = 50

function rng (seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 0x100000000 }
}

function mutatedFrame (random: () => number, i: number): Buffer {
  const base = i % 2 === 0
    ? encodeRequest(MetadataApi, 1 + (i % 12), i, 'fuzz', { topics: [{ name: `t${i % 7}` }] })
    : encodeRequest(ApiVersionsApi, i % 5, i, 'fuzz', { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' })
  const b = Buffer.from(base)
  // keep the size prefix honest so the frame boundary holds; damage the body
  for (let k = 0, n = 1 + Math.floor(random() * 3); k < n; k++) {
    const p = 4 + Math.floor(random() * (b.length - 4))
    b[p] = Math.floor(random() * 256)
  }
  return b
}

function blast (port: number, frames: Buffer[]): Promise<void> {
  return new Promise(resolve => {
    const s = net.connect({ port, host: '127.0.0.1' })
    const done = (): void => { clearTimeout(t); s.destroy(); resolve() }
    const t = setTimeout(done, 3000)
    s.on('connect', () => { s.end(Buffer.concat(frames)) })
    s.on('data', () => {})
    s.on('error', done)
    s.on('close', done)
  })
}

test('the broker survives mutated frames on many connections', async () => {
  const broker = await startBroker({ port: 0, logLevel: 'silent' })
  try {
    const random = rng(777)
    const batches: Promise<void>[] = []
    for (let c = 0; c < CONNECTIONS; c++) {
      const frames = Array.from({ length: FRAMES_PER_CONNECTION }, (_, i) => mutatedFrame(random, c * FRAMES_PER_CONNECTION + i))
      batches.push(blast(broker.port, frames))
      if (batches.length >= 10) await Promise.all(batches.splice(0))
    }
    await Promise.all(batches)
    const client = await RawClient.connect(broker.port)
    try {
      const res = await client.request(MetadataApi, 12, { topics: null })
      assert.equal(res.clusterId, broker.clusterId)
      assert.deepEqual(res.brokers.map(b => b.port), [broker.port])
    } finally { client.close() }
  } finally {
    await broker.close()
  }
})
