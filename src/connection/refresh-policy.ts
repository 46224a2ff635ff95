/**
 * The refresh policy of a connection, as pure functions of the record and `now`: whether a
 * caller gets the current credentials, a refusal (which error) or a refresh (S12: no
 * hammering, Retry-After honoured, never an expired token), and how the record changes when
 * credentials are stored, refreshed, refused, tested or declared defunct.
 *
 * The connection object (connection-implementation.ts) does the I/O around these decisions:
 * storage, the single flight, the token request and the events. Schedule arithmetic (when a
 * refresh is due, retry gaps) is in connection-record.ts.
 */
import { LatchkeyError, type ErrorCode } from '../errors.ts'
import type { CheckedConnectionInput } from './authorized-connection.ts'
import { isExpired, refreshDueAt, retryLaterAt, type ConnectionRecord, type ConnectionTestResult } from './connection-record.ts'
import type { RefreshFailure } from './credential-refresh.ts'
import type { ConnectionEventType } from './events/connection-event.ts'

/** Why a refresh is attempted; decides whether it is still needed once it is this call's turn. */
export type RefreshTrigger =
  /** Credentials were asked for while a refresh is due, or the refresh alarm fired. */
  | { kind: 'due' }
  /** An explicit refresh (`refresh`, or `getAccessToken` with `forceRefresh`). */
  | { kind: 'forced' }
  /** The API answered 401; `replaced`: the credentials it refused are no longer the stored ones. */
  | { kind: 'unauthorized'; replaced: boolean }

/** What a refresh trigger leads to. */
export type RefreshDecision =
  /** Hand out the stored credentials as they are. */
  | { action: 'use_current' }
  /** Fail the caller with `error`; nothing is sent to the token endpoint. */
  | { action: 'refuse'; error: LatchkeyError }
  /** Ask the token endpoint (or the connector's refreshCredentials). */
  | { action: 'refresh' }

/** What a trigger leads to when the connection has no way to refresh (`planRefresh` said none). */
export type UnrefreshableDecision =
  | { action: 'use_current' }
  | { action: 'refuse'; error: LatchkeyError }
  /** The token is still valid: hand it out, and stop the refresh schedule (nothing can be done at expiry either). */
  | { action: 'stop_schedule' }
  /** The token expired: only the user can help (`needsReauthRecord` with `error.message`). */
  | { action: 'needs_reauth'; error: LatchkeyError }

/** How a failed refresh is recorded and reported. */
export interface FailedRefresh {
  /** The record to store; the stored credentials stay as they were. */
  record: ConnectionRecord
  event: Extract<ConnectionEventType, 'connection.needs_reauth' | 'connection.refresh_failed' | 'connection.refresh_interrupted'>
  error: LatchkeyError
  /** A refresh ahead of expiry failed: the current token is still valid and is handed out instead of `error`. */
  useCurrent: boolean
}

/** The codes a failed refresh records; a successful refresh clears them. */
const REFRESH_ERROR_CODES = new Set<string>(['refresh_failed', 'upstream_unavailable', 'rate_limited'])

const USE_CURRENT = { action: 'use_current' } as const

/** Whether credentials must be refreshed before they are handed out: the refresh time passed, or they expired. */
export function isRefreshDue(record: ConnectionRecord, now: number): boolean {
  return (record.refreshAt !== null && now >= record.refreshAt) || isExpired(record.expiresAt, now)
}

/**
 * Decides what `trigger` leads to for `record` at `now`. Decided again when it is a call's
 * turn in the single flight, because another call may have refreshed meanwhile. After a
 * failed refresh only the retry time (the alarm) or an explicit refresh asks again, and a
 * `Retry-After` the retries could not wait for holds back even an explicit refresh; meanwhile
 * a token that is still valid is handed out to automatic callers.
 */
export function decideRefresh(record: ConnectionRecord, trigger: RefreshTrigger, now: number): RefreshDecision {
  if (record.status === 'needs_reauth') return { action: 'refuse', error: needsReauthError(record) }
  const servable = trigger.kind === 'due' && !isExpired(record.expiresAt, now)
  if (trigger.kind === 'due' && !isRefreshDue(record, now)) return USE_CURRENT
  if (trigger.kind === 'unauthorized' && trigger.replaced) return USE_CURRENT
  if (record.refreshNotBefore !== null && now < record.refreshNotBefore) {
    if (servable) return USE_CURRENT
    const until = new Date(record.refreshNotBefore).toISOString()
    return { action: 'refuse', error: new LatchkeyError('rate_limited', `The token endpoint asked Latchkey to wait until ${until} before refreshing again: retry after that.`) }
  }
  if (trigger.kind !== 'forced' && record.consecutiveRefreshFailures > 0 && record.refreshAt !== null && now < record.refreshAt) {
    if (servable) return USE_CURRENT
    return { action: 'refuse', error: lastRefreshError(record, record.refreshAt) }
  }
  return { action: 'refresh' }
}

