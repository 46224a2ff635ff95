/**
 * The HTTP API's per-key rate limit: the Workers rate-limiting binding `API_RATE_LIMITER`
 * (wrangler.toml `[[ratelimits]]`), keyed by the key id, checked after the key is verified (so
 * nobody can use up another key's budget by presenting its id). The binding counts per
 * Cloudflare location and is eventually consistent: a guard against runaway callers, not an
 * exact quota. Without the binding no call is limited.
 */
import { HttpApiError } from './http-api-error.ts'

/**
 * `Retry-After` of a refused call, in seconds: the binding does not say when its window ends,
 * so this is the longest period it supports (wrangler.toml's `period`, 10 or 60).
 */
export const RATE_LIMIT_RETRY_AFTER_SECONDS = 60

/** Counts one call of `keyId`; throws `rate_limited` (429, Retry-After) when its budget is spent. */
export async function enforceRateLimit(limiter: RateLimit | undefined, keyId: string): Promise<void> {
  if (limiter === undefined) return
  const { success } = await limiter.limit({ key: keyId })
  if (success) return
  throw new HttpApiError('rate_limited', `This API key made too many calls; try again in ${RATE_LIMIT_RETRY_AFTER_SECONDS} seconds.`, {
    'Retry-After': String(RATE_LIMIT_RETRY_AFTER_SECONDS),
  })
}
