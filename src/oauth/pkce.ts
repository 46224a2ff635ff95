/**
 * PKCE (RFC 7636): the S256 challenge of a verifier. The verifier itself is a `randomToken`
 * (src/random-token.ts).
 */
import { base64UrlEncode } from '../base64url.ts'

/** The S256 `code_challenge` of a verifier: base64url(SHA-256(ASCII(verifier))) (RFC 7636 section 4.2). */
export async function s256CodeChallenge(verifier: string): Promise<string> {
  return base64UrlEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))))
}