/**
 * What a trigger leads to when the connection cannot refresh (`reason`: noRefreshToken, or no
 * refresh token issued). A 401 goes back to the caller as it is; an explicit refresh is
 * refused; a valid token is handed out until it expires, and then the user must reconnect.
 */
export function decideUnrefreshable(record: ConnectionRecord, trigger: RefreshTrigger, reason: string, now: number): UnrefreshableDecision {
  if (trigger.kind === 'unauthorized') return USE_CURRENT
  if (trigger.kind === 'forced')
    return { action: 'refuse', error: new LatchkeyError('refresh_failed', `This connection cannot be refreshed (${reason}): reconnect it to get new credentials.`) }
  if (!isExpired(record.expiresAt, now)) return { action: 'stop_schedule' }
  const message = `The access token expired and this connection cannot be refreshed (${reason}): the user must connect again.`
  return { action: 'needs_reauth', error: new LatchkeyError('needs_reauth', message) }
}

/** The error for a `needs_reauth` connection: the reason recorded when it got there. */
export function needsReauthError(record: ConnectionRecord): LatchkeyError {
  return new LatchkeyError('needs_reauth', record.lastError?.message ?? 'This connection needs the user to connect again.')
}

/** The record of a connection just authorized (new, or reconnected over `existing`): connected, refresh scheduled ahead of expiry. */
export function storedRecord(
  fields: Omit<CheckedConnectionInput, 'credentials' | 'secretInput' | 'discovered'> & Partial<Pick<CheckedConnectionInput, 'discovered'>>,
  existing: ConnectionRecord | null,
  expiresAt: number | null,
  now: number,
): ConnectionRecord {
  return {
    connectionId: fields.connectionId,
    connectorKey: fields.connectorKey,
    authOption: fields.authOption,
    tenant: fields.tenant,
    connectionInput: fields.connectionInput,
    discovered: fields.discovered ?? null,
    status: 'connected',
    lastError: null,
    testResult: null,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    lastRefreshedAt: null,
    expiresAt,
    refreshAt: refreshDueAt(expiresAt, now),
    refreshStartedAt: null,
    refreshNotBefore: null,
    consecutiveRefreshFailures: 0,
  }
}

/** The record while a token request is in flight (`refreshStartedAt` stays set if the object dies meanwhile). */
export function refreshStartedRecord(record: ConnectionRecord, now: number): ConnectionRecord {
  return { ...record, refreshStartedAt: now }
}

/**
 * Whether `record` shows a refresh that never finished: its token request was sent (the
 * start is stored before it goes out) and no outcome was stored, because the object was
 * stopped meanwhile (crash, deploy, eviction). Read when no refresh of this object is in
 * flight, i.e. at startup or before the next refresh starts (S19).
 */
export function wasRefreshInterrupted(record: ConnectionRecord): boolean {
  return record.refreshStartedAt !== null
}

/**
 * S19, the rule for an interrupted refresh: try again at once with the stored refresh token
 * (providers that rotate often accept the previous one for a grace period, and a provider
 * that never answered has not rotated). The record after startup found one: the refresh is
 * due now, so the next access or the alarm makes that attempt.
 */
export function interruptedRefreshRecord(record: ConnectionRecord, now: number): ConnectionRecord {
  return { ...record, refreshAt: now, refreshNotBefore: null }
}

/**
 * The record after a successful refresh to credentials expiring at `expiresAt`: the next
 * refresh scheduled, failure bookkeeping reset, and an error a failed refresh recorded
 * cleared (a failed test's error stays: only a test clears it).
 */
export function refreshedRecord(record: ConnectionRecord, expiresAt: number | null, now: number): ConnectionRecord {
  const clearsError = record.lastError !== null && REFRESH_ERROR_CODES.has(record.lastError.code)
  return {
    ...record,
    status: clearsError && record.status === 'error' ? 'connected' : record.status,
    lastError: clearsError ? null : record.lastError,
    updatedAt: now,
    lastRefreshedAt: now,
    expiresAt,
    refreshAt: refreshDueAt(expiresAt, now),
    refreshStartedAt: null,
    refreshNotBefore: null,
    consecutiveRefreshFailures: 0,
  }
}

