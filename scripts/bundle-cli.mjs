#!/usr/bin/env node
// Bundles the `tributary` command into a few files (packages/cli/dist/bundle/)
// after `tsc -b`. Loading ~150 small ES modules costs more start-up time
// than the broker's own start (issue 2 asks for a cold start near 200 ms);
// one bundle with the rarely used parts in lazily loaded chunks avoids it.
// Native addons stay outside the bundle and are required at run time.
import { build } from 'esbuild'
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outdir = join(root, 'packages/cli/dist/bundle')
rmSync(outdir, { recursive: true, force: true })
await build({
  entryPoints: [join(root, 'packages/cli/dist/src/main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Smaller source parses faster; the linked source map keeps stack traces readable (node --enable-source-maps).
  minify: true,
  external: ['snappy', 'lz4-napi', 'zstd-napi', 'zstd-napi/*', '@node-rs/crc32', 'sse4_crc32'],
  // Bundled CommonJS dependencies (commander, pino) call require().
  banner: { js: "import { createRequire as __tributaryCreateRequire } from 'node:module'; const require = __tributaryCreateRequire(import.meta.url);" },
  logLevel: 'warning'
})
