import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { crc32 } from 'node:zlib'
import { decodeRequestHeader, encodeRequest, type ApiDescriptor } from '../src/index.js'
import type { RequestHeader } from '../src/index.js'
import { apiByKey, type FetchRequest, type ProduceRequest } from '../src/apis.js'
import { decodeRecordBatch, splitBatches, verifyBatchCrc } from '../src/records/index.js'
import { fromHexLines, parseGolden } from './golden/golden-json.js'

/*
 * Golden bytes (DESIGN.md R10): request frames captured from real clients by
 * tools/capture-golden/capture.mjs, one per (client, API, version). For each:
 * the generated codec decodes header and body, consumes every byte, gets the
 * value stored next to the frame, and re-encodes that value to exactly the
 * captured bytes. Produce batches are checked against what the capture sent
 * and Fetch requests against the partition it asked for.
 */

// Compiled to dist/test/, the data stays in test/golden/.
const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../test/golden')

/**
 * Frames that real clients send but that are not valid Kafka: the codec must
 * keep rejecting them, with the error the capture recorded.
 */
const KNOWN_INVALID: Record<string, string> = {
  'metadata/platformatic-kafka-v11':
    '@platformatic/kafka 1.35 still writes IncludeClusterAuthorizedOperations (Metadata v8-10 only) in v11: ' +
    'one byte too many, which a Kafka broker rejects too. Against a real broker it uses v12.'
}

/**
 * Frames whose bytes are valid but not the codec's canonical encoding: only
 * the decoded values are compared. None so far.
 */
const NON_CANONICAL: Record<string, string> = {}

interface ExpectedRecord { key: string | null, value: string | null, headers: { key: string, value: string | null }[], timestamp?: bigint }

interface GoldenDoc {
  client: string
  software: string | null
  api: string
  apiKey: number
  version: number
  headerVersion?: number
  header?: RequestHeader
  request?: unknown
  decodeError?: string
  expect?: {
    records?: ExpectedRecord[]
    topic?: string
    topicId?: string
    partition?: number
    fetchOffset?: bigint
  }
}

interface Golden { id: string, bytes: Buffer, doc: GoldenDoc }

function loadGoldens (): Golden[] {
  const out: Golden[] = []
  if (!existsSync(GOLDEN_DIR)) return out
  for (const entry of readdirSync(GOLDEN_DIR, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    const dir = join(GOLDEN_DIR, entry.name)
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.request.hex')) continue
      const stem = file.slice(0, -'.hex'.length)
      const jsonPath = join(dir, `${stem}.json`)
      assert.ok(existsSync(jsonPath), `${entry.name}/${file} has no ${stem}.json`)
      out.push({
        id: `${entry.name}/${stem.slice(0, -'.request'.length)}`,
        bytes: fromHexLines(readFileSync(join(dir, file), 'utf8')),
        doc: parseGolden(readFileSync(jsonPath, 'utf8')) as GoldenDoc
      })
    }
  }
  return out
}

/** Where two buffers first differ, with a little context, for a failure message. */
function describeDiff (actual: Buffer, expected: Buffer): string {
  let i = 0
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++
  const ctx = (b: Buffer): string => b.subarray(Math.max(0, i - 8), i + 16).toString('hex')
  return `re-encoded ${actual.length} bytes vs captured ${expected.length}; first difference at byte ${i} ` +
    `(frame offset, size prefix included): encoder ${ctx(actual)} vs client ${ctx(expected)} (from byte ${Math.max(0, i - 8)})`
}

function decodeFrame (bytes: Buffer): { header: RequestHeader, headerVersion: number, api: ApiDescriptor, request: unknown, remaining: number } {
  const payload = bytes.subarray(4)
  const { header, headerVersion, api, body } = decodeRequestHeader(payload, apiByKey)
  if (api === undefined) throw new Error(`unknown API key ${header.requestApiKey}`)
  const request = api.readRequest(body, header.requestApiVersion)
  return { header, headerVersion, api, request, remaining: body.remaining }
}

const text = (b: Buffer | null): string | null => b === null ? null : b.toString('utf8')

/**
 * Produce v0-2 carry the legacy message sets (magic 0 and 1), which the
 * records codec does not read: offset int64, size int32, then crc uint32
 * (CRC-32 of the rest), magic, attributes, timestamp (magic 1), key, value.
 */
interface LegacyMessage { magic: number, timestamp: bigint | null, key: Buffer | null, value: Buffer | null }

function decodeLegacyMessageSet (buf: Buffer): LegacyMessage[] {
  const out: LegacyMessage[] = []
  let at = 0
  while (at < buf.length) {
    const size = buf.readInt32BE(at + 8)
    const msg = buf.subarray(at + 12, at + 12 + size)
    assert.equal(msg.length, size, 'legacy message cut short')
    assert.equal(crc32(msg.subarray(4)), msg.readUInt32BE(0), 'legacy message CRC-32')
    const magic = msg.readInt8(4)
    assert.ok(magic === 0 || magic === 1, `legacy magic ${magic}`)
    assert.equal(msg.readInt8(5) & 0x07, 0, 'the capture sends uncompressed messages')
    let p = 6
    let timestamp: bigint | null = null
    if (magic === 1) { timestamp = msg.readBigInt64BE(p); p += 8 }
    const bytes = (): Buffer | null => {
      const n = msg.readInt32BE(p)
      p += 4
      if (n < 0) return null
      const v = msg.subarray(p, p + n)
      p += n
      return v
    }
    const key = bytes()
    const value = bytes()
    assert.equal(p, msg.length, 'bytes left in a legacy message')
    out.push({ magic, timestamp, key, value })
    at += 12 + size
  }
  return out
}

