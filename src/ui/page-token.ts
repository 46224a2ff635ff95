/**
 * Trust boundary: connect-page tokens (S14, S15), the application's proof that a browser may
 * see and change one tenant's connections on the connect page. A JWT signed with HS256 and
 * `CONNECT_TOKEN_SECRET`, like a connect token, but not interchangeable with one:
 *
 *   header  crit: ["latchkey-connect-page"], "latchkey-connect-page": true
 *           A critical header parameter (RFC 7515 section 4.1.11): a verifier that does not
 *           know it, such as the connect-token verifier, must refuse the token.
 *   sub     required  the tenant whose connections the page shows
 *   aud     required  "latchkey:connect-page" (a connect token has no such audience)
 *   exp     required  at most 1 hour ahead
 *   mode    optional  "redirect" (default): connecting leaves the page and comes back;
 *                     "popup": the page is embedded in the application and connects in a popup
 *   name    optional  who the tenant is, as the person knows it ("Alice <alice@example.com>"):
 *                     the page says whose connections these are (S21, flow/display-name.ts)
 */
import { jwtVerify, SignJWT, type JWTPayload } from 'jose'
import { LatchkeyError } from '../errors.ts'
import { displayNameProblem } from '../flow/display-name.ts'

/** The audience every page token carries. */
export const PAGE_TOKEN_AUDIENCE = 'latchkey:connect-page'
/** The critical header parameter that makes connect-token verification refuse a page token. */
export const PAGE_TOKEN_HEADER = 'latchkey-connect-page'
/** Longest lifetime of a page token (and so of the page session). */
export const MAX_PAGE_TOKEN_LIFETIME_S = 3600
/** Longest page token accepted (S18). */
export const MAX_PAGE_TOKEN_LENGTH = 4096
const CLOCK_TOLERANCE_S = 30

/** How the page starts connections. */
export type PageMode = 'redirect' | 'popup'

/** What a verified page token grants. */
export interface PageSession {
  tenant: string
  /** ms since epoch. */
  expiresAt: number
  mode: PageMode
  /** The tenant's display name (`name` claim), or null. */
  displayName: string | null
}

/** What `signPageToken` signs: a session, its display name optional. */
export type PageTokenContent = Omit<PageSession, 'displayName'> & { displayName?: string | null }

/**
 * Verifies a page token (HS256 pinned, audience, critical header, lifetime) with `now` in ms.
 * Throws `invalid_page_token` saying which rule failed, never quoting the token.
 */
export async function verifyPageToken(token: string, key: CryptoKey, now: number): Promise<PageSession> {
  const refuse = (why: string): LatchkeyError =>
    new LatchkeyError('invalid_page_token', `The connect-page token ${why}. Open the page through your application, which mints a fresh one.`)
  if (token.length > MAX_PAGE_TOKEN_LENGTH) throw refuse(`is longer than ${MAX_PAGE_TOKEN_LENGTH} characters`)
  let payload: JWTPayload
  let critical: unknown
  try {
    const verified = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      audience: PAGE_TOKEN_AUDIENCE,
      requiredClaims: ['exp', 'sub', 'aud'],
      crit: { [PAGE_TOKEN_HEADER]: true },
      currentDate: new Date(now),
      clockTolerance: CLOCK_TOLERANCE_S,
    })
    payload = verified.payload
    critical = verified.protectedHeader.crit
  } catch (error) {
    throw refuse(`was refused (${describeJoseError(error)}); mint it with HS256 and CONNECT_TOKEN_SECRET, with sub, exp and aud "${PAGE_TOKEN_AUDIENCE}"`)
  }
  // Without the critical header the same token would also pass as a connect token.
  if (!Array.isArray(critical) || !critical.includes(PAGE_TOKEN_HEADER)) throw refuse(`lacks the critical header parameter "${PAGE_TOKEN_HEADER}"`)
  const { sub, exp } = payload
  if (typeof sub !== 'string' || sub === '' || sub.length > 256) throw refuse('has a sub that is not a tenant id of 1 to 256 characters')
  if (typeof exp !== 'number' || exp * 1000 > now + (MAX_PAGE_TOKEN_LIFETIME_S + CLOCK_TOLERANCE_S) * 1000) {
    throw refuse(`expires more than ${MAX_PAGE_TOKEN_LIFETIME_S} seconds ahead`)
  }
  const mode = payload['mode'] ?? 'redirect'
  if (mode !== 'redirect' && mode !== 'popup') throw refuse('has a mode other than "redirect" or "popup"')
  const name = payload['name'] ?? null
  const nameProblem = name === null ? null : displayNameProblem(name)
  if (nameProblem !== null) throw refuse(`has a name claim that ${nameProblem}`)
  return { tenant: sub, expiresAt: exp * 1000, mode, displayName: name as string | null }
}

/** Mints a page token (the local demo's start script does; applications may do the same). */
export async function signPageToken(key: Uint8Array, session: PageTokenContent): Promise<string> {
  const claims: Record<string, unknown> = { mode: session.mode }
  if (session.displayName !== undefined && session.displayName !== null) claims['name'] = session.displayName
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', crit: [PAGE_TOKEN_HEADER], [PAGE_TOKEN_HEADER]: true })
    .setSubject(session.tenant)
    .setAudience(PAGE_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(session.expiresAt / 1000))
    .sign(key, { crit: { [PAGE_TOKEN_HEADER]: true } })
}

function describeJoseError(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  return typeof code === 'string' ? code : 'malformed token'
}
