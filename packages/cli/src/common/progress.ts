/**
 * A progress bar on stderr for produce/consume from or to files. Shown only
 * when stderr is a terminal (so pipes and logs stay clean) or when
 * TRIBUTARY_PROGRESS=1 forces it; NO_COLOR is honoured by never using colour.
 * Redrawn at most every 100 ms; `done()` leaves a final line.
 */
export class Progress {
  private last = 0
  private readonly enabled: boolean
  private current = 0

  constructor (private readonly label: string, private total: number | undefined, private readonly unit: string, stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env) {
    this.stream = stream
    this.enabled = env.TRIBUTARY_PROGRESS === '1' || (env.TRIBUTARY_PROGRESS !== '0' && stream.isTTY === true)
  }

  private readonly stream: NodeJS.WriteStream

  update (current: number, force = false): void {
    this.current = current
    if (!this.enabled) return
    const now = Date.now()
    if (!force && now - this.last < 100) return
    this.last = now
    this.stream.write('\r' + this.line() + '\x1b[K')
  }

  line (): string {
    if (this.total === undefined || this.total <= 0) return `${this.label} ${this.current} ${this.unit}`
    const ratio = Math.min(1, this.current / this.total)
    const width = 30
    const filled = Math.round(ratio * width)
    return `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(ratio * 100)}% ${this.current}/${this.total} ${this.unit}`
  }

  done (): void {
    if (!this.enabled) return
    if (this.total !== undefined) this.current = this.total
    this.stream.write('\r' + this.line() + '\x1b[K\n')
  }
}
