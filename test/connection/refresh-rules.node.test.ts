/**
 * The pure rules behind refresh: backoff and Retry-After, how token endpoint failures are
 * classified, how refreshed credentials are merged, and when the next refresh is due.
 */
import { describe, expect, it } from 'vitest'
import { REFRESH_AHEAD_MS, alarmTimeFor, MAX_ALARM_AHEAD_MS, MIN_REFRESH_INTERVAL_MS, refreshDueAt, retryLaterAt } from '../../src/connection/connection-record.ts'
import { classifyTokenFailure, mergeRefreshedCredentials } from '../../src/connection/credential-refresh.ts'
import { decideRetry, parseRetryAfter } from '../../src/connection/retry-policy.ts'
import { readSettings, type RefreshRetrySettings } from '../../src/settings.ts'

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0)
const POLICY: RefreshRetrySettings = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 4_000, requestTimeoutMs: 10_000 }

describe('parseRetryAfter', () => {
  it.each([
    { value: '0', expected: 0 },
    { value: '3', expected: 3_000 },
    { value: ' 120 ', expected: 120_000 },
    { value: new Date(NOW + 5_000).toUTCString(), expected: 5_000 },
    { value: new Date(NOW - 5_000).toUTCString(), expected: 0 },
    { value: null, expected: null },
    { value: '-1', expected: null },
    { value: '1.5', expected: null },
    { value: 'soon', expected: null },
    { value: '2026-06-01', expected: null },
  ])('reads $value as $expected ms', ({ value, expected }) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected)
  })
})

describe('decideRetry', () => {
  it('backs off exponentially with full jitter, capped at maxDelayMs', () => {
    expect(decideRetry(POLICY, 1, null, () => 0.999)).toEqual({ retry: true, delayMs: 499 })
    expect(decideRetry(POLICY, 2, null, () => 0.999)).toEqual({ retry: true, delayMs: 999 })
    expect(decideRetry({ ...POLICY, maxAttempts: 10 }, 6, null, () => 0.999)).toEqual({ retry: true, delayMs: 3_996 })
    expect(decideRetry(POLICY, 1, null, () => 0)).toEqual({ retry: true, delayMs: 0 })
  })

  it('waits at least as long as Retry-After asks when that fits the cap', () => {
    expect(decideRetry(POLICY, 1, 3_000, () => 0)).toEqual({ retry: true, delayMs: 3_000 })
  })

  it('stops retrying when Retry-After asks for more than the cap, and says how long to stay away', () => {
    expect(decideRetry(POLICY, 1, 60_000, () => 0)).toEqual({ retry: false, notBeforeMs: 60_000 })
  })

  it('stops after maxAttempts tries', () => {
    expect(decideRetry(POLICY, 3, null, () => 0)).toEqual({ retry: false, notBeforeMs: null })
  })

  it('reads its bounds from REFRESH_* variables and TOKEN_REQUEST_TIMEOUT_MS, and ignores values that are not integers', () => {
    const env = { REFRESH_MAX_ATTEMPTS: '5', REFRESH_RETRY_BASE_DELAY_MS: '1', REFRESH_RETRY_MAX_DELAY_MS: 'lots', TOKEN_REQUEST_TIMEOUT_MS: '0' } as unknown as Env
    expect(readSettings(env).refreshRetry).toEqual({ maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 4_000, requestTimeoutMs: 1 })
  })
})

describe('classifyTokenFailure', () => {
  it.each([
    { failure: { kind: 'oauth_error', status: 400, error: 'invalid_grant' }, expected: { kind: 'revoked' } },
    { failure: { kind: 'oauth_error', status: 401, error: 'invalid_client' }, expected: { kind: 'revoked' } },
    { failure: { kind: 'oauth_error', status: 400, error: 'unauthorized_client' }, expected: { kind: 'revoked' } },
    { failure: { kind: 'oauth_error', status: 400, error: 'invalid_scope' }, expected: { kind: 'rejected' } },
    { failure: { kind: 'oauth_error', status: 503, error: 'temporarily_unavailable' }, expected: { kind: 'transient', code: 'upstream_unavailable' } },
    { failure: { kind: 'oauth_error', status: 429, error: 'slow_down' }, expected: { kind: 'transient', code: 'rate_limited' } },
    { failure: { kind: 'http_error', status: 429, retryAfter: '1' }, expected: { kind: 'transient', code: 'rate_limited' } },
    { failure: { kind: 'http_error', status: 500, retryAfter: null }, expected: { kind: 'transient', code: 'upstream_unavailable' } },
    { failure: { kind: 'http_error', status: 408, retryAfter: null }, expected: { kind: 'transient', code: 'upstream_unavailable' } },
    { failure: { kind: 'http_error', status: 404, retryAfter: null }, expected: { kind: 'rejected' } },
    { failure: { kind: 'invalid_response', reason: 'body is HTML' }, expected: { kind: 'rejected' } },
  ] as const)('classifies $failure.kind $failure.status as $expected.kind', ({ failure, expected }) => {
    expect(classifyTokenFailure(failure)).toMatchObject(expected)
  })
})

