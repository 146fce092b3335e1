'use strict'
// Loads a CommonJS bundle through vm.Script with a V8 code cache beside it,
// the technique of the v8-compile-cache package, done here for one file:
// compiling the broker's ~800 KB bundle from source costs tens of
// milliseconds of `tributary start`'s cold start, deserializing the cache a
// fraction of that. Node 22's module.enableCompileCache() would do this for
// every module; Node 20 does not have it.
//
// The cache lives next to the bundle and nowhere else: it holds bytecode
// that V8 runs, so it must be as protected as the code itself (a world-
// writable directory such as /tmp would let anyone inject code). Its name
// carries the bundle's size and modification time, and the build deletes
// the directory, so a cache never meets another bundle; V8 itself rejects a
// cache from another V8 version or other flags, and then the file is
// rewritten.
const { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } = require('node:fs')
const { dirname } = require('node:path')
const Module = require('node:module')
const vm = require('node:vm')

/**
 * Compiles and runs `file` as a CommonJS module. The file holds the
 * module's function expression, `(function (exports, require, module,
 * __filename, __dirname) { ... })`, as scripts/bundle-cli.mjs writes it,
 * so that V8 compiles the string as read instead of a concatenated copy.
 * Returns its exports and saveCodeCache(), to call once the program has
 * done its start-up work: the cache then also holds the functions compiled
 * on the way, not only the top level. Saving is skipped when a valid cache
 * was used.
 */
function loadWithCodeCache (file) {
  const source = readFileSync(file, 'utf8')
  const { size, mtimeMs } = statSync(file)
  const cacheFile = `${file}.${size}-${Math.trunc(mtimeMs)}.v8cache`
  let cachedData
  try { cachedData = readFileSync(cacheFile) } catch { cachedData = undefined }
  const script = new vm.Script(source, {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER
  })
  const needsSave = cachedData === undefined || script.cachedDataRejected === true
  const mod = new Module(file, module)
  mod.filename = file
  mod.paths = Module._nodeModulePaths(dirname(file))
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file))
  mod.loaded = true
  let saved = !needsSave
  return {
    exports: mod.exports,
    saveCodeCache () {
      if (saved) return
      saved = true
      // Soon after, not at once: the broker loads its request handlers just
      // after it starts listening, and their code belongs in the cache too.
      setTimeout(() => {
        const tmp = `${cacheFile}.${process.pid}.tmp`
        try {
          writeFileSync(tmp, script.createCachedData())
          renameSync(tmp, cacheFile) // atomic: a concurrent start reads the old file or the new, never half
        } catch {
          // A read-only installation runs without a cache, only slower to start.
          try { unlinkSync(tmp) } catch {}
        }
      }, 300).unref()
    }
  }
}

module.exports = { loadWithCodeCache }
