/**
 * base64url without padding (RFC 4648 section 5), the encoding of every random token, PKCE
 * challenge and MAC Latchkey puts in a URL, a cookie or a form.
 */

/** `bytes` as base64url without padding. */
export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
