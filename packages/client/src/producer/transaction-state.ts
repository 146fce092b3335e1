import { TransactionStateError } from '../errors.js'

/*
 * The client side of a KIP-98 transaction, as Kafka's TransactionManager
 * sees it. `initTransactions()` leads from uninitialized to ready; begin
 * to in_transaction; commit or abort through committing/aborting back to
 * ready. A fencing error makes the producer fatal for good. A failed send
 * inside a transaction makes it abortable: only abort may follow.
 */
export type TxnPhase = 'uninitialized' | 'initializing' | 'ready' | 'in_transaction' | 'committing' | 'aborting' | 'fatal'

export class TransactionState {
  phase: TxnPhase = 'uninitialized'
  /** Partitions the coordinator knows are in the current transaction. */
  readonly added = new Set<string>()
  /** Whether AddOffsetsToTxn ran in the current transaction. */
  offsetsAdded = false
  /** The first send that failed in the current transaction: commit is refused, abort is the way out. */
  abortableError: Error | undefined
  /** Set once fenced; every later call throws it. */
  fatalError: Error | undefined

  /** Throws unless the producer is in one of `phases`. */
  expect (what: string, ...phases: TxnPhase[]): void {
    if (this.phase === 'fatal') throw this.fatalError ?? new TransactionStateError(`${what}: the producer hit a fatal error`)
    if (!phases.includes(this.phase)) throw new TransactionStateError(`${what} is not allowed ${PHASE_TEXT[this.phase]}`)
  }

  /** Whether the coordinator holds anything of this transaction (else EndTxn is skipped, as the Java client does). */
  get started (): boolean { return this.added.size > 0 || this.offsetsAdded }

  begin (): void {
    this.expect('beginTransaction()', 'ready')
    this.phase = 'in_transaction'
    this.added.clear()
    this.offsetsAdded = false
    this.abortableError = undefined
  }

  /** After EndTxn (or when there was nothing to end). */
  completed (): void {
    this.phase = 'ready'
    this.added.clear()
    this.offsetsAdded = false
    this.abortableError = undefined
  }

  fail (err: Error): void {
    this.phase = 'fatal'
    this.fatalError = err
  }
}

const PHASE_TEXT: Record<TxnPhase, string> = {
  uninitialized: 'before initTransactions()',
  initializing: 'while initTransactions() runs',
  ready: 'outside a transaction (call beginTransaction() first)',
  in_transaction: 'inside a transaction (commit or abort it first)',
  committing: 'while the transaction commits',
  aborting: 'while the transaction aborts',
  fatal: 'after a fatal error'
}

export function tpKey (topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}
