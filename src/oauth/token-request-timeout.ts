/**
 * How long Latchkey waits for a token endpoint, for the code exchange and for refreshes alike:
 * the one Worker variable `TOKEN_REQUEST_TIMEOUT_MS`, read here only.
 */

/** Used when `TOKEN_REQUEST_TIMEOUT_MS` is unset or not a whole number of milliseconds. */
export const DEFAULT_TOKEN_REQUEST_TIMEOUT_MS = 10_000

/**
 * Milliseconds after which one token request is aborted (`AbortSignal.timeout`): the Worker
 * variable `TOKEN_REQUEST_TIMEOUT_MS` (digits only, at least 1), else 10000.
 */
export function readTokenRequestTimeout(env: Env): number {
  const value = (env as unknown as Record<string, unknown>)['TOKEN_REQUEST_TIMEOUT_MS']
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) return DEFAULT_TOKEN_REQUEST_TIMEOUT_MS
  return Math.max(1, Number(value))
}
