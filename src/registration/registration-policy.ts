/**
 * When a ClientRegistration object registers again, pure (times are epoch ms, `now` a
 * parameter): renewal ahead of a secret's expiry, and how often an `invalid_client` report may
 * drop the shared registration. registration-implementation.ts applies them.
 */

/**
 * At most this long before its secret expires, a registration is renewed at the next connect
 * start: a flow started with it completes within its pending authorization's 10 minutes.
 */
export const RENEW_BEFORE_EXPIRY_MS = 15 * 60_000

/**
 * At most one `invalid_client` report per this interval drops a registration: an authorization
 * server that refuses every client (or a burst of reports about one) costs one new registration
 * per interval, not one per token request.
 */
export const DROP_INTERVAL_MS = 10 * 60_000

/** What a renewal decision needs of a registration. */
export interface RegistrationTimes {
  /** When Latchkey registered it. */
  registeredAt: number
  /** When its secret expires, or null: never. */
  clientSecretExpiresAt: number | null
}

/**
 * Whether a new registration should replace this one before it is handed out: less than
 * `min(RENEW_BEFORE_EXPIRY_MS, lifetime / 2)` remains. The half keeps a short-lived secret
 * (a minute, say) in use for half its life instead of renewing it at every connect start,
 * which would strand every flow pending with the one before.
 */
export function renewalDue(times: RegistrationTimes, now: number): boolean {
  const expiresAt = times.clientSecretExpiresAt
  if (expiresAt === null) return false
  const lifetime = expiresAt - times.registeredAt
  // No lifetime to halve (an expiry not after the registration): nothing sensible to keep using.
  if (lifetime <= 0) return true
  return expiresAt - now < Math.min(RENEW_BEFORE_EXPIRY_MS, lifetime / 2)
}

/** Whether the secret no longer works: a token request with it would fail. */
export function secretExpired(times: RegistrationTimes, now: number): boolean {
  return times.clientSecretExpiresAt !== null && times.clientSecretExpiresAt <= now
}

/** Whether an `invalid_client` report may drop the registration, given the last drop (null: none yet). */
export function dropAllowed(droppedAt: number | null, now: number): boolean {
  // A drop further in the future than one interval (a corrupt value) must not block drops for ever.
  return droppedAt === null || now - droppedAt >= DROP_INTERVAL_MS || droppedAt - now > DROP_INTERVAL_MS
}
