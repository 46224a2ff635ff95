import { describe, expect, it } from 'vitest'
import { percentEncode } from '../../src/oauth1/percent-encode.ts'

describe('S23 RFC 5849 section 3.6 percent-encoding', () => {
  it('leaves the unreserved characters as they are', () => {
    const unreserved = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~'
    expect(percentEncode(unreserved)).toBe(unreserved)
  })

  it.each([
    [' ', '%20'],
    ['+', '%2B'],
    ['*', '%2A'],
    ['~', '~'],
    ['!', '%21'],
    ["'", '%27'],
    ['(', '%28'],
    [')', '%29'],
    ['%', '%25'],
    ['&', '%26'],
    ['=', '%3D'],
    ['/', '%2F'],
    [':', '%3A'],
    ['@', '%40'],
    ['\u0000', '%00'],
    ['\u007F', '%7F'],
  ])('encodes %j as %s', (value, encoded) => {
    expect(percentEncode(value)).toBe(encoded)
  })

  it('encodes the UTF-8 bytes of non-ASCII characters, upper-case hex', () => {
    expect(percentEncode('é')).toBe('%C3%A9')
    expect(percentEncode('€')).toBe('%E2%82%AC')
    expect(percentEncode('😀')).toBe('%F0%9F%98%80')
    expect(percentEncode('Ünïcødé ✓')).toBe('%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%E2%9C%93')
  })

  it('encodes a lone surrogate as U+FFFD instead of throwing as encodeURIComponent does', () => {
    expect(percentEncode('a\uD800b')).toBe('a%EF%BF%BDb')
  })

  it('is not form encoding: a space is %20, never +', () => {
    expect(percentEncode('r b')).toBe('r%20b')
    expect(percentEncode('2 q')).toBe('2%20q')
  })
})
