/**
 * A reader for Java .properties files with the rules of
 * java.util.Properties.load, since Kafka's server.properties is one:
 *
 * - lines end at \n, \r or \r\n; leading spaces, tabs and form feeds are skipped;
 * - a line whose first non-blank character is # or ! is a comment;
 * - the key ends at the first unescaped '=', ':' or blank; blanks around
 *   one '=' or ':' separator are skipped, the rest of the line is the value;
 * - a line ending in an odd number of backslashes continues on the next
 *   line, whose leading blanks are skipped (a comment never continues);
 * - escapes: \t \n \r \f, \uXXXX, and a backslash before any other
 *   character stands for that character (so \\ is a backslash, \= an '=').
 *
 * One deliberate difference: the text is read as UTF-8, where Java's
 * load(InputStream) reads ISO-8859-1.
 */

export interface PropertyEntry {
  readonly key: string
  readonly value: string
  /** 1-based line where the entry starts, for messages. */
  readonly line: number
}

export class PropertiesSyntaxError extends Error {
  readonly line: number
  constructor (message: string, line: number) {
    super(`${message} at line ${line}`)
    this.name = new.target.name
    this.line = line
  }
}

const BLANK = new Set([' ', '\t', '\f'])

interface LogicalLine { text: string, line: number }

/** Joins continued lines and drops blanks and comments; escapes stay in the text. */
function logicalLines (input: string): LogicalLine[] {
  const natural = input.split(/\r\n|\r|\n/)
  const out: LogicalLine[] = []
  let i = 0
  while (i < natural.length) {
    const startLine = i + 1
    let text = stripLeadingBlanks(natural[i]!)
    i++
    if (text === '' || text[0] === '#' || text[0] === '!') continue
    while (endsWithOddBackslashes(text)) {
      text = text.slice(0, -1)
      // A backslash on the last line of the input is dropped, as Java does.
      if (i >= natural.length) break
      const next = stripLeadingBlanks(natural[i]!)
      i++
      text += next
      // An empty continuation line ends the logical line.
      if (next === '') break
    }
    out.push({ text, line: startLine })
  }
  return out
}

function stripLeadingBlanks (s: string): string {
  let k = 0
  while (k < s.length && BLANK.has(s[k]!)) k++
  return s.slice(k)
}

function endsWithOddBackslashes (s: string): boolean {
  let n = 0
  for (let k = s.length - 1; k >= 0 && s[k] === '\\'; k--) n++
  return n % 2 === 1
}

/** Splits one logical line into raw (still escaped) key and value. */
function splitKeyValue (text: string): { key: string, value: string } {
  let k = 0
  let keyEnd = text.length
  let hasSeparator = false
  while (k < text.length) {
    const c = text[k]!
    if (c === '\\') { k += 2; continue }
    if (c === '=' || c === ':') { keyEnd = k; hasSeparator = true; k++; break }
    if (BLANK.has(c)) { keyEnd = k; k++; break }
    k++
  }
  if (k >= text.length && keyEnd === text.length) return { key: text, value: '' }
  // Skip blanks, then at most one '=' or ':' if the key ended on a blank.
  while (k < text.length && BLANK.has(text[k]!)) k++
  if (!hasSeparator && k < text.length && (text[k] === '=' || text[k] === ':')) {
    k++
    while (k < text.length && BLANK.has(text[k]!)) k++
  }
  return { key: text.slice(0, keyEnd), value: text.slice(k) }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' }

function unescape (s: string, line: number): string {
  if (!s.includes('\\')) return s
  let out = ''
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!
    if (c !== '\\') { out += c; continue }
    k++
    if (k >= s.length) break
    const e = s[k]!
    if (e === 'u') {
      const hex = s.slice(k + 1, k + 5)
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new PropertiesSyntaxError('Malformed \\uXXXX escape', line)
      out += String.fromCharCode(parseInt(hex, 16))
      k += 4
    } else {
      out += SIMPLE_ESCAPES[e] ?? e
    }
  }
  return out
}

/** Parses properties text into entries in file order; a key set twice appears twice. */
export function parseProperties (input: string): PropertyEntry[] {
  // A byte order mark is not part of the first key.
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input
  return logicalLines(text).map(({ text, line }) => {
    const { key, value } = splitKeyValue(text)
    return { key: unescape(key, line), value: unescape(value, line), line }
  })
}

/** Same, as a map where a later entry replaces an earlier one, as in Java. */
export function parsePropertiesToMap (input: string): Map<string, string> {
  return new Map(parseProperties(input).map(e => [e.key, e.value]))
}

/** Writes one `key=value` line that parseProperties reads back unchanged. */
export function formatProperty (key: string, value: string): string {
  return `${escape(key, true)}=${escape(value, false)}`
}

function escape (s: string, isKey: boolean): string {
  let out = ''
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!
    const code = c.charCodeAt(0)
    if (c === '\\') out += '\\\\'
    else if (c === '\t') out += '\\t'
    else if (c === '\n') out += '\\n'
    else if (c === '\r') out += '\\r'
    else if (c === '\f') out += '\\f'
    else if (c === '=' || c === ':' || c === '#' || c === '!') out += '\\' + c
    // Spaces end a key anywhere, and are skipped at the start of a value.
    else if (c === ' ' && (isKey || k === 0)) out += '\\ '
    else if (code < 0x20 || code === 0x7f) out += '\\u' + code.toString(16).padStart(4, '0')
    else out += c
  }
  return out
}
