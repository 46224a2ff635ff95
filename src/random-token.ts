/**
 * Unguessable one-time values from the Workers CSPRNG: OAuth states and PKCE verifiers (S1,
 * S4), browser-binding nonces, CSP nonces and connect-token ids.
 */
import { base64UrlEncode } from './base64url.ts'

/** 32 random bytes, base64url without padding (43 characters). */
export function randomToken(): string {
  return base64UrlEncode(crypto.getRandomValues(new Uint8Array(32)))
}
