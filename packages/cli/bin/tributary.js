#!/usr/bin/env node
'use strict'
// CommonJS (bin/package.json says so): `tributary start` then runs without
// node's ES module loader, from a bundle compiled with a V8 code cache
// (code-cache.js); its cold start is a target of issue 2. Every other
// command loads the ES module bundle (scripts/bundle-cli.mjs), or the plain
// TypeScript output when no bundle has been built.
const { existsSync } = require('node:fs')
const { join } = require('node:path')
const { pathToFileURL } = require('node:url')

const args = process.argv.slice(2)
const startBundle = join(__dirname, '../dist/start/start.cjs')
if (args[0] === 'start' && existsSync(startBundle)) {
  const { loadWithCodeCache } = require('./code-cache.js')
  const bundle = loadWithCodeCache(startBundle)
  bundle.exports.main(args, () => bundle.saveCodeCache())
} else {
  const esmBundle = join(__dirname, '../dist/bundle/main.js')
  const entry = existsSync(esmBundle) ? esmBundle : join(__dirname, '../dist/src/main.js')
  import(pathToFileURL(entry).href).catch(err => {
    process.stderr.write(`tributary: ${err instanceof Error ? err.stack : String(err)}\n`)
    process.exitCode = 1
  })
}