async function checkProduce (g: Golden, req: ProduceRequest): Promise<void> {
  const expected = g.doc.expect?.records
  assert.ok(expected !== undefined, 'Produce golden without expected records')
  const blobs = req.topicData.flatMap(t => t.partitionData.map(p => ({ topic: t.name, partition: p.index, records: p.records })))
  assert.equal(blobs.length, 1, 'one partition per capture')
  const { topic, partition, records } = blobs[0]!
  assert.equal(topic, 'golden')
  assert.equal(partition, 0)
  assert.ok(records !== null && records.length > 0, 'records present')

  // Same place in both formats: after baseOffset/offset (8), length/size (4), leaderEpoch/crc (4).
  const magic = records.readInt8(16)
  // Kafka rejects Produce v3+ with anything but v2 batches (ProduceRequest.validateRecords).
  if (g.doc.version >= 3) assert.equal(magic, 2, 'Produce v3+ carries record batches v2')
  if (magic < 2) {
    // Legacy formats have no headers: only key, value and (magic 1) timestamp travel.
    const msgs = decodeLegacyMessageSet(records)
    assert.deepEqual(msgs.map(m => ({ key: text(m.key), value: text(m.value) })), expected.map(e => ({ key: e.key, value: e.value })))
    for (const [i, m] of msgs.entries()) {
      const sent: bigint | undefined = expected[i]!.timestamp
      if (m.magic === 1 && sent !== undefined) assert.equal(m.timestamp, sent, 'CreateTime the capture set')
    }
    return
  }

  const { batches, leftover } = splitBatches(records)
  assert.equal(leftover.length, 0, 'no partial batch in a produce request')
  const got: ExpectedRecord[] = []
  for (const batch of batches) {
    assert.ok(verifyBatchCrc(batch), 'batch CRC-32C')
    const { header, records: recs } = await decodeRecordBatch(batch)
    assert.equal(header.recordsCount, recs.length)
    for (const r of recs) {
      got.push({
        key: text(r.key),
        value: text(r.value),
        headers: r.headers.map(h => ({ key: h.key, value: text(h.value) })),
        timestamp: r.timestamp
      })
    }
  }
  assert.equal(got.length, expected.length, 'record count')
  for (const [i, e] of expected.entries()) {
    const r = got[i]!
    assert.deepEqual({ key: r.key, value: r.value, headers: r.headers }, { key: e.key, value: e.value, headers: e.headers })
    if (e.timestamp !== undefined) assert.equal(r.timestamp, e.timestamp, 'CreateTime the capture set')
  }
}

function checkFetch (g: Golden, req: FetchRequest): void {
  const e = g.doc.expect
  assert.ok(e?.partition !== undefined && e.fetchOffset !== undefined, 'Fetch golden without expectations')
  assert.equal(req.topics.length, 1, 'one topic per capture')
  const t = req.topics[0]!
  // v13 (KIP-516) names topics by id only.
  if (g.doc.version >= 13) assert.equal(t.topicId, e.topicId)
  else assert.equal(t.topic, e.topic)
  const p = t.partitions.find(p => p.partition === e.partition)
  assert.ok(p !== undefined, `partition ${e.partition} requested`)
  assert.equal(p.fetchOffset, e.fetchOffset)
}

const goldens = loadGoldens()

test('golden frames are present for the clients the suite relies on', () => {
  const have = new Set(goldens.map(g => `${g.doc.client} ${g.doc.api}`))
  for (const client of ['kcat', 'kafkajs']) {
    for (const api of ['ApiVersions', 'Metadata', 'Produce', 'Fetch']) {
      assert.ok(have.has(`${client} ${api}`), `no ${api} frame from ${client}: re-run tools/capture-golden/capture.mjs`)
    }
  }
})

for (const g of goldens) {
  test(`golden ${g.id} (${g.doc.software ?? g.doc.client})`, async () => {
    const { bytes, doc } = g
    assert.equal(bytes.readInt32BE(0), bytes.length - 4, 'size prefix matches the frame')
    assert.equal(bytes.readInt16BE(4), doc.apiKey)
    assert.equal(bytes.readInt16BE(6), doc.version)

    const invalid = KNOWN_INVALID[g.id]
    if (invalid !== undefined) {
      assert.ok(doc.decodeError !== undefined, `${g.id} is listed as invalid but decoded at capture time`)
      assert.throws(() => {
        const { remaining } = decodeFrame(bytes)
        if (remaining !== 0) throw new Error(`${remaining} bytes left after the body`)
      }, (err: Error) => err.message === doc.decodeError)
      return
    }
    assert.equal(doc.decodeError, undefined, `the codec could not decode this frame at capture time: ${doc.decodeError}`)

    const { header, headerVersion, api, request, remaining } = decodeFrame(bytes)
    assert.equal(remaining, 0, 'every byte of the body consumed')
    assert.equal(api.apiKey, doc.apiKey)
    assert.equal(headerVersion, doc.headerVersion)
    assert.deepEqual(header, doc.header)
    assert.deepEqual(request, doc.request)

    const reencoded = encodeRequest(api, doc.version, header.correlationId, header.clientId, request as object)
    if (NON_CANONICAL[g.id] === undefined) {
      assert.ok(reencoded.equals(bytes), `${api.name} v${doc.version}: ${describeDiff(reencoded, bytes)}`)
    } else {
      // Still a fixed point: what we write reads back to the same value.
      assert.deepEqual(decodeFrame(reencoded).request, request)
    }

    if (doc.apiKey === 0) await checkProduce(g, request as ProduceRequest)
    if (doc.apiKey === 1) checkFetch(g, request as FetchRequest)
  })
}
