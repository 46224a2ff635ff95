/**
 * The refresh policy as tables (src/connection/refresh-policy.ts): what each trigger leads to
 * for a record at a given time, and how the record changes when credentials are stored,
 * refreshed, refused, tested or declared defunct. The workerd tests in this folder prove the
 * same rules end to end through the connection object; these pin every branch.
 */
import { describe, expect, it } from 'vitest'
import type { ConnectionRecord, ConnectionTestResult } from '../../src/connection/connection-record.ts'
import type { RefreshFailure } from '../../src/connection/credential-refresh.ts'
import {
  decideRefresh,
  decideUnrefreshable,
  defunctRecord,
  failedRefresh,
  interruptedRefreshRecord,
  isRefreshDue,
  needsReauthError,
  refreshStartedRecord,
  refreshedRecord,
  storedRecord,
  testedRecord,
  unscheduledRecord,
  wasRefreshInterrupted,
  type RefreshTrigger,
} from '../../src/connection/refresh-policy.ts'

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0)
const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** A connected record whose token expires in an hour and is refreshed 5 minutes before. */
function record(overrides: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return {
    connectionId: 'conn_aaaaaaaaaaaaaaaaaaaaaaaaaa',
    connectorKey: 'test-oauth',
    authOption: null,
    tenant: 'tenant-1',
    connectionInput: {},
    status: 'connected',
    lastError: null,
    testResult: null,
    createdAt: NOW - HOUR,
    updatedAt: NOW - HOUR,
    lastRefreshedAt: null,
    expiresAt: NOW + HOUR,
    refreshAt: NOW + HOUR - 5 * MINUTE,
    refreshStartedAt: null,
    refreshNotBefore: null,
    consecutiveRefreshFailures: 0,
    ...overrides,
  }
}

const DUE: RefreshTrigger = { kind: 'due' }
const FORCED: RefreshTrigger = { kind: 'forced' }
const UNAUTHORIZED: RefreshTrigger = { kind: 'unauthorized', replaced: false }
const UNAUTHORIZED_REPLACED: RefreshTrigger = { kind: 'unauthorized', replaced: true }

/** The refresh time passed, the token still valid. */
const REFRESH_PASSED = { refreshAt: NOW - 1 }
/** The token expired. */
const EXPIRED = { expiresAt: NOW - 1, refreshAt: NOW - 5 * MINUTE }
/** A refresh failed a minute ago (upstream_unavailable); the next try is in a minute. */
const BACKING_OFF = {
  consecutiveRefreshFailures: 1,
  refreshAt: NOW + MINUTE,
  lastError: { code: 'upstream_unavailable', message: 'Refreshing the credentials failed: the token endpoint answered HTTP 503.' },
}
/** The token endpoint asked for ten minutes of quiet (Retry-After). */
const RETRY_AFTER = { refreshNotBefore: NOW + 10 * MINUTE }

describe('isRefreshDue', () => {
  it.each([
    { label: 'before the refresh time', overrides: {}, expected: false },
    { label: 'at the refresh time', overrides: { refreshAt: NOW }, expected: true },
    { label: 'after the refresh time', overrides: REFRESH_PASSED, expected: true },
    { label: 'once expired, whatever the refresh time', overrides: { expiresAt: NOW, refreshAt: null }, expected: true },
    { label: 'without expiry or refresh time', overrides: { expiresAt: null, refreshAt: null }, expected: false },
  ])('is $expected $label', ({ overrides, expected }) => {
    expect(isRefreshDue(record(overrides), NOW)).toBe(expected)
  })
})

