/**
 * Mints connect tokens for tests the way an application would (jose, HS256 with
 * CONNECT_TOKEN_SECRET), plus helpers to forge bad ones.
 */
import { env } from 'cloudflare:test'
import { SignJWT, type JWTPayload } from 'jose'

/** Claims of a connect token (see src/flow/connect-token.ts). */
export interface ConnectTokenClaims extends JWTPayload {
  connector?: string
  input?: Record<string, unknown>
  return_url?: string
  connection_id?: string
  mode?: 'redirect' | 'popup'
}

/** A connect token for `claims`, valid 10 minutes unless `exp` is given; signed with the test secret. */
export async function mintConnectToken(claims: ConnectTokenClaims, secret: string = env.CONNECT_TOKEN_SECRET): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ exp: now + 600, iat: now, ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret))
}

/** An unsigned (`alg: none`) token with these claims. */
export function unsignedToken(claims: JWTPayload): string {
  return `${base64UrlJson({ alg: 'none', typ: 'JWT' })}.${base64UrlJson(claims)}.`
}

/** base64url of a JSON value. */
export function base64UrlJson(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value))
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
