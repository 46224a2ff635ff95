/**
 * The demo server's accounts: every login name is an account, its own subject (`sub`), so tests
 * find a user's events by the name they signed in with. Its claims are the name itself and an
 * address made from it under demo.example (RFC 2606: reserved, never delivered), so an id_token
 * asked for `profile email` says who is connected.
 */
import type { Account, KoaContextWithOIDC } from 'oidc-provider'

/** Longest login name the sign-in page accepts. */
export const MAX_LOGIN_LENGTH = 200
/** The domain of every demo address. */
export const DEMO_EMAIL_DOMAIN = 'demo.example'

/** What the server knows about an account (each claim is released only under its scope). */
export interface DemoAccountClaims {
  [claim: string]: unknown
  sub: string
  /** Scope `profile`: the login name as typed. */
  name: string
  /** Scope `email`. */
  email: string
}

/** The claims of the account `login`. */
export function demoAccountClaims(login: string): DemoAccountClaims {
  return { sub: login, name: login, email: demoEmail(login) }
}

/**
 * `<login>@demo.example`: the login lower-cased, each run of characters other than a-z, 0-9,
 * `.`, `_` and `-` made one `-`, without leading or trailing punctuation, at most 64 characters
 * (RFC 5321 local-part); `user` when nothing is left ("Alice Smith" gives alice-smith@demo.example).
 */
export function demoEmail(login: string): string {
  const local = login
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 64)
    .replace(/[-._]+$/, '')
  return `${local === '' ? 'user' : local}@${DEMO_EMAIL_DOMAIN}`
}

/**
 * Why `login` cannot be an account name, or null when it can: any non-blank name up to
 * MAX_LOGIN_LENGTH characters without control characters (it becomes `sub` and a log key).
 */
export function loginProblem(login: string): string | null {
  if (login.trim() === '') return 'Enter a name.'
  if (login.length > MAX_LOGIN_LENGTH) return `Use at most ${MAX_LOGIN_LENGTH} characters.`
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (/[\u0000-\u001f\u007f]/.test(login)) return 'Use printable characters only.'
  return null
}

/** oidc-provider's `findAccount`: every subject exists; oidc-provider masks the claims by granted scope. */
export function findDemoAccount(_ctx: KoaContextWithOIDC, sub: string): Account {
  return { accountId: sub, claims: () => demoAccountClaims(sub) }
}
