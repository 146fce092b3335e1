import { registerClusterCommands } from './commands.js'
import { createProgram, runProgram } from './program.js'

/**
 * The `tributary` program. Kept small and free of broker imports so that
 * `tributary --help` answers at once; each command loads what it needs.
 */
const program = createProgram()
registerClusterCommands(program)
await runProgram(program, process.argv.slice(2))
