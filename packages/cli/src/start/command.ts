import { Command, Option } from 'commander'
import type { OptionValues, ParseOptionsResult } from 'commander'
import type { BrokerConfig } from '@tributary/broker'

/**
 * `tributary start`: loads the configuration (file < TRIBUTARY_* env <
 * flags), starts a broker in this process and runs until SIGINT/SIGTERM.
 *
 * Every broker configuration key is a flag, generated from the broker's
 * definitions table (`log.dirs` -> `--log-dirs`). The table lives in
 * @tributary/broker, so it is imported only once `start` is the command
 * being run: `tributary --help` and other commands never load the broker.
 */

type BrokerModule = typeof import('@tributary/broker')

/** The part of a broker config definition the CLI needs; keeps the mapping testable without the broker. */
export interface ConfigKeyInfo {
  readonly name: string
  readonly type: string
  readonly doc: string
  readonly default: string | null
}

/** Exit codes: 2 for usage and configuration mistakes, 1 for failures while running. */
export const EXIT_USAGE = 2
export const EXIT_FAILURE = 1

const OWN_OPTIONS = new Set(['config', 'help', 'version'])

/** `log.dirs` -> `log-dirs`, the rule docs/configuration.md states for flags. */
export function flagForKey (key: string): string {
  return key.replace(/\./g, '-')
}

/**
 * An option that works out its attribute name once. Commander asks each
 * option for it several times per parse (registering, collecting values,
 * checking conflicts), each time splitting and joining the flag anew: for
 * the broker's ~150 keys, about a thousand calls on `tributary start`'s
 * cold path.
 */
class KeyOption extends Option {
  #attributeName: string | undefined

  override attributeName (): string {
    this.#attributeName ??= super.attributeName()
    return this.#attributeName
  }
}

/** Each key's commander attribute, noted by configOption so that flagsFromOptions need not build the option again. */
const attributeOfKey = new WeakMap<ConfigKeyInfo, string>()

/**
 * The option for one key. Every key takes a value (`--num-partitions 3`);
 * a boolean key given alone means true (`--auto-create-topics-enable`).
 */
export function configOption (def: ConfigKeyInfo): Option {
  const flag = flagForKey(def.name)
  if (OWN_OPTIONS.has(flag)) throw new Error(`configuration key ${def.name} collides with the --${flag} option`)
  const isBoolean = def.type === 'boolean'
  const shownDefault = def.default === null ? '' : ` (default: ${def.default === '' ? 'empty' : def.default})`
  const option = new KeyOption(`--${flag} ${isBoolean ? '[bool]' : '<value>'}`, `${def.doc}${shownDefault}`)
  if (isBoolean) option.preset('true')
  attributeOfKey.set(def, option.attributeName())
  return option
}

/** One option per key, with a check that no two keys land on the same commander attribute. */
export function configOptions (defs: readonly ConfigKeyInfo[]): Option[] {
  const seen = new Map<string, string>()
  return defs.map(def => {
    const option = configOption(def)
    const attribute = option.attributeName()
    const other = seen.get(attribute)
    if (other !== undefined) throw new Error(`configuration keys ${other} and ${def.name} map to the same option`)
    seen.set(attribute, def.name)
    return option
  })
}

/**
 * The keys whose flags `args` name, or undefined when some argument that
 * looks like an option is not one of them (`--help`, a mistyped flag, a
 * value that starts with a dash): then `start` needs every key's option,
 * so that help lists them all and errors read as they always do. Given only
 * the keys it names, commander parses `args` exactly as with all of them,
 * without building and registering ~150 options on `tributary start`'s
 * cold path.
 */
export function keysNamedIn (defs: readonly ConfigKeyInfo[], args: readonly string[]): ConfigKeyInfo[] | undefined {
  let byFlag: Map<string, ConfigKeyInfo> | undefined
  const named = new Set<ConfigKeyInfo>()
  for (const arg of args) {
    if (!arg.startsWith('-')) continue
    const equals = arg.indexOf('=')
    const flag = equals < 0 ? arg : arg.slice(0, equals)
    if (flag === '--config') continue
    byFlag ??= new Map(defs.map(def => [`--${flagForKey(def.name)}`, def]))
    const def = byFlag.get(flag)
    if (def === undefined) return undefined
    named.add(def)
  }
  return [...named]
}

/**
 * `start`, which adds the per-key options just before commander parses its
 * arguments (they also show in `tributary start --help`); `keyOptions`
 * chooses them from the arguments.
 */
class StartCommand extends Command {
  constructor (private readonly keyOptions: (args: readonly string[]) => readonly Option[]) {
    super('start')
  }

  override parseOptions (args: string[]): ParseOptionsResult {
    for (const option of this.keyOptions(args)) this.addOption(option)
    return super.parseOptions(args)
  }
}

/**
 * Turns commander's parsed options (camelCase attributes) back into Kafka
 * keys. Options that were not given are left out, so that they do not hide
 * values from the file or the environment.
 */
