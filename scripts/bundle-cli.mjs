#!/usr/bin/env node
// Bundles the `tributary` command into a few files (packages/cli/dist/bundle/)
// after `tsc -b`. Loading ~150 small ES modules costs more start-up time
// than the broker's own start (issue 2 asks for a cold start near 200 ms);
// one bundle with the rarely used parts in lazily loaded chunks avoids it.
// Native addons stay outside the bundle and are required at run time.
//
// `tributary start` gets a second bundle of its own (dist/start/start.cjs):
// CommonJS, so that bin/tributary.js can compile it through vm.Script with
// a V8 code cache (Node 20 has no compile cache for ES modules) and node
// never has to set up its ES module loader on that path.
import { build } from 'esbuild'
import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outdir = join(root, 'packages/cli/dist/bundle')
const startOutdir = join(root, 'packages/cli/dist/start')
// A rebuild also drops the code caches, which belong to the old bundle.
rmSync(outdir, { recursive: true, force: true })
rmSync(startOutdir, { recursive: true, force: true })
// sonic-boom and thread-stream (pino's) require `assert` at load and call
// it on rare paths only; they get a stand-in that loads it on first call.
const lazyAssert = {
  name: 'lazy-assert',
  setup (b) {
    b.onResolve({ filter: /^assert$/ }, args => /[\\/]node_modules[\\/](sonic-boom|thread-stream)[\\/]/.test(args.importer)
      ? { path: join(root, 'scripts/bundle/lazy-assert.cjs') }
      : undefined)
  }
}
// What both bundles share.
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Smaller source parses faster; the linked source map keeps stack traces readable (node --enable-source-maps).
  minify: true,
  external: ['snappy', 'lz4-napi', 'zstd-napi', 'zstd-napi/*', '@node-rs/crc32', 'sse4_crc32'],
  plugins: [lazyAssert],
  logLevel: 'warning'
}
await build({
  ...common,
  entryPoints: [join(root, 'packages/cli/dist/src/main.js')],
  outdir,
  splitting: true,
  format: 'esm',
  // Bundled CommonJS dependencies (commander, pino) call require().
  banner: { js: "import { createRequire as __tributaryCreateRequire } from 'node:module'; const require = __tributaryCreateRequire(import.meta.url);" }
})
await build({
  ...common,
  entryPoints: [join(root, 'packages/cli/dist/src/start-entry.js')],
  outfile: join(startOutdir, 'start.cjs'),
  format: 'cjs',
  // import.meta.url has no CommonJS equivalent; the bundle's own file URL
  // is right for every use (package.json lookup, createRequire of addons).
  define: { 'import.meta.url': '__tributaryImportMetaUrl' },
  // The file is the module's function already (bin/code-cache.js runs it):
  // wrapping it at load time, as node's Module.wrap does, would make V8
  // copy the ~700 KB source into one flat string, an allocation that costs
  // a garbage collection during the cold start. The wrapper opens before
  // the bundle's own "use strict", as node's does, so the code runs in the
  // same mode as a module node would load.
  banner: { js: "(function (exports, require, module, __filename, __dirname) {\nconst __tributaryImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  footer: { js: '})' }
})
