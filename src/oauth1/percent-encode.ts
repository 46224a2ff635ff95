/**
 * RFC 5849 section 3.6: the one percent-encoding OAuth 1.0a signs with. Every byte of the
 * UTF-8 encoding is escaped as `%XX` (upper-case hex) except the unreserved characters of
 * RFC 3986 (ALPHA, DIGIT, `-`, `.`, `_`, `~`). `encodeURIComponent` is not enough: it leaves
 * `!*'()` unescaped and throws on a lone surrogate, and form encoding writes a space as `+`.
 */

const UNRESERVED = /^[A-Za-z0-9\-._~]$/
const encoder = new TextEncoder()

/** `value` percent-encoded per RFC 5849 section 3.6 (a lone surrogate becomes U+FFFD, as UTF-8 encoding does). */
export function percentEncode(value: string): string {
  let encoded = ''
  for (const byte of encoder.encode(value)) {
    const character = String.fromCharCode(byte)
    encoded += byte < 0x80 && UNRESERVED.test(character) ? character : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return encoded
}
