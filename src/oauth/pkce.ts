/**
 * Random protocol values from the Workers CSPRNG and PKCE (RFC 7636) S256 challenges.
 */

/** 32 random bytes, base64url without padding (43 characters): states, verifiers, nonces (S1, S4). */
export function randomToken(): string {
  return base64UrlEncode(crypto.getRandomValues(new Uint8Array(32)))
}

/** The S256 `code_challenge` of a verifier: base64url(SHA-256(ASCII(verifier))) (RFC 7636 section 4.2). */
export async function s256CodeChallenge(verifier: string): Promise<string> {
  return base64UrlEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))))
}

/** base64url without padding (RFC 4648 section 5). */
export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
