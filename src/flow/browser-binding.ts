/**
 * Binds a pending authorization to the browser that started it (S2): a random nonce in a
 * `__Host-` cookie (Secure, HttpOnly, SameSite=Lax, Path=/), its SHA-256 in the record. The
 * cookie name carries a prefix of the state, so parallel flows in one browser do not collide.
 * A flow waiting for the application's user verification (S21, user-verification.ts) binds the
 * browser again the same way, under its flow id and a cookie name of its own (`kind` 'verify').
 */
import { base64UrlEncode } from '../base64url.ts'
import { randomToken } from '../random-token.ts'

/** Longest Cookie header read (S18); a longer one cannot carry a valid binding. */
export const MAX_COOKIE_HEADER_LENGTH = 8192

/** What a binding cookie binds: an OAuth state, or a flow waiting for user verification. */
export type BindingKind = 'flow' | 'verify'

/** The binding cookie's name for a state or flow id (their prefixes are base64url, valid in cookie names). */
export function bindingCookieName(state: string, kind: BindingKind = 'flow'): string {
  return `__Host-latchkey-${kind}-${state.slice(0, 16)}`
}

/** SHA-256 of the nonce, base64url: what the pending record stores. */
export async function hashBindingNonce(nonce: string): Promise<string> {
  return base64UrlEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(nonce))))
}

/** Set-Cookie value that binds the browser for `maxAgeSeconds`. */
export function bindingCookie(state: string, nonce: string, maxAgeSeconds: number, kind: BindingKind = 'flow'): string {
  return `${bindingCookieName(state, kind)}=${nonce}; Max-Age=${maxAgeSeconds}; Path=/; Secure; HttpOnly; SameSite=Lax`
}

/** Set-Cookie value that clears the binding cookie. */
export function clearBindingCookie(state: string, kind: BindingKind = 'flow'): string {
  return `${bindingCookieName(state, kind)}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax`
}

/** The binding nonce the browser sent for `state`, or null. */
export function readBindingNonce(cookieHeader: string | null, state: string, kind: BindingKind = 'flow'): string | null {
  if (cookieHeader === null || cookieHeader.length > MAX_COOKIE_HEADER_LENGTH) return null
  const name = bindingCookieName(state, kind)
  for (const pair of cookieHeader.split(';')) {
    const separator = pair.indexOf('=')
    if (separator < 0 || pair.slice(0, separator).trim() !== name) continue
    const value = pair.slice(separator + 1).trim()
    return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null
  }
  return null
}

/** Constant-time comparison of two hashes of equal public length. */
export function sameHash(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let index = 0; index < a.length; index++) difference |= a.charCodeAt(index) ^ b.charCodeAt(index)
  return difference === 0
}

/** A new binding of this browser to `subject`: the hash a pending record stores, and the cookie that carries the nonce. */
export async function newBrowserBinding(subject: string, maxAgeSeconds: number, kind: BindingKind = 'flow'): Promise<{ hash: string; setCookie: string }> {
  const nonce = randomToken()
  return { hash: await hashBindingNonce(nonce), setCookie: bindingCookie(subject, nonce, maxAgeSeconds, kind) }
}

/** Whether the browser that sent `cookieHeader` is the one bound to `subject` (its nonce hashes to `bindingHash`). */
export async function isBoundBrowser(cookieHeader: string | null, subject: string, bindingHash: string, kind: BindingKind = 'flow'): Promise<boolean> {
  const nonce = readBindingNonce(cookieHeader, subject, kind)
  return nonce !== null && sameHash(await hashBindingNonce(nonce), bindingHash)
}