describe('decideRefresh', () => {
  it.each([
    // Nothing to do yet.
    { label: 'a due check before the refresh time hands out the token', overrides: {}, trigger: DUE, expected: { action: 'use_current' } },
    { label: 'a due check on a token without expiry hands it out', overrides: { expiresAt: null, refreshAt: null }, trigger: DUE, expected: { action: 'use_current' } },
    { label: 'a 401 to credentials already replaced hands out the new ones', overrides: {}, trigger: UNAUTHORIZED_REPLACED, expected: { action: 'use_current' } },
    // Refreshes.
    { label: 'a due check after the refresh time refreshes', overrides: REFRESH_PASSED, trigger: DUE, expected: { action: 'refresh' } },
    { label: 'a due check on an expired token refreshes', overrides: EXPIRED, trigger: DUE, expected: { action: 'refresh' } },
    { label: 'a forced refresh refreshes a token that is not due', overrides: {}, trigger: FORCED, expected: { action: 'refresh' } },
    { label: 'a 401 to the current credentials refreshes', overrides: {}, trigger: UNAUTHORIZED, expected: { action: 'refresh' } },
    { label: 'a due check after the backoff refreshes again', overrides: { ...BACKING_OFF, refreshAt: NOW }, trigger: DUE, expected: { action: 'refresh' } },
    { label: 'a due check after the Retry-After refreshes again', overrides: { ...REFRESH_PASSED, refreshNotBefore: NOW }, trigger: DUE, expected: { action: 'refresh' } },
    // S12 no hammering: the backoff after a failed refresh.
    { label: 'a forced refresh during the backoff still refreshes', overrides: BACKING_OFF, trigger: FORCED, expected: { action: 'refresh' } },
    { label: 'a due check of a valid token during the backoff hands it out', overrides: BACKING_OFF, trigger: DUE, expected: { action: 'use_current' } },
    {
      label: 'a due check of an expired token during the backoff gets the last error',
      overrides: { ...BACKING_OFF, expiresAt: NOW - 1 },
      trigger: DUE,
      expected: { action: 'refuse', code: 'upstream_unavailable' },
    },
    { label: 'a 401 during the backoff gets the last error', overrides: BACKING_OFF, trigger: UNAUTHORIZED, expected: { action: 'refuse', code: 'upstream_unavailable' } },
    {
      label: 'a 401 during the backoff after an error that was not a refresh error gets refresh_failed',
      overrides: { ...BACKING_OFF, lastError: { code: 'connection_test_failed', message: 'The test failed.' } },
      trigger: UNAUTHORIZED,
      expected: { action: 'refuse', code: 'refresh_failed' },
    },
    // Retry-After beyond the retry budget holds back every trigger, forced included.
    {
      label: 'a due check of a valid token during a Retry-After hands it out',
      overrides: { ...REFRESH_PASSED, ...RETRY_AFTER },
      trigger: DUE,
      expected: { action: 'use_current' },
    },
    {
      label: 'a due check of an expired token during a Retry-After is rate_limited',
      overrides: { ...EXPIRED, ...RETRY_AFTER },
      trigger: DUE,
      expected: { action: 'refuse', code: 'rate_limited' },
    },
    { label: 'a forced refresh during a Retry-After is rate_limited', overrides: RETRY_AFTER, trigger: FORCED, expected: { action: 'refuse', code: 'rate_limited' } },
    { label: 'a 401 during a Retry-After is rate_limited', overrides: RETRY_AFTER, trigger: UNAUTHORIZED, expected: { action: 'refuse', code: 'rate_limited' } },
  ])('$label', ({ overrides, trigger, expected }) => {
    const decision = decideRefresh(record(overrides), trigger, NOW)
    if (expected.action === 'refuse') expect(decision).toMatchObject({ action: 'refuse', error: { code: expected.code } })
    else expect(decision).toEqual(expected)
  })

  it.each([DUE, FORCED, UNAUTHORIZED, UNAUTHORIZED_REPLACED])('S12 refuses a needs_reauth connection with needs_reauth and its recorded reason (%o)', (trigger) => {
    const needsReauth = record({ status: 'needs_reauth', lastError: { code: 'needs_reauth', message: 'The grant was revoked.' } })
    expect(decideRefresh(needsReauth, trigger, NOW)).toMatchObject({ action: 'refuse', error: { code: 'needs_reauth', message: 'The grant was revoked.' } })
  })

  it('names the time to retry after in a rate_limited refusal', () => {
    const decision = decideRefresh(record(RETRY_AFTER), FORCED, NOW)
    expect(decision.action === 'refuse' && decision.error.message).toContain(new Date(NOW + 10 * MINUTE).toISOString())
  })

  it('gives a needs_reauth record without a recorded reason a generic message', () => {
    expect(needsReauthError(record({ status: 'needs_reauth' })).message).toBe('This connection needs the user to connect again.')
  })
})