export function flagsFromOptions (opts: OptionValues, defs: readonly ConfigKeyInfo[]): Record<string, string> {
  const flags: Record<string, string> = {}
  for (const def of defs) {
    const value: unknown = opts[attributeOfKey.get(def) ?? configOption(def).attributeName()]
    if (value !== undefined) flags[def.name] = String(value)
  }
  return flags
}

export function registerStartCommand (
  program: Command,
  loadBroker: () => Promise<BrokerModule> = () => import('@tributary/broker'),
  onStarted?: () => void
): Command {
  let broker: BrokerModule | undefined
  // The keys given options, for flagsFromOptions.
  let keys: readonly ConfigKeyInfo[] = []
  const start = new StartCommand(args => {
    if (broker === undefined) return [] // not parsed through the program: no key options
    const all = broker.CONFIG_DEFINITIONS
    keys = keysNamedIn(all, args) ?? all
    return configOptions(keys)
  })
  // What program.command('start') would do: the program's output and exit
  // settings apply to `start` too.
  start.copyInheritedSettings(program)
  program.addCommand(start)
  start
    .description('run a broker in the foreground until SIGINT or SIGTERM')
    .option('--config <file>', 'broker configuration in Java properties format (Kafka\'s server.properties)')
    .addHelpText('after', [
      '',
      'Precedence, lowest first: defaults, --config file, TRIBUTARY_<KEY> environment variables',
      '(TRIBUTARY_LOG_DIRS for log.dirs), flags. Keys are documented in docs/configuration.md.'
    ].join('\n'))

  // The broker (and with it the table of keys) loads only once `start` is
  // the command being run, before commander parses its arguments.
  program.hook('preSubcommand', async (_program, sub) => {
    if (sub !== start || broker !== undefined) return
    broker = await loadBroker()
  })
  start.action(async (opts: OptionValues) => {
    if (await runStart(broker!, opts, keys)) onStarted?.()
  })
  return start
}

/** True once the broker listens; false when it could not start (the failure is reported). */
async function runStart (broker: BrokerModule, opts: OptionValues, keys: readonly ConfigKeyInfo[]): Promise<boolean> {
  let config: BrokerConfig
  try {
    config = broker.loadConfig({
      file: opts.config as string | undefined,
      env: process.env,
      flags: flagsFromOptions(opts, keys)
    })
  } catch (err) {
    fail(err)
    return false
  }

  // The broker's own logger (JSON on stderr), at info level for the CLI.
  const log = broker.createLogger('info', { name: 'tributary', nodeId: config.nodeId })
  for (const warning of config.warnings) log.warn({}, warning)

  // Signals are handled from before the broker starts: a SIGTERM during
  // startup then stops the broker as soon as it is up, instead of killing
  // the process half-way through opening its files.
  let resolveServer: (server: Closable | undefined) => void = () => {}
  const started = new Promise<Closable | undefined>(resolve => { resolveServer = resolve })
  stopOnSignals(started, log)

  let server: Awaited<ReturnType<BrokerModule['startBroker']>>
  try {
    server = await broker.startBroker({ config, logger: log })
  } catch (err) {
    resolveServer(undefined)
    fail(err)
    return false
  }
  resolveServer(server)
  log.info({ host: server.host, port: server.port, logDirs: config.logDirs }, 'tributary listening')
  return true
}

interface Closable { close (): Promise<void> }
interface SignalLog { info (o: object, m: string): void, error (o: object, m: string): void }

/** First SIGINT/SIGTERM closes the broker and exits 0; a second one exits at once. */
function stopOnSignals (started: Promise<Closable | undefined>, log: SignalLog): void {
  let stopping = false
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.info({ signal }, 'second signal, exiting without waiting')
      process.exit(EXIT_FAILURE)
    }
    stopping = true
    log.info({ signal }, 'stopping')
    started
      // No server: startup failed and set the exit code already.
      .then(async server => server === undefined ? process.exit() : await server.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'error while stopping')
          process.exit(EXIT_FAILURE)
        })
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}

/**
 * Reports a startup failure on stderr. A configuration error is the user's
 * to fix: one line, exit 2, no stack. A system error (EADDRINUSE, EACCES)
 * also gets one line; anything else is a bug and keeps its stack.
 */
function fail (err: unknown): void {
  const code = (err as { code?: unknown } | null)?.code
  const isConfig = code === 'TRIB_CONFIG'
  let text: string
  if (!(err instanceof Error)) text = String(err)
  else if (isConfig || typeof code === 'string') text = err.message
  else text = err.stack ?? err.message
  process.stderr.write(`tributary: ${isConfig ? '' : 'failed to start: '}${text}\n`)
  const exitCode = isConfig ? EXIT_USAGE : EXIT_FAILURE
  process.exitCode = exitCode
  // Normally nothing is left running and the process ends by itself, after
  // stderr is flushed; this only catches a handle a failed start left open.
  setTimeout(() => process.exit(exitCode), 2000).unref()
}
