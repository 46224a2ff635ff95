/**
 * The per-tenant limit on connect starts that discover a resource (issue #17, S28). Each one sends
 * up to six requests to hosts the tenant's user named and may register a client at an
 * authorization server, so a tenant that starts them in a loop would make Latchkey a request
 * amplifier; the Workers rate-limiting binding `DISCOVERY_RATE_LIMITER` (wrangler.toml
 * `[[ratelimits]]`: 30 per 60 seconds) caps that. The binding counts per Cloudflare location and is
 * eventually consistent: a guard against abuse, not an exact quota. Without the binding nothing is
 * limited.
 */
import { base64UrlEncode } from '../base64url.ts'
import { LatchkeyError } from '../errors.ts'

/**
 * How long a refused tenant should wait, in seconds: the binding does not say when its window
 * ends, so this is the longest period it supports (wrangler.toml's `period`, 10 or 60).
 */
export const DISCOVERY_RETRY_AFTER_SECONDS = 60

/**
 * Every key this module counts under starts with this: whatever else may one day be counted in the
 * same binding (registrations per issuer, say) uses another prefix, so no tenant id can spend
 * another key's budget.
 */
export const DISCOVERY_TENANT_KEY_PREFIX = 'discovery-tenant:'

/**
 * The limiter key of `tenant`: the prefix and the SHA-256 of the tenant id, base64url. Hashed
 * because tenant ids are the application's (they may be e-mail addresses, of any length) and
 * Cloudflare's counters need neither.
 */
export async function discoveryRateLimitKey(tenant: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(tenant))
  return `${DISCOVERY_TENANT_KEY_PREFIX}${base64UrlEncode(new Uint8Array(digest))}`
}

/**
 * Counts one discovering connect start of `tenant`; call it on the start route before any
 * discovery or registration request. Throws `discovery_rate_limited` (429) once the tenant's budget
 * for the current window is spent; resolves at once when `DISCOVERY_RATE_LIMITER` is not bound.
 */
export async function assertDiscoveryAllowed(env: Env, tenant: string): Promise<void> {
  const limiter = env.DISCOVERY_RATE_LIMITER
  if (!isRateLimit(limiter)) return
  const { success } = await limiter.limit({ key: await discoveryRateLimitKey(tenant) })
  if (success) return
  throw new LatchkeyError(
    'discovery_rate_limited',
    `Too many connections to discovered resources were started for this tenant; try again in ${DISCOVERY_RETRY_AFTER_SECONDS} seconds.`,
  )
}

/** A binding of another kind under this name (a misconfigured var) counts as no binding, as in src/settings.ts. */
function isRateLimit(value: unknown): value is RateLimit {
  return typeof value === 'object' && value !== null && typeof (value as { limit?: unknown }).limit === 'function'
}