/**
 * How a refresh that failed with `failure` is recorded. A revoked grant makes the connection
 * `needs_reauth` with no further automatic attempt; other failures are retried later with
 * growing gaps (`retryLaterAt`), not before a `Retry-After` the retries could not wait for, and
 * a refusal for another reason makes the status `error`. A refresh ahead of expiry (`due`)
 * still hands out the token while it is valid. `afterInterruption`: this refresh retried one
 * that was interrupted (S19); a revoked grant is then reported as `connection.refresh_interrupted`.
 */
export function failedRefresh(record: ConnectionRecord, failure: RefreshFailure, trigger: RefreshTrigger, now: number, afterInterruption = false): FailedRefresh {
  if (failure.kind === 'revoked') {
    // S19: the interrupted attempt most likely made the provider rotate the token this retry presented.
    const message = afterInterruption
      ? `A refresh was interrupted before its answer could be stored (crash, deploy or eviction); retried with the same refresh token, the token endpoint answered ${failure.error}: the provider had already replaced it, and the user must connect again.`
      : `The token endpoint answered ${failure.error} to the refresh: the user must connect again.`
    return {
      record: { ...needsReauthRecord(record, message, now), refreshStartedAt: null },
      event: afterInterruption ? 'connection.refresh_interrupted' : 'connection.needs_reauth',
      error: new LatchkeyError('needs_reauth', message),
      useCurrent: false,
    }
  }
  const code = failure.kind === 'transient' ? failure.code : 'refresh_failed'
  const message = `Refreshing the credentials failed: ${failure.detail.replace(/\.$/, '')}. The stored credentials are unchanged; Latchkey retries later.`
  const failures = record.consecutiveRefreshFailures + 1
  const notBefore = failure.kind === 'transient' && failure.notBeforeMs !== null ? now + failure.notBeforeMs : null
  return {
    record: {
      ...record,
      status: failure.kind === 'rejected' ? 'error' : record.status,
      lastError: { code, message },
      updatedAt: now,
      refreshAt: retryLaterAt(failures, notBefore, now),
      refreshStartedAt: null,
      refreshNotBefore: notBefore,
      consecutiveRefreshFailures: failures,
    },
    event: 'connection.refresh_failed',
    error: new LatchkeyError(code, message),
    useCurrent: trigger.kind === 'due' && !isExpired(record.expiresAt, now),
  }
}

/** The record of a connection only the user can repair (`message` says why): no refresh is scheduled any more. */
export function needsReauthRecord(record: ConnectionRecord, message: string, now: number): ConnectionRecord {
  return { ...record, status: 'needs_reauth', lastError: { code: 'needs_reauth', message }, updatedAt: now, refreshAt: null }
}

/** The record of a connection that cannot refresh and whose token is still valid: no refresh is scheduled. */
export function unscheduledRecord(record: ConnectionRecord): ConnectionRecord {
  return { ...record, refreshAt: null }
}

/**
 * The record after a response handler said `connection_is_defunct`, or `null` when it already
 * needs the user (nothing changes, nothing to report).
 */
export function defunctRecord(record: ConnectionRecord, now: number): ConnectionRecord | null {
  if (record.status === 'needs_reauth') return null
  return needsReauthRecord(record, 'The API reports that this connection is defunct (connection_is_defunct): the user must connect again.', now)
}

/**
 * The record after the connector's test. A failed test makes the status `error` (a
 * `needs_reauth` status stays until the user reconnects); a passing test clears an error a
 * test recorded, but not one from a failed refresh (only a refresh clears that).
 */
export function testedRecord(record: ConnectionRecord, testResult: ConnectionTestResult, now: number): ConnectionRecord {
  const next: ConnectionRecord = { ...record, testResult, updatedAt: now }
  if (testResult.ok && record.status === 'error' && !REFRESH_ERROR_CODES.has(record.lastError?.code ?? '')) {
    next.status = 'connected'
    next.lastError = null
  } else if (!testResult.ok && record.status !== 'needs_reauth') {
    next.status = 'error'
    next.lastError = { code: testResult.code ?? 'connection_test_failed', message: testResult.message ?? 'The connection test failed.' }
  }
  return next
}

/** The error of the last failed refresh, as it was reported then; `retryAt` is when Latchkey tries again. */
function lastRefreshError(record: ConnectionRecord, retryAt: number): LatchkeyError {
  const last = record.lastError
  if (last !== null && REFRESH_ERROR_CODES.has(last.code)) return new LatchkeyError(last.code as ErrorCode, last.message)
  return new LatchkeyError('refresh_failed', `Refreshing the credentials failed; Latchkey tries again at ${new Date(retryAt).toISOString()}.`)
}
