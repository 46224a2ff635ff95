/**
 * RFC 5849 section 3.4.2 to 3.4.4 (and HMAC-SHA256, which providers such as NetSuite and
 * Xero's OAuth 1.0a used): the signature of a base string with the client (consumer) secret
 * and the token secret, by Web Crypto so it runs unchanged in workerd and Node.
 */
import { percentEncode } from './percent-encode.ts'

/** The signature methods Latchkey signs with. RSA-SHA1 is not offered: no connector needs a private key here. */
export const SIGNATURE_METHODS = ['HMAC-SHA1', 'HMAC-SHA256', 'PLAINTEXT'] as const
export type OAuth1SignatureMethod = (typeof SIGNATURE_METHODS)[number]

const HMAC_HASH: Record<Exclude<OAuth1SignatureMethod, 'PLAINTEXT'>, string> = { 'HMAC-SHA1': 'SHA-1', 'HMAC-SHA256': 'SHA-256' }
const encoder = new TextEncoder()

/**
 * Section 3.4.2: the key is `encode(consumer secret)&encode(token secret)`, the `&` kept when
 * there is no token secret yet (the request-token request).
 */
export function signingKey(consumerSecret: string, tokenSecret: string | null): string {
  return `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret ?? '')}`
}

/**
 * The `oauth_signature` value (before the header's own percent-encoding): base64 of the HMAC of
 * `baseString`, or for PLAINTEXT (section 3.4.4) the key itself, which signs nothing and so
 * must only travel over TLS (the endpoints are https, S10).
 */
export async function sign(method: OAuth1SignatureMethod, baseString: string, consumerSecret: string, tokenSecret: string | null): Promise<string> {
  const key = signingKey(consumerSecret, tokenSecret)
  if (method === 'PLAINTEXT') return key
  const cryptoKey = await crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: HMAC_HASH[method] }, false, ['sign'])
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(baseString)))
  let binary = ''
  for (const byte of mac) binary += String.fromCharCode(byte)
  return btoa(binary)
}