describe('decideUnrefreshable (no refresh token, or noRefreshToken)', () => {
  it.each([
    { label: 'passes a 401 through to the caller', overrides: {}, trigger: UNAUTHORIZED, expected: { action: 'use_current' } },
    { label: 'refuses a forced refresh with refresh_failed', overrides: {}, trigger: FORCED, expected: { action: 'refuse', code: 'refresh_failed' } },
    { label: 'keeps handing out a valid token and stops the schedule', overrides: REFRESH_PASSED, trigger: DUE, expected: { action: 'stop_schedule' } },
    { label: 'needs the user once the token expired', overrides: EXPIRED, trigger: DUE, expected: { action: 'needs_reauth', code: 'needs_reauth' } },
  ])('$label', ({ overrides, trigger, expected }) => {
    const decision = decideUnrefreshable(record(overrides), trigger, 'the provider issued no refresh token', NOW)
    if ('code' in expected) {
      expect(decision).toMatchObject({ action: expected.action, error: { code: expected.code } })
      expect(decision.action !== 'use_current' && decision.action !== 'stop_schedule' && decision.error.message).toContain('the provider issued no refresh token')
    } else {
      expect(decision).toEqual(expected)
    }
  })
})

describe('failedRefresh', () => {
  const transient = (notBeforeMs: number | null = null): RefreshFailure => ({
    kind: 'transient',
    code: 'upstream_unavailable',
    detail: 'the token endpoint answered HTTP 503.',
    notBeforeMs,
  })
  const rateLimited: RefreshFailure = { kind: 'transient', code: 'rate_limited', detail: 'the token endpoint answered HTTP 429', notBeforeMs: null }
  const rejected: RefreshFailure = { kind: 'rejected', detail: 'the token endpoint answered invalid_scope' }

  it.each(['invalid_grant', 'invalid_client', 'unauthorized_client'])('S12 %s makes the connection needs_reauth and stops automatic refreshes', (error) => {
    const failed = failedRefresh(record({ ...REFRESH_PASSED, refreshStartedAt: NOW - 10 }), { kind: 'revoked', error }, DUE, NOW)
    const message = `The token endpoint answered ${error} to the refresh: the user must connect again.`
    expect(failed).toMatchObject({ event: 'connection.needs_reauth', error: { code: 'needs_reauth', message }, useCurrent: false })
    expect(failed.record).toMatchObject({ status: 'needs_reauth', lastError: { code: 'needs_reauth', message }, updatedAt: NOW, refreshAt: null, refreshStartedAt: null })
  })

  it('S19 a revoked grant on the retry of an interrupted refresh is reported as refresh_interrupted', () => {
    const failed = failedRefresh(record({ ...REFRESH_PASSED, refreshStartedAt: NOW - 10 }), { kind: 'revoked', error: 'invalid_grant' }, DUE, NOW, true)
    expect(failed).toMatchObject({ event: 'connection.refresh_interrupted', error: { code: 'needs_reauth' }, useCurrent: false })
    expect(failed.error.message).toMatch(/^A refresh was interrupted before its answer could be stored .* answered invalid_grant/)
    expect(failed.record).toMatchObject({ status: 'needs_reauth', refreshAt: null, refreshStartedAt: null })
  })

  it('S19 another failure on that retry is recorded as usual', () => {
    expect(failedRefresh(record({ ...EXPIRED, refreshStartedAt: NOW - 10 }), transient(), DUE, NOW, true).event).toBe('connection.refresh_failed')
  })

  it.each([
    { label: 'a transient failure', failure: transient(), code: 'upstream_unavailable', status: 'connected' },
    { label: 'a rate limit', failure: rateLimited, code: 'rate_limited', status: 'connected' },
    { label: 'a refusal for another reason', failure: rejected, code: 'refresh_failed', status: 'error' },
  ])('records $label as $code with status $status, and retries a minute later', ({ failure, code, status }) => {
    const failed = failedRefresh(record({ ...EXPIRED, refreshStartedAt: NOW - 10 }), failure, DUE, NOW)
    expect(failed).toMatchObject({ event: 'connection.refresh_failed', error: { code }, useCurrent: false })
    expect(failed.record).toMatchObject({
      status,
      lastError: { code },
      updatedAt: NOW,
      refreshAt: NOW + MINUTE,
      refreshStartedAt: null,
      refreshNotBefore: null,
      consecutiveRefreshFailures: 1,
    })
  })

  it('says the stored credentials are unchanged, in one sentence whatever the detail ends with', () => {
    expect(failedRefresh(record(), transient(), FORCED, NOW).error.message).toBe(
      'Refreshing the credentials failed: the token endpoint answered HTTP 503. The stored credentials are unchanged; Latchkey retries later.',
    )
  })

  it.each([
    { failures: 0, expected: NOW + MINUTE },
    { failures: 2, expected: NOW + 4 * MINUTE },
    { failures: 30, expected: NOW + HOUR },
  ])('after $failures earlier failures in a row, retries at +$expected ms', ({ failures, expected }) => {
    expect(failedRefresh(record({ consecutiveRefreshFailures: failures }), transient(), DUE, NOW).record).toMatchObject({
      refreshAt: expected,
      consecutiveRefreshFailures: failures + 1,
    })
  })

  it('keeps the token endpoint alone for a Retry-After the retries could not wait for', () => {
    const failed = failedRefresh(record(), transient(10 * MINUTE), DUE, NOW)
    expect(failed.record).toMatchObject({ refreshNotBefore: NOW + 10 * MINUTE, refreshAt: NOW + 10 * MINUTE })
  })

  it.each([
    { label: 'a refresh ahead of expiry hands out the still valid token', overrides: REFRESH_PASSED, trigger: DUE, useCurrent: true },
    { label: 'a refresh of an expired token reports the error', overrides: EXPIRED, trigger: DUE, useCurrent: false },
    { label: 'a forced refresh reports the error', overrides: {}, trigger: FORCED, useCurrent: false },
    { label: 'a refresh after a 401 reports the error', overrides: {}, trigger: UNAUTHORIZED, useCurrent: false },
  ])('$label', ({ overrides, trigger, useCurrent }) => {
    expect(failedRefresh(record(overrides), transient(), trigger, NOW).useCurrent).toBe(useCurrent)
  })
})

