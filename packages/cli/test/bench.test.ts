import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runOk, startTestBroker, type TestBroker } from '@tributary/testkit'
import { cli, cliOk, removeHome } from './helpers/cli.js'
import { histogram, summarize } from '../src/bench/stats.js'

interface Report { kind: string, records: number, bytes: number, recordsPerSec: number, latencyMs: { count: number, p50: number, p99: number, max: number } | null, histogram: Array<{ count: number }>, timeline: Array<{ recordsPerSec: number }> }

// `tributary bench produce|consume|e2e`: small runs against a real broker;
// kcat counts what the produce benchmark wrote.
describe('tributary bench', () => {
  let broker: TestBroker
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-'))
  before(async () => { broker = await startTestBroker() })
  after(async () => { await broker.close(); rmSync(dir, { recursive: true, force: true }); removeHome() })

  test('percentiles and log-scale histogram buckets', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1)
    const s = summarize(values)!
    assert.deepEqual([s.min, s.p50, s.p90, s.p99, s.p999, s.max, s.mean], [1, 500, 900, 990, 999, 1000, 500.5])
    assert.equal(summarize([]), null)
    const h = histogram([0.01, 1, 1, 100])
    assert.equal(h.reduce((n, b) => n + b.count, 0), 4)
    assert.ok(h.every((b, i) => i === 0 || b.fromMs >= h[i - 1]!.toMs - 1e-9), 'buckets are contiguous and ascending')
  })

  test('produce: JSON report with latency percentiles, HTML page with inline SVG only; kcat counts the records', async () => {
    const html = join(dir, 'produce.html')
    const r = await cliOk(broker.bootstrap, ['bench', 'produce', '-t', 'b1', '-n', '3000', '-s', '50', '-p', '2', '--format', 'json', '--html', html], { env: { TRIBUTARY_PROGRESS: '1' } })
    const j = JSON.parse(r.stdout) as Report
    assert.equal(j.kind, 'produce')
    assert.equal(j.records, 3000)
    assert.equal(j.bytes, 150_000)
    assert.ok(j.recordsPerSec > 0)
    assert.equal(j.latencyMs!.count, 3000)
    assert.ok(j.latencyMs!.p50 <= j.latencyMs!.p99 && j.latencyMs!.p99 <= j.latencyMs!.max)
    assert.equal(j.histogram.reduce((n, b) => n + b.count, 0), 3000)
    assert.ok(j.timeline.length > 0)
    assert.match(r.stderr, /\rproduce: 3000\/3000 records, \d+ records\/s/)
    const page = readFileSync(html, 'utf8')
    assert.match(page, /^<!doctype html>/)
    assert.equal((page.match(/<svg /g) ?? []).length, 2, 'a histogram and a throughput chart')
    assert.doesNotMatch(page, /(src|href)=["']?https?:/, 'no external assets')
    const batched = JSON.parse((await cliOk(broker.bootstrap, ['bench', 'produce', '-t', 'b1', '-n', '1001', '-s', '50', '--records-per-send', '100', '--format', 'json'])).stdout) as Report
    assert.equal(batched.records, 1001)
    assert.equal(batched.latencyMs!.count, 1001)
    const kc = await runOk('kcat', ['-b', broker.bootstrap, '-C', '-t', 'b1', '-e', '-q', '-f', '%S\n'])
    const sizes = kc.stdout.trim().split('\n')
    assert.equal(sizes.length, 4001)
    assert.ok(sizes.every(s => s === '50'))
  })

  test('consume reads what is there (text report); e2e measures send-to-receipt latency', async () => {
    const c = await cliOk(broker.bootstrap, ['bench', 'consume', '-t', 'b1', '-n', '10000'])
    assert.match(c.stdout, /^consume: 4001 records \(0\.19 MiB\) to\/from b1 in [\d.]+ s\nthroughput: \d+ records\/s/)
    const e = JSON.parse((await cliOk(broker.bootstrap, ['bench', 'e2e', '-t', 'b2', '-n', '2000', '--records-per-send', '50', '--format', 'json'])).stdout) as Report
    assert.equal(e.kind, 'e2e')
    assert.equal(e.records, 2000)
    assert.equal(e.latencyMs!.count, 2000)
    assert.ok(e.latencyMs!.max < 30_000)
    const missing = await cli(broker.bootstrap, ['bench', 'consume', '-t', 'nope'])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /topic 'nope' does not exist\n {2}hint: fill it first with `tributary bench produce`/)
  })
})
