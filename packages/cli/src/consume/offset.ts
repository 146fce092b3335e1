import { usage } from '../common/errors.js'
import { timestampArg } from '../common/parse.js'

/** Where consumption starts: kcat's `-o beginning|end|<n>|s@<ts>` written as `beginning|end|<n>|@<ts>`. */
export type StartSpec = { kind: 'earliest' } | { kind: 'latest' } | { kind: 'offset', offset: bigint } | { kind: 'timestamp', ms: number }

export function parseStart (v: string | undefined): StartSpec | undefined {
  if (v === undefined) return undefined
  if (v === 'beginning' || v === 'earliest' || v === 'start' || v === 'oldest') return { kind: 'earliest' }
  if (v === 'end' || v === 'latest' || v === 'newest') return { kind: 'latest' }
  if (/^\d+$/.test(v)) return { kind: 'offset', offset: BigInt(v) }
  if (v.startsWith('@')) return { kind: 'timestamp', ms: timestampArg(v.slice(1), '--offset') }
  throw usage(`--offset '${v}' is not beginning, end, a number or @timestamp`, 'e.g. --offset beginning, --offset 42, --offset @1763800000000')
}
