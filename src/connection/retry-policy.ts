/**
 * How often and how long refresh waits after a transient token-endpoint failure: capped
 * exponential backoff with full jitter, honouring `Retry-After` (RFC 9110 section 10.2.3).
 * Pure: the clock and the random source are parameters.
 */
import { DEFAULT_TOKEN_REQUEST_TIMEOUT_MS, readTokenRequestTimeout } from '../oauth/token-request-timeout.ts'

/** Bounds of the retry loop around one refresh. */
export interface RetryPolicy {
  /** Total tries of the token request, the first included. */
  maxAttempts: number
  /** Backoff before try n+1 is random in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))]. */
  baseDelayMs: number
  /** No single wait is longer; a `Retry-After` asking for more ends the retries. */
  maxDelayMs: number
  /** Abort one token request after this long (AbortSignal.timeout); the exchange's timeout too. */
  requestTimeoutMs: number
}

/** Production defaults: 3 tries, waits of at most 4 s, 10 s per request. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 4_000, requestTimeoutMs: DEFAULT_TOKEN_REQUEST_TIMEOUT_MS }

/**
 * The policy from optional Worker variables `REFRESH_MAX_ATTEMPTS`, `REFRESH_RETRY_BASE_DELAY_MS`,
 * `REFRESH_RETRY_MAX_DELAY_MS` (non-negative integers; anything else keeps the default) and
 * `TOKEN_REQUEST_TIMEOUT_MS` (`readTokenRequestTimeout`). Tests use them to keep waits short
 * without changing the logic.
 */
export function readRetryPolicy(env: Env): RetryPolicy {
  const variables = env as unknown as Record<string, unknown>
  const read = (name: string, fallback: number, minimum: number): number => {
    const value = variables[name]
    if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) return fallback
    return Math.max(minimum, Number(value))
  }
  return {
    maxAttempts: read('REFRESH_MAX_ATTEMPTS', DEFAULT_RETRY_POLICY.maxAttempts, 1),
    baseDelayMs: read('REFRESH_RETRY_BASE_DELAY_MS', DEFAULT_RETRY_POLICY.baseDelayMs, 0),
    maxDelayMs: read('REFRESH_RETRY_MAX_DELAY_MS', DEFAULT_RETRY_POLICY.maxDelayMs, 0),
    requestTimeoutMs: readTokenRequestTimeout(env),
  }
}

/** How long an API call rate-limited by the provider keeps retrying (send-api-call.ts). */
export interface RateLimitRetryPolicy {
  /** First backoff ceiling; doubles per retry (full jitter). */
  baseDelayMs: number
  /** Total time one call may spend waiting. */
  maxWaitMs: number
}

/** Production defaults: waits starting at up to 1 s, at most 30 s in all per call. */
export const DEFAULT_RATE_LIMIT_POLICY: RateLimitRetryPolicy = { baseDelayMs: 1_000, maxWaitMs: 30_000 }

/** The policy from optional Worker variables `API_RETRY_BASE_DELAY_MS` and `API_RATE_LIMIT_MAX_WAIT_MS`. */
export function readRateLimitPolicy(env: Env): RateLimitRetryPolicy {
  const variables = env as unknown as Record<string, unknown>
  const read = (name: string, fallback: number): number => {
    const value = variables[name]
    return typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : fallback
  }
  return {
    baseDelayMs: read('API_RETRY_BASE_DELAY_MS', DEFAULT_RATE_LIMIT_POLICY.baseDelayMs),
    maxWaitMs: read('API_RATE_LIMIT_MAX_WAIT_MS', DEFAULT_RATE_LIMIT_POLICY.maxWaitMs),
  }
}

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
export function decideRetry(policy: RetryPolicy, attempt: number, retryAfterMs: number | null, random: () => number): RetryDecision {
  if (retryAfterMs !== null && retryAfterMs > policy.maxDelayMs) return { retry: false, notBeforeMs: retryAfterMs }
  if (attempt >= policy.maxAttempts) return { retry: false, notBeforeMs: retryAfterMs }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  const backoff = Math.floor(random() * ceiling)
  return { retry: true, delayMs: Math.max(backoff, retryAfterMs ?? 0) }
}