describe('mergeRefreshedCredentials', () => {
  const old = { access_token: 'at_old', refresh_token: 'rt_old', expires_at: NOW - 1, expires_in: 3600, accountId: 'acct' }

  it('puts new fields over old ones and keeps the rest', () => {
    expect(mergeRefreshedCredentials(old, { access_token: 'at_new', refresh_token: 'rt_new', expires_at: NOW + 60_000 }, NOW)).toEqual({
      ...old,
      access_token: 'at_new',
      refresh_token: 'rt_new',
      expires_at: NOW + 60_000,
    })
  })

  it('keeps the old refresh token when the response has none (or null)', () => {
    expect(mergeRefreshedCredentials(old, { access_token: 'at_new', refresh_token: null, expires_in: 60 }, NOW)).toMatchObject({ refresh_token: 'rt_old' })
  })

  it.each([
    { label: 'expires_in as a number', fresh: { expires_in: 60 }, expected: NOW + 60_000 },
    { label: 'expires_in as a numeric string', fresh: { expires_in: '60' }, expected: NOW + 60_000 },
    { label: 'an explicit expires_at', fresh: { expires_at: NOW + 5 }, expected: NOW + 5 },
    { label: 'no expiry at all', fresh: {}, expected: undefined },
  ])('recomputes expires_at from $label', ({ fresh, expected }) => {
    expect(mergeRefreshedCredentials(old, { access_token: 'at_new', ...fresh }, NOW)['expires_at']).toBe(expected)
  })

  it('S11 a __proto__ key in either object never becomes the prototype of the result', () => {
    const fresh = JSON.parse('{"access_token":"at_new","__proto__":{"expires_at":12345,"isAdmin":true}}') as Record<string, unknown>
    const stored = JSON.parse('{"access_token":"at_old","__proto__":{"refresh_token":"rt_inherited"}}') as Record<string, unknown>

    const merged = mergeRefreshedCredentials(stored, fresh, NOW)

    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype)
    expect(Object.hasOwn(merged, '__proto__')).toBe(false)
    expect(merged['expires_at']).toBeUndefined()
    expect(merged['isAdmin']).toBeUndefined()
    expect(merged['refresh_token']).toBeUndefined()
    expect(merged).toEqual({ access_token: 'at_new' })
  })

  it.each([
    { label: 'beyond 10 years', fresh: { expires_in: 10 * 365 * 24 * 3600 + 1 } },
    { label: 'not finite', fresh: { expires_in: Number.POSITIVE_INFINITY } },
  ])('S18 an expires_in $label gives no expires_at', ({ fresh }) => {
    expect(mergeRefreshedCredentials(old, { access_token: 'at_new', ...fresh }, NOW)['expires_at']).toBeUndefined()
  })
})

describe('refresh schedule', () => {
  it.each([
    { label: 'a one-hour token', expiresAt: NOW + 3_600_000, expected: NOW + 3_600_000 - REFRESH_AHEAD_MS },
    { label: 'a two-minute token (half its lifetime)', expiresAt: NOW + 120_000, expected: NOW + 60_000 },
    { label: 'an expired token', expiresAt: NOW - 1_000, expected: NOW - 1_000 },
    { label: 'a token without expiry', expiresAt: null, expected: null },
  ])('refreshes $label at the right time', ({ expiresAt, expected }) => {
    expect(refreshDueAt(expiresAt, NOW)).toBe(expected)
  })

  it('never points the alarm sooner than MIN_REFRESH_INTERVAL_MS from now', () => {
    expect(alarmTimeFor(NOW - 1_000, NOW)).toBe(NOW + MIN_REFRESH_INTERVAL_MS)
    expect(alarmTimeFor(NOW + 3_600_000, NOW)).toBe(NOW + 3_600_000)
  })

  it('S18 never sets the alarm more than MAX_ALARM_AHEAD_MS ahead, whatever expiry a connector stored', () => {
    expect(alarmTimeFor(1e300, NOW)).toBe(NOW + MAX_ALARM_AHEAD_MS)
    expect(alarmTimeFor(NOW + MAX_ALARM_AHEAD_MS - 1, NOW)).toBe(NOW + MAX_ALARM_AHEAD_MS - 1)
  })

  it('spaces retries after consecutive failures, up to an hour, and honours a Retry-After', () => {
    expect(retryLaterAt(1, null, NOW)).toBe(NOW + 60_000)
    expect(retryLaterAt(3, null, NOW)).toBe(NOW + 240_000)
    expect(retryLaterAt(20, null, NOW)).toBe(NOW + 3_600_000)
    expect(retryLaterAt(1, NOW + 600_000, NOW)).toBe(NOW + 600_000)
  })
})
