import { describe, expect, it } from 'vitest'
import { parseLocator, type PathSegment } from '../../src/formula/index.ts'

describe('parseLocator', () => {
  it.each<[string, PathSegment[]]>([
    ['$.a.b[0]', ['a', 'b', 0]],
    ['a.b[0]', ['a', 'b', 0]],
    ['$', []],
    ['$[2].x', [2, 'x']],
    ['[0][1]', [0, 1]],
    ['a[10].b[0]', ['a', 10, 'b', 0]],
    ['$.connectorParameters.clientId', ['connectorParameters', 'clientId']],
    ['a\\.b.c', ['a.b', 'c']],
    ['a\\[0\\]', ['a[0]']],
    ['a\\\\b', ['a\\b']],
    ['$foo.bar', ['$foo', 'bar']],
    ['a. b', ['a', ' b']],
    ['__proto__.x', ['__proto__', 'x']],
  ])('splits %j into its path', (text, path) => {
    expect(parseLocator(text)).toEqual({ ok: true, path })
  })

  it.each([
    ['', 'empty'],
    ['$.', 'nothing after'],
    ['a..b', 'empty key'],
    ['.a', 'empty key'],
    ['a.', 'ends with'],
    ['a.[0]', 'empty key'],
    ['a[', 'never closed'],
    ['a[x]', 'not an array index'],
    ['a[-1]', 'not an array index'],
    ['a[]', 'not an array index'],
    ['a[0]b', 'expected'],
    ['a]', 'unexpected "]"'],
    ['a\\b', 'must be followed'],
    ['a\\', 'must be followed'],
  ])('rejects the malformed locator %j', (text, hint) => {
    const result = parseLocator(text)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.message).toContain(hint)
  })
})
