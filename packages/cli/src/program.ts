import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { EXIT_FAILURE, EXIT_USAGE, registerStartCommand } from './start/command.js'

/**
 * The `tributary` program with its `start` command. main.ts adds the other
 * verbs; start-entry.ts (bundled as CommonJS for a fast `tributary start`,
 * see bin/tributary.js) runs it as is, so both share one definition.
 * `onStarted` runs once `start` has its broker listening.
 */
export function createProgram (onStarted?: () => void): Command {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  const program = new Command('tributary')
    .description('A Kafka-compatible event streaming broker for Node.js')
    .version(pkg.version, '-V, --version')
    // Usage errors read "tributary: unknown option '--x'" and exit 2, like a
    // configuration error; help and version exit 0. Subcommands inherit both.
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'tributary: ')) })
    .exitOverride(err => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE))
  registerStartCommand(program, undefined, onStarted)
  return program
}

/** Parses and runs `args` (process.argv without node and the script); failures become exit code 1. */
export async function runProgram (program: Command, args: readonly string[]): Promise<void> {
  const argv = [...args]
  // `tributary help start` prints help without dispatching to `start`, so
  // the per-key flags would be missing; ask `start` itself instead.
  if (argv[0] === 'help' && argv[1] === 'start') argv.splice(0, 2, 'start', '--help')
  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (err) {
    process.stderr.write(`tributary: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = EXIT_FAILURE
  }
}
