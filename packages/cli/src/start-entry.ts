import { createProgram, runProgram } from './program.js'

/**
 * `tributary start` alone: the entry of the CommonJS bundle that
 * bin/tributary.js loads with a V8 code cache (scripts/bundle-cli.mjs).
 * It exports instead of running so that the launcher can be told when the
 * broker is up (the moment to save the code cache) without a timer guess.
 */
export function main (args: readonly string[], onStarted?: () => void): Promise<void> {
  return runProgram(createProgram(onStarted), args)
}
