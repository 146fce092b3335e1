import type { BenchReport } from './report.js'

/**
 * A self-contained HTML page for a benchmark report: a latency histogram
 * and a throughput-over-time chart as inline SVG, no scripts, no external
 * assets, so the file can be attached to an issue or opened offline.
 */
const esc = (s: string): string => s.replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)
const W = 720
const H = 240
const PAD = 40

function fmt (ms: number): string { return ms < 1 ? `${Math.round(ms * 1000)}µs` : ms < 1000 ? `${Math.round(ms * 10) / 10}ms` : `${(ms / 1000).toFixed(2)}s` }

export function histogramSvg (buckets: BenchReport['histogram']): string {
  if (buckets.length === 0) return '<p>No latencies were measured.</p>'
  const max = Math.max(...buckets.map(b => b.count))
  const bw = (W - 2 * PAD) / buckets.length
  const bars = buckets.map((b, i) => {
    const h = (H - 2 * PAD) * b.count / max
    return `<rect x="${(PAD + i * bw).toFixed(1)}" y="${(H - PAD - h).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="#3b82f6"><title>${fmt(b.fromMs)}–${fmt(b.toMs)}: ${b.count}</title></rect>`
  }).join('')
  const ticks = [0, Math.floor(buckets.length / 2), buckets.length - 1].map(i => `<text x="${(PAD + i * bw).toFixed(1)}" y="${H - PAD + 16}" font-size="11">${fmt(buckets[i]!.fromMs)}</text>`).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="latency histogram">${bars}${ticks}<text x="${PAD}" y="${PAD - 10}" font-size="11">max ${max} records per bucket (log-scale latency buckets)</text><line x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#444"/></svg>`
}

export function timelineSvg (points: BenchReport['timeline']): string {
  if (points.length === 0) return '<p>No records.</p>'
  const max = Math.max(1, ...points.map(p => p.recordsPerSec))
  const end = points[points.length - 1]!.atMs
  const xy = points.map(p => `${(PAD + (W - 2 * PAD) * p.atMs / end).toFixed(1)},${(H - PAD - (H - 2 * PAD) * p.recordsPerSec / max).toFixed(1)}`)
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="throughput over time"><polyline fill="none" stroke="#16a34a" stroke-width="2" points="${PAD},${H - PAD} ${xy.join(' ')}"/><line x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#444"/><text x="${PAD}" y="${PAD - 10}" font-size="11">peak ${Math.round(max)} records/s</text><text x="${W - PAD - 40}" y="${H - PAD + 16}" font-size="11">${(end / 1000).toFixed(1)} s</text></svg>`
}

export function htmlReport (r: BenchReport): string {
  const l = r.latencyMs
  const rows = Object.entries(r.settings).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`).join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tributary bench ${r.kind}: ${esc(r.topic)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:800px}table{border-collapse:collapse}th,td{text-align:left;padding:2px 12px 2px 0}</style></head>
<body><h1>tributary bench ${r.kind}</h1>
<p>${r.records} records, ${(r.bytes / 1048576).toFixed(2)} MiB, topic <code>${esc(r.topic)}</code>, ${(r.durationMs / 1000).toFixed(2)} s:
<strong>${r.recordsPerSec} records/s</strong>, ${r.mbPerSec} MiB/s.</p>
<table>${rows}</table>
${l === null ? '' : `<h2>Latency (ms)</h2><table><tr><th>min</th><th>mean</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr><tr><td>${l.min}</td><td>${l.mean}</td><td>${l.p50}</td><td>${l.p90}</td><td>${l.p99}</td><td>${l.p999}</td><td>${l.max}</td></tr></table>
<h2>Latency histogram</h2>${histogramSvg(r.histogram)}`}
<h2>Throughput over time</h2>${timelineSvg(r.timeline)}
</body></html>
`
}
