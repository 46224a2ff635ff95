/**
 * The tests' one token minter: connect tokens and connect-page tokens minted the way an
 * application mints them (jose, HS256 with CONNECT_TOKEN_SECRET), and the means to forge
 * bad ones (any header and claims, any key, or no signature at all).
 */
import { env } from 'cloudflare:test'
import { SignJWT, type JWTPayload } from 'jose'
import { PAGE_TOKEN_AUDIENCE, PAGE_TOKEN_HEADER, type PageMode } from '../../src/ui/page-token.ts'

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
  return signToken({ typ: 'JWT' }, { exp: now + 600, iat: now, ...claims }, secret)
}

/** A page token for `tenant` as an application mints it: valid 10 minutes, signed with the test secret. */
export async function mintPageToken(tenant: string, mode: PageMode = 'redirect'): Promise<string> {
  const { header, claims } = pageTokenParts(tenant)
  return signToken(header, { ...claims, mode }, env.CONNECT_TOKEN_SECRET)
}

/** The header and claims of a well-formed page token for `tenant`, to vary one at a time. */
export function pageTokenParts(tenant: string): { header: Record<string, unknown>; claims: JWTPayload } {
  const now = Math.floor(Date.now() / 1000)
  return {
    header: { typ: 'JWT', crit: [PAGE_TOKEN_HEADER], [PAGE_TOKEN_HEADER]: true },
    claims: { sub: tenant, aud: PAGE_TOKEN_AUDIENCE, iat: now, exp: now + 600 },
  }
}

/**
 * A token with exactly this header and these claims (nothing added), signed with HS256 and
 * `key` unless the header names another algorithm for a CryptoKey (an RS256 private key).
 */
export async function signToken(header: Record<string, unknown>, claims: JWTPayload, key: string | CryptoKey = env.CONNECT_TOKEN_SECRET): Promise<string> {
  const critical = Array.isArray(header['crit']) ? Object.fromEntries(header['crit'].map((name: string) => [name, true])) : undefined
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', ...header })
    .sign(typeof key === 'string' ? new TextEncoder().encode(key) : key, critical === undefined ? undefined : { crit: critical })
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
