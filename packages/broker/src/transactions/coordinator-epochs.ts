// The coordinator epoch of each `__transaction_state` partition this broker
// has loaded. Kafka uses the partition's leader epoch: every coordinator
// that loads the partition has a higher one, writes it into its transaction
// markers, and a data partition refuses markers older than the last it saw
// (TRANSACTION_COORDINATOR_FENCED), so that a stale coordinator cannot
// complete a transaction differently. A single node keeps leader epoch 0, so
// the epoch here is a load generation persisted in a small file of the first
// log directory (temp file, fsync, rename, directory fsync): it grows on
// every load, across restarts.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeFileDurablySync } from '@tributary/log'

export const COORDINATOR_EPOCHS_FILE = 'transaction-coordinator-epochs.json'

export class CoordinatorEpochs {
  private epochs: Map<number, number> | undefined

  constructor (private readonly dir: string) {}

  private read (): Map<number, number> {
    if (this.epochs !== undefined) return this.epochs
    const epochs = new Map<number, number>()
    try {
      const parsed = JSON.parse(readFileSync(join(this.dir, COORDINATOR_EPOCHS_FILE), 'utf8')) as { version?: number, epochs?: Record<string, number> }
      for (const [k, v] of Object.entries(parsed.epochs ?? {})) if (Number.isInteger(v)) epochs.set(Number(k), v)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    this.epochs = epochs
    return epochs
  }

  /** The current epoch of a partition (-1 before its first load). */
  current (partition: number): number { return this.read().get(partition) ?? -1 }

  /** A new, higher epoch for a load of the partition, durable before it is returned (synchronous: loads never interleave their writes). */
  next (partition: number): number {
    const epochs = this.read()
    const epoch = (epochs.get(partition) ?? -1) + 1
    epochs.set(partition, epoch)
    writeFileDurablySync(join(this.dir, COORDINATOR_EPOCHS_FILE), JSON.stringify({ version: 0, epochs: Object.fromEntries(epochs) }) + '\n')
    return epoch
  }
}