describe('storedRecord', () => {
  const fields = { connectionId: 'conn_aaaaaaaaaaaaaaaaaaaaaaaaaa', connectorKey: 'test-oauth', authOption: null, tenant: 'tenant-1', connectionInput: { subdomain: 'acme' } }

  it('makes a new connection connected, refreshed 5 minutes before expiry', () => {
    expect(storedRecord(fields, null, NOW + HOUR, NOW)).toEqual({
      ...fields,
      discovered: null,
      status: 'connected',
      lastError: null,
      testResult: null,
      createdAt: NOW,
      updatedAt: NOW,
      lastRefreshedAt: null,
      expiresAt: NOW + HOUR,
      refreshAt: NOW + HOUR - 5 * MINUTE,
      refreshStartedAt: null,
      refreshNotBefore: null,
      consecutiveRefreshFailures: 0,
    })
  })

  it('S12 a reconnect keeps createdAt and starts over from connected, whatever went wrong before', () => {
    const broken = record({
      status: 'needs_reauth',
      lastError: { code: 'needs_reauth', message: 'revoked' },
      refreshAt: null,
      consecutiveRefreshFailures: 3,
      refreshNotBefore: NOW + HOUR,
    })
    expect(storedRecord(fields, broken, null, NOW)).toMatchObject({
      createdAt: broken.createdAt,
      status: 'connected',
      lastError: null,
      expiresAt: null,
      refreshAt: null,
      refreshNotBefore: null,
      consecutiveRefreshFailures: 0,
    })
  })
})

describe('refreshedRecord', () => {
  it('schedules the next refresh and resets the failure bookkeeping', () => {
    const before = record({ ...BACKING_OFF, refreshStartedAt: NOW - 10, refreshNotBefore: NOW - 1, consecutiveRefreshFailures: 4 })
    expect(refreshedRecord(before, NOW + HOUR, NOW)).toMatchObject({
      updatedAt: NOW,
      lastRefreshedAt: NOW,
      expiresAt: NOW + HOUR,
      refreshAt: NOW + HOUR - 5 * MINUTE,
      refreshStartedAt: null,
      refreshNotBefore: null,
      consecutiveRefreshFailures: 0,
    })
  })

  it.each([
    { label: 'clears a transient refresh error', status: 'connected', code: 'upstream_unavailable', expected: { status: 'connected', lastError: null } },
    { label: 'clears a refused refresh and its status error', status: 'error', code: 'refresh_failed', expected: { status: 'connected', lastError: null } },
    {
      label: 'keeps a failed test (only a test clears it)',
      status: 'error',
      code: 'connection_test_failed',
      expected: { status: 'error', lastError: { code: 'connection_test_failed' } },
    },
  ] as const)('$label', ({ status, code, expected }) => {
    expect(refreshedRecord(record({ status, lastError: { code, message: 'm' } }), NOW + HOUR, NOW)).toMatchObject(expected)
  })

  it('schedules nothing for credentials without expiry', () => {
    expect(refreshedRecord(record(), null, NOW)).toMatchObject({ expiresAt: null, refreshAt: null })
  })
})

