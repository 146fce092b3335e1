import type { Command } from 'commander'
import { resolveConnection, type ConnectionSettings, type GlobalOptions } from './connection.js'
import { CliError, describeError, EXIT_USAGE } from './errors.js'
import { parseFormat, type Format } from './output.js'

/** What every verb receives: where the cluster is and how to print. */
export interface Ctx {
  conn: ConnectionSettings
  format: Format
  /** The raw --format value (consume takes a template there). */
  rawFormat: string | undefined
  out: (s: string) => void
  err: (s: string) => void
}

/** A verb module: `run` returns the exit code (0 when it returns nothing). */
export interface Verb { run: (ctx: Ctx, args: string[], opts: Record<string, unknown>) => Promise<number | undefined | void> }

/** Adds the options every cluster command takes. */
export function withCommon (cmd: Command, formatHelp = 'output: text (aligned table) or json', formatFlag = '--format <format>'): Command {
  return cmd
    .option('-b, --brokers <list>', 'bootstrap brokers host:port[,host:port] (default: $TRIBUTARY_BROKERS, the profile, 127.0.0.1:9092)')
    .option('--bootstrap-server <list>', 'the same as --brokers (the kafka-*.sh name)')
    .option('--profile <file>', 'profile JSON file (default: ~/.config/tributary/profile.json)')
    .option('--timeout <ms>', 'give up on the cluster after this long (default 10000)')
    .option(formatFlag, formatHelp)
}

function exit (code: number): void {
  // Let stdout drain into a pipe before leaving; a client socket left open must not keep the CLI alive.
  process.exitCode = code
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
}

/*
 * A reader that goes away (`tributary consume t | head -1`) closes stdout:
 * that ends the command quietly with exit 0, as kcat and `cat` do. A verb
 * that must clean up first (consume commits and leaves its group) replaces
 * the handler.
 */
let stdoutClosed: () => void = () => process.exit(0)
export function onStdoutClosed (handler: () => void): void { stdoutClosed = handler }

/** The action for a lazily loaded verb: the module is imported only when this command runs. */
export function lazy (load: () => Promise<Verb>, opts: { templateFormat?: boolean } = {}): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command
    const options = cmd.opts()
    const positional = args.slice(0, -2).flatMap(a => Array.isArray(a) ? a as string[] : a === undefined ? [] : [String(a)])
    let conn: ConnectionSettings | undefined
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') stdoutClosed()
      else throw err
    })
    try {
      conn = resolveConnection(options as GlobalOptions)
      const raw = options.format as string | undefined
      let format: Format
      try {
        format = opts.templateFormat === true && raw !== undefined && raw !== 'json' ? 'text' : parseFormat(raw)
      } catch {
        throw new CliError(`unknown --format '${raw ?? ''}'`, EXIT_USAGE, 'use --format text or --format json')
      }
      const verb = await load()
      const code = await verb.run({ conn, format, rawFormat: raw, out: s => process.stdout.write(s), err: s => process.stderr.write(s) }, positional, options)
      exit(typeof code === 'number' ? code : 0)
    } catch (e) {
      const ce = describeError(e, conn?.brokers ?? [])
      process.stderr.write(`tributary: ${ce.message}\n${ce.hint !== undefined ? `  hint: ${ce.hint}\n` : ''}`)
      exit(ce.exitCode)
    }
  }
}
