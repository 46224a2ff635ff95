/**
 * The connect page's session: the verified page token kept in a `__Host-` cookie (Secure,
 * HttpOnly, Path=/), never in the HTML or the URL after the first request. State-changing
 * requests prove they come from the page with a CSRF token bound to that cookie (an HMAC of
 * it under the `csrf` key, flow/signing-keys.ts), and must not be cross-site by the browser's
 * own Fetch Metadata and Origin headers.
 *
 * A page token for another tenant never silently replaces a session (S21: login CSRF through a
 * link that opens the attacker's tenant): it waits in a second, short-lived cookie until the
 * person confirms the switch with a CSRF-protected post (src/ui/routes.ts).
 */
import { isLatchkeyError, LatchkeyError } from '../errors.ts'
import { sameHash } from '../flow/browser-binding.ts'
import { base64UrlEncode } from '../base64url.ts'
import { verifyPageToken, type PageMode, type PageSession } from './page-token.ts'

/** Name of the session cookie. */
export const PAGE_COOKIE_NAME = '__Host-latchkey-page'
/** Name of the cookie that holds a page token for another tenant until the switch is confirmed. */
export const PENDING_SWITCH_COOKIE_NAME = '__Host-latchkey-page-next'
/** How long a pending switch waits for the person's answer. */
export const PENDING_SWITCH_TTL_S = 300
/** Longest Cookie header read (S18). */
const MAX_COOKIE_HEADER_LENGTH = 8192
/** Separates the CSRF MAC input from a JWT signing input, which can never contain a newline. */
const CSRF_CONTEXT = 'latchkey connect-page csrf\n'

/**
 * Set-Cookie values that keep `token` for `maxAgeSeconds`. Redirect mode: SameSite=Lax, so the
 * cookie comes back with the provider's redirect to the page. Popup mode: the page may be
 * framed by the application, where only a SameSite=None cookie, partitioned per top-level
 * site (CHIPS), is sent. A partitioned and an unpartitioned cookie of the same name are two
 * cookies, so the other kind is cleared: the browser must never send a stale session first.
 */
export function sessionCookies(token: string, maxAgeSeconds: number, mode: PageMode): string[] {
  return cookiesOfOneKind(PAGE_COOKIE_NAME, token, maxAgeSeconds, mode)
}

/** Set-Cookie values that keep a page token of another tenant until the switch is answered (same kinds as the session). */
export function pendingSwitchCookies(token: string, maxAgeSeconds: number, mode: PageMode): string[] {
  return cookiesOfOneKind(PENDING_SWITCH_COOKIE_NAME, token, Math.min(PENDING_SWITCH_TTL_S, maxAgeSeconds), mode)
}

/** Set-Cookie values that forget a pending switch, of either kind. */
export function clearPendingSwitchCookies(): string[] {
  return [cookie(PENDING_SWITCH_COOKIE_NAME, '', 0, 'redirect'), cookie(PENDING_SWITCH_COOKIE_NAME, '', 0, 'popup')]
}

function cookiesOfOneKind(name: string, token: string, maxAgeSeconds: number, mode: PageMode): string[] {
  const other: PageMode = mode === 'popup' ? 'redirect' : 'popup'
  return [cookie(name, '', 0, other), cookie(name, token, Math.max(0, Math.floor(maxAgeSeconds)), mode)]
}

function cookie(name: string, value: string, maxAgeSeconds: number, mode: PageMode): string {
  const sameSite = mode === 'popup' ? 'SameSite=None; Partitioned' : 'SameSite=Lax'
  return `${name}=${value}; Max-Age=${maxAgeSeconds}; Path=/; Secure; HttpOnly; ${sameSite}`
}

/** The session token the browser sent, or null. */
export function readSessionToken(cookieHeader: string | null): string | null {
  return readTokenCookie(cookieHeader, PAGE_COOKIE_NAME)
}

function readTokenCookie(cookieHeader: string | null, name: string): string | null {
  if (cookieHeader === null || cookieHeader.length > MAX_COOKIE_HEADER_LENGTH) return null
  for (const pair of cookieHeader.split(';')) {
    const separator = pair.indexOf('=')
    if (separator < 0 || pair.slice(0, separator).trim() !== name) continue
    const value = pair.slice(separator + 1).trim()
    return /^[A-Za-z0-9_.-]+$/.test(value) ? value : null
  }
  return null
}

/**
 * The valid session the browser holds (token and what it grants), or null when it sent none
 * or one that no longer verifies (expired, or signed under a rotated secret): such a cookie is
 * no session to protect (S21). `key` is `signingKey(secret, 'connect-token')`.
 */
export function existingSession(cookieHeader: string | null, key: CryptoKey, now: number): Promise<{ token: string; session: PageSession } | null> {
  return verifiedOrNull(readSessionToken(cookieHeader), key, now)
}

/** The page token waiting for the person to confirm a switch, when it still verifies; else null. */
export function pendingSwitch(cookieHeader: string | null, key: CryptoKey, now: number): Promise<{ token: string; session: PageSession } | null> {
  return verifiedOrNull(readTokenCookie(cookieHeader, PENDING_SWITCH_COOKIE_NAME), key, now)
}

async function verifiedOrNull(token: string | null, key: CryptoKey, now: number): Promise<{ token: string; session: PageSession } | null> {
  if (token === null) return null
  try {
    return { token, session: await verifyPageToken(token, key, now) }
  } catch (error) {
    if (isLatchkeyError(error)) return null
    throw error
  }
}

/** The CSRF token of a session: base64url HMAC-SHA256 of the session token under `key` (`signingKey(secret, 'csrf')`). */
export async function csrfTokenFor(key: CryptoKey, sessionToken: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(CSRF_CONTEXT + sessionToken))
  return base64UrlEncode(new Uint8Array(mac))
}

/**
 * Throws `csrf_check_failed` unless the submitted CSRF token is the session's and the browser's
 * own account of the request agrees: `Sec-Fetch-Site`, when sent, is `same-origin`, and
 * `Origin`, when sent with a value, is the Worker's. (Under `Referrer-Policy: no-referrer` a
 * browser sends `Origin: null` even for the page's own forms, so `null` proves nothing either way.)
 */
export async function assertSameOriginPost(input: {
  key: CryptoKey
  sessionToken: string
  submittedCsrf: string | undefined
  origin: string | null
  fetchSite: string | null
  pageOrigin: string
}): Promise<void> {
  const refuse = (why: string): LatchkeyError => new LatchkeyError('csrf_check_failed', `This request did not come from the connect page (${why}). Reload the page and try again.`)
  if (input.fetchSite !== null && input.fetchSite !== 'same-origin') throw refuse(`Sec-Fetch-Site ${input.fetchSite.slice(0, 20)}`)
  if (input.origin !== null && input.origin !== 'null' && input.origin !== input.pageOrigin) throw refuse('foreign Origin')
  if (input.submittedCsrf === undefined || input.submittedCsrf === '') throw refuse('no CSRF token')
  if (!sameHash(input.submittedCsrf, await csrfTokenFor(input.key, input.sessionToken))) throw refuse('wrong CSRF token')
}
