'use strict'
// Stands in for `assert` in bundled dependencies that call it only on rare
// paths (sonic-boom, when a stream closes): requiring node:assert at load
// costs `tributary start` about a millisecond, and its colour setup creates
// process.stderr, which pino's direct fd writes never need otherwise.
module.exports = function assert (value, message) {
  require('node:assert')(value, message)
}
