#!/usr/bin/env node
// The bundled build (scripts/bundle-cli.mjs) starts faster; the plain
// TypeScript output is the fallback when the bundle has not been built.
import { existsSync } from 'node:fs'

const bundle = new URL('../dist/bundle/main.js', import.meta.url)
await import(existsSync(bundle) ? bundle.href : '../dist/src/main.js')
