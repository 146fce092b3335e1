import type { ConsumerMessage } from '@tributary/client'

/**
 * kcat/rpk-style format templates: %t topic, %p partition, %o offset,
 * %k key, %v (or %s) value, %h headers as k=v,k2=v2, %T timestamp (ms),
 * %K / %S key and value length (-1 for null), %% a percent sign;
 * \n \t \r \\ escapes.
 */
export function compileTemplate (template: string): (m: ConsumerMessage) => string {
  const parts: Array<string | ((m: ConsumerMessage) => string)> = []
  let lit = ''
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!
    const n = template[i + 1]
    if (c === '\\' && n !== undefined) {
      lit += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n === '\\' ? '\\' : '\\' + n
      i++
    } else if (c === '%' && n !== undefined) {
      const f = FIELDS[n]
      if (n === '%') lit += '%'
      else if (f === undefined) lit += c + n
      else { if (lit !== '') parts.push(lit); lit = ''; parts.push(f) }
      i++
    } else {
      lit += c
    }
  }
  if (lit !== '') parts.push(lit)
  return m => parts.map(p => typeof p === 'string' ? p : p(m)).join('')
}

const text = (b: Buffer | null): string => b === null ? '' : b.toString('utf8')

const FIELDS: Record<string, (m: ConsumerMessage) => string> = {
  t: m => m.topic,
  p: m => String(m.partition),
  o: m => String(m.offset),
  k: m => text(m.key),
  v: m => text(m.value),
  s: m => text(m.value),
  h: m => m.headers.map(h => `${h.key}=${text(h.value)}`).join(','),
  T: m => String(m.timestamp),
  K: m => String(m.key === null ? -1 : m.key.length),
  S: m => String(m.value === null ? -1 : m.value.length)
}

/** The `--format json` shape, one object per line (rpk's default record shape). */
export function jsonRecord (m: ConsumerMessage): string {
  return JSON.stringify({
    topic: m.topic,
    partition: m.partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    key: m.key === null ? null : m.key.toString('utf8'),
    value: m.value === null ? null : m.value.toString('utf8'),
    headers: m.headers.map(h => ({ key: h.key, value: text(h.value) }))
  }) + '\n'
}
