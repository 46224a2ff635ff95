/**
 * How often and how long refresh waits after a transient token-endpoint failure: capped
 * exponential backoff with full jitter, honouring `Retry-After` (RFC 9110 section 10.2.3).
 * Pure: the clock and the random source are parameters; the bounds come from the settings
 * (`Settings.refreshRetry`, `Settings.apiRetry`).
 */
import type { RefreshRetrySettings } from '../settings.ts'

/**
 * Milliseconds a `Retry-After` value asks to wait: delay-seconds or an HTTP-date (past dates
 * give 0). `null` when absent or unparseable, so the caller falls back to backoff.
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null
  const text = value.trim()
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000
  // HTTP-date (IMF-fixdate and the obsolete forms Date.parse understands); must name a weekday or GMT.
  if (!/GMT$|^[A-Za-z]{3,9},? /.test(text)) return null
  const at = Date.parse(text)
  if (Number.isNaN(at)) return null
  return Math.max(0, at - now)
}

/** What to do after failed try number `attempt` (1-based). */
export type RetryDecision = { retry: true; delayMs: number } | { retry: false; notBeforeMs: number | null }

/**
 * Decides whether to try again and how long to wait. A `Retry-After` is honoured exactly:
 * if it asks for more than `maxDelayMs`, retrying stops and `notBeforeMs` tells the caller
 * how long to leave the token endpoint alone. `random` returns [0, 1).
 */
export function decideRetry(policy: RefreshRetrySettings, attempt: number, retryAfterMs: number | null, random: () => number): RetryDecision {
  if (retryAfterMs !== null && retryAfterMs > policy.maxDelayMs) return { retry: false, notBeforeMs: retryAfterMs }
  if (attempt >= policy.maxAttempts) return { retry: false, notBeforeMs: retryAfterMs }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  const backoff = Math.floor(random() * ceiling)
  return { retry: true, delayMs: Math.max(backoff, retryAfterMs ?? 0) }
}
