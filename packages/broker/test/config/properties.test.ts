import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  PropertiesSyntaxError,
  formatProperty,
  parseProperties,
  parsePropertiesToMap
} from '../../src/config/properties.js'

const parse = (text: string): Record<string, string> => Object.fromEntries(parsePropertiesToMap(text))

describe('properties parser', () => {
  it('reads the three separators and skips blanks around them', () => {
    assert.deepEqual(parse('a=1\nb: 2\nc 3\nd  =  4\ne\t:\t5\nf = = 6'), {
      a: '1', b: '2', c: '3', d: '4', e: '5', f: '= 6'
    })
  })

  it('skips # and ! comments, blank lines and leading whitespace', () => {
    const text = '# comment\n! also a comment\n\n   \n   key = value\n\t\fother=x\n  # indented comment'
    assert.deepEqual(parse(text), { key: 'value', other: 'x' })
  })

  it('keeps # and ! inside values and trailing spaces of values', () => {
    assert.deepEqual(parse('a=x # not a comment\nb=y!  '), { a: 'x # not a comment', b: 'y!  ' })
  })

  it('treats a key without value as empty', () => {
    assert.deepEqual(parse('lonely\nalso=\nthird :'), { lonely: '', also: '', third: '' })
  })

  it('joins continuation lines and drops their leading whitespace', () => {
    const text = 'listeners=PLAINTEXT://:9092,\\\n          INTERNAL://:9093\nnext=1'
    assert.deepEqual(parse(text), { listeners: 'PLAINTEXT://:9092,INTERNAL://:9093', next: '1' })
  })

  it('continues only on an odd number of trailing backslashes', () => {
    assert.deepEqual(parse('a=x\\\\\nb=y'), { a: 'x\\', b: 'y' })
    assert.deepEqual(parse('a=x\\\\\\\n  y'), { a: 'x\\y' })
  })

  it('does not treat a continuation line as a comment', () => {
    assert.deepEqual(parse('a=1\\\n# still value'), { a: '1# still value' })
  })

  it('does not continue a comment', () => {
    assert.deepEqual(parse('# comment \\\na=1'), { a: '1' })
  })

  it('ends the logical line at an empty continuation line', () => {
    assert.deepEqual(parse('a=1\\\n\nb=2'), { a: '1', b: '2' })
  })

  it('drops a backslash at the very end of the input', () => {
    assert.deepEqual(parse('a=1\\'), { a: '1' })
  })

  it('accepts \\r\\n and \\r line ends', () => {
    assert.deepEqual(parse('a=1\r\nb=2\rc=3\\\r\n  4'), { a: '1', b: '2', c: '34' })
  })

  it('decodes escapes in keys and values', () => {
    assert.deepEqual(parse('tab=a\\tb\nnl=a\\nb\nback=a\\\\b\nuni=caf\\u00e9\nother=\\q\\=\\:'), {
      tab: 'a\tb', nl: 'a\nb', back: 'a\\b', uni: 'café', other: 'q=:'
    })
    assert.deepEqual(parse('key\\ with\\ spaces = v\nk\\=ey=v2\nk\\:2:v3'), {
      'key with spaces': 'v', 'k=ey': 'v2', 'k:2': 'v3'
    })
  })

  it('rejects a malformed \\u escape with its line number', () => {
    assert.throws(() => parseProperties('ok=1\nbad=\\u12G4'), (err: unknown) => {
      assert.ok(err instanceof PropertiesSyntaxError)
      assert.equal(err.line, 2)
      assert.match(err.message, /Malformed \\uXXXX escape at line 2/)
      return true
    })
  })

  it('reports the starting line of each entry and keeps duplicates in order', () => {
    const entries = parseProperties('# c\na=1\nb=2\\\n 3\na=4')
    assert.deepEqual(entries, [
      { key: 'a', value: '1', line: 2 },
      { key: 'b', value: '23', line: 3 },
      { key: 'a', value: '4', line: 5 }
    ])
    assert.equal(parsePropertiesToMap('a=1\na=2').get('a'), '2')
  })

  it('ignores a byte order mark', () => {
    assert.deepEqual(parse('\ufeffa=1'), { a: '1' })
  })

  it('reads back what formatProperty writes', () => {
    fc.assert(fc.property(
      fc.string({ minLength: 1, unit: 'grapheme' }),
      fc.string({ unit: 'grapheme' }),
      (key, value) => {
        assert.deepEqual(parseProperties(formatProperty(key, value)), [{ key, value, line: 1 }])
      }))
    // Control characters, spaces and separators in every position.
    fc.assert(fc.property(fc.string({ minLength: 1, unit: 'binary-ascii' }), fc.string({ unit: 'binary-ascii' }), (key, value) => {
      assert.deepEqual(parseProperties(formatProperty(key, value)), [{ key, value, line: 1 }])
    }))
  })
})
