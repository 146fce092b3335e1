import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { registerClusterCommands } from './commands.js'
import { EXIT_FAILURE, EXIT_USAGE, registerStartCommand } from './start/command.js'

/**
 * The `tributary` program. Kept small and free of broker imports so that
 * `tributary --help` answers at once; each command loads what it needs.
 */

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

const program = new Command('tributary')
  .description('A Kafka-compatible event streaming broker for Node.js')
  .version(pkg.version, '-V, --version')
  // Usage errors read "tributary: unknown option '--x'" and exit 2, like a
  // configuration error; help and version exit 0. Subcommands inherit both.
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'tributary: ')) })
  .exitOverride(err => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE))

registerStartCommand(program)
registerClusterCommands(program)

// `tributary help start` prints help without dispatching to `start`, so
// the per-key flags would be missing; ask `start` itself instead.
const args = process.argv.slice(2)
if (args[0] === 'help' && args[1] === 'start') args.splice(0, 2, 'start', '--help')

try {
  await program.parseAsync(args, { from: 'user' })
} catch (err) {
  process.stderr.write(`tributary: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exitCode = EXIT_FAILURE
}
