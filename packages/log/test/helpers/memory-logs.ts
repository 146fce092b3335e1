import { MemoryLog, emptyMemoryLogState, type MemoryLogState } from '../../src/memory-log.js'
import type { LogConfig } from '../../src/types.js'

/*
 * MemoryLog has no directory; its state object plays that part. These keep
 * one state per test directory, so that "reopen the directory" means a new
 * MemoryLog over the state the closed one left.
 */
const states = new Map<string, MemoryLogState>()

export async function openMemoryLog ({ dir, config }: { dir: string, config: LogConfig }): Promise<MemoryLog> {
  const state = emptyMemoryLogState()
  states.set(dir, state)
  return new MemoryLog(config, state)
}

export async function reopenMemoryLog ({ dir, config }: { dir: string, config: LogConfig }): Promise<MemoryLog> {
  const state = states.get(dir)
  if (state === undefined) throw new Error(`no MemoryLog was opened in ${dir}`)
  return new MemoryLog(config, state)
}
