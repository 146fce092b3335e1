import { usage } from '../common/errors.js'
import { timestampArg } from '../common/parse.js'

/** Where consumption starts: kcat's `-o beginning|end|<n>|-<n>|s@<ts>` written as `beginning|end|<n>|-<n>|@<ts>` (`-<n>`: the last n records of each partition). */
export type StartSpec = { kind: 'earliest' } | { kind: 'latest' } | { kind: 'offset', offset: bigint } | { kind: 'fromEnd', count: bigint } | { kind: 'timestamp', ms: number }

export function parseStart (v: string | undefined): StartSpec | undefined {
  if (v === undefined) return undefined
  if (v === 'beginning' || v === 'earliest' || v === 'start' || v === 'oldest') return { kind: 'earliest' }
  if (v === 'end' || v === 'latest' || v === 'newest') return { kind: 'latest' }
  if (/^\d+$/.test(v)) return { kind: 'offset', offset: BigInt(v) }
  if (/^-\d+$/.test(v)) return { kind: 'fromEnd', count: BigInt(v.slice(1)) }
  if (v.startsWith('@')) return { kind: 'timestamp', ms: timestampArg(v.slice(1), '--offset') }
  throw usage(`--offset '${v}' is not beginning, end, a number, -N or @timestamp`, 'e.g. --offset beginning, --offset 42, --offset -10 (the last 10), --offset @1763800000000')
}