describe('testedRecord', () => {
  const passed: ConnectionTestResult = { ok: true, at: NOW }
  const failedWith: ConnectionTestResult = { ok: false, code: 'upstream_unavailable', message: 'The API is down.', at: NOW }
  const failedBare: ConnectionTestResult = { ok: false, at: NOW }

  it.each([
    { label: 'a pass keeps a connected connection connected', before: {}, result: passed, expected: { status: 'connected', lastError: null } },
    {
      label: 'a pass clears the error of a failed test',
      before: { status: 'error', lastError: { code: 'connection_test_failed', message: 'm' } },
      result: passed,
      expected: { status: 'connected', lastError: null },
    },
    {
      label: 'a pass leaves the error of a refused refresh',
      before: { status: 'error', lastError: { code: 'refresh_failed', message: 'm' } },
      result: passed,
      expected: { status: 'error', lastError: { code: 'refresh_failed' } },
    },
    {
      label: 'a failure makes the status error with its code',
      before: {},
      result: failedWith,
      expected: { status: 'error', lastError: { code: 'upstream_unavailable', message: 'The API is down.' } },
    },
    {
      label: 'a failure without a code is connection_test_failed',
      before: {},
      result: failedBare,
      expected: { status: 'error', lastError: { code: 'connection_test_failed', message: 'The connection test failed.' } },
    },
    {
      label: 'a failure leaves needs_reauth as it is',
      before: { status: 'needs_reauth', lastError: { code: 'needs_reauth', message: 'm' } },
      result: failedWith,
      expected: { status: 'needs_reauth', lastError: { code: 'needs_reauth' } },
    },
    {
      label: 'a pass leaves needs_reauth as it is',
      before: { status: 'needs_reauth', lastError: { code: 'needs_reauth', message: 'm' } },
      result: passed,
      expected: { status: 'needs_reauth', lastError: { code: 'needs_reauth' } },
    },
  ] as const)('$label', ({ before, result, expected }) => {
    expect(testedRecord(record(before), result, NOW)).toMatchObject({ ...expected, testResult: result, updatedAt: NOW })
  })
})

describe('the other transitions', () => {
  it('a connection the API calls defunct needs the user, with no refresh scheduled', () => {
    expect(defunctRecord(record(), NOW)).toMatchObject({
      status: 'needs_reauth',
      lastError: { code: 'needs_reauth', message: 'The API reports that this connection is defunct (connection_is_defunct): the user must connect again.' },
      updatedAt: NOW,
      refreshAt: null,
    })
  })

  it('a connection that already needs the user is not changed again by a defunct answer', () => {
    expect(defunctRecord(record({ status: 'needs_reauth' }), NOW)).toBeNull()
  })

  it('a token request in flight is marked, so a restart mid-request can be told apart', () => {
    expect(refreshStartedRecord(record(), NOW)).toMatchObject({ refreshStartedAt: NOW })
  })

  it('a connection that cannot refresh keeps its record but drops the schedule', () => {
    expect(unscheduledRecord(record())).toEqual({ ...record(), refreshAt: null })
  })
})

describe('S19 an interrupted refresh', () => {
  it.each([
    { label: 'no refresh started', refreshStartedAt: null, interrupted: false },
    { label: 'a refresh whose start is stored without an outcome', refreshStartedAt: NOW - MINUTE, interrupted: true },
  ])('$label: interrupted = $interrupted', ({ refreshStartedAt, interrupted }) => {
    expect(wasRefreshInterrupted(record({ refreshStartedAt }))).toBe(interrupted)
  })

  it('is retried at once: due now, whatever Retry-After the last failure recorded', () => {
    const due = interruptedRefreshRecord(record({ refreshStartedAt: NOW - MINUTE, refreshNotBefore: NOW + HOUR }), NOW)
    expect(due).toMatchObject({ refreshAt: NOW, refreshNotBefore: null, refreshStartedAt: NOW - MINUTE })
    expect(isRefreshDue(due, NOW)).toBe(true)
    expect(decideRefresh(due, DUE, NOW)).toEqual({ action: 'refresh' })
  })
})
