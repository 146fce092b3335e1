// Topic regular expressions of KIP-848 subscriptions (ConsumerGroupHeartbeat
// v1 SubscribedTopicRegex). Kafka compiles them with RE2/J and matches the
// whole topic name; we use JavaScript's RegExp with the same full-match
// semantics. The syntaxes differ at the edges (RE2 has no backreferences or
// lookaround; JavaScript lacks \Q...\E and possessive quantifiers).
const cache = new Map<string, RegExp | null>()
const MAX_CACHED = 1024

/** The compiled full-match pattern, or null when `source` is not a valid regular expression. */
export function compileTopicRegex (source: string): RegExp | null {
  let re = cache.get(source)
  if (re !== undefined) return re
  try {
    // Compiled alone first: a pattern that is valid by itself cannot break
    // out of the group that anchors it.
    void new RegExp(source)
    re = new RegExp(`^(?:${source})$`)
  } catch {
    re = null
  }
  if (cache.size >= MAX_CACHED) cache.clear()
  cache.set(source, re)
  return re
}

export function isValidTopicRegex (source: string): boolean {
  return compileTopicRegex(source) !== null
}
