/**
 * What a connection object stores besides the sealed credentials, the summary it shows to
 * callers (no secrets), and when a refresh is due. Layout and examples: STORAGE.md.
 */
import type { DiscoveredAuthorization } from '../discovery/discovered-authorization.ts'
import { normalizeExpiresAt } from '../oauth/token-response.ts'
import type { ConnectionAccount } from './connection-account.ts'

/** Lifecycle status of a connection. */
export type ConnectionStatus = 'connected' | 'needs_reauth' | 'error'

/** A stable error code and a message safe to show (no secrets). */
export interface ConnectionError {
  code: string
  message: string
}

/** Outcome of the connector's `test` method. */
export interface ConnectionTestResult {
  ok: boolean
  code?: string
  message?: string
  at: number
}

/** A connection as callers see it: no credentials, no connection input. */
export interface ConnectionSummary {
  connectionId: string
  connectorKey: string
  /** The connector's auth option this connection uses (connectors with `options`), else null. */
  authOption: string | null
  tenant: string
  status: ConnectionStatus
  lastError: ConnectionError | null
  testResult: ConnectionTestResult | null
  createdAt: number
  updatedAt: number
  lastRefreshedAt: number | null
  expiresAt: number | null
  /** Who is connected, to show (an email, login or name: connection-account.ts); null when the provider did not say. */
  accountLabel: string | null
  /** The provider account, stable (`${iss} ${sub}` of an id_token, or the id the test returned); null when unknown. */
  accountId: string | null
}

/** The `connection` storage key (schema version 1). Times are ms since epoch. */
export interface ConnectionRecord extends Omit<ConnectionSummary, 'accountLabel' | 'accountId'> {
  /** Absent in records stored before accounts were kept (read as null), and until a store or test names one. */
  accountLabel?: string | null
  /** As `accountLabel`. */
  accountId?: string | null
  connectionInput: Record<string, unknown>
  /**
   * A discovered connection's authorization server, client and resource (auth type
   * `oauth2-discovered`): every refresh uses them, never discovers again. Absent (read as null)
   * for every other connector.
   */
  discovered?: DiscoveredAuthorization | null
  /** When the next refresh is due: ahead of expiry, or a retry after a failure. Drives the alarm. */
  refreshAt: number | null
  /** Set while a token request is in flight; left set if the object died mid-request (diagnostics). */
  refreshStartedAt: number | null
  /** A `Retry-After` from the token endpoint: no token request before this time. */
  refreshNotBefore: number | null
  /** Failed refreshes in a row; spaces out retries. */
  consecutiveRefreshFailures: number
  /**
   * Grows by one with every write that changes the summary; orders the summaries the tenant
   * directory receives (tenant-directory.ts). Set by `ConnectionStorage.write`; absent in
   * records stored before it existed (read as 0).
   */
  revision?: number
}

/** Refresh at most this long before expiry (or after half the remaining lifetime, if shorter). */
export const REFRESH_AHEAD_MS = 5 * 60_000

/** Automatic refreshes are at least this far apart, whatever lifetime the provider grants. */
export const MIN_REFRESH_INTERVAL_MS = 30_000

/**
 * An alarm is never set further ahead than this: a connector may store any `expires_at`, and
 * workerd refuses alarms far in the future. An early alarm finds nothing due and sets the next.
 */
export const MAX_ALARM_AHEAD_MS = 365 * 24 * 60 * 60_000

/** First retry after a failed refresh; doubles per consecutive failure up to `MAX_RETRY_LATER_MS`. */
export const RETRY_LATER_MS = 60_000

/** Longest wait between automatic retries after failed refreshes. */
export const MAX_RETRY_LATER_MS = 60 * 60_000

/** The summary of a record: every field except input and refresh bookkeeping. */
export function toSummary(record: ConnectionRecord): ConnectionSummary {
  return {
    connectionId: record.connectionId,
    connectorKey: record.connectorKey,
    // Records stored before options existed have no field.
    authOption: record.authOption ?? null,
    tenant: record.tenant,
    status: record.status,
    lastError: record.lastError,
    testResult: record.testResult,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    lastRefreshedAt: record.lastRefreshedAt,
    expiresAt: record.expiresAt,
    // Records stored before accounts were kept have neither field.
    accountLabel: record.accountLabel ?? null,
    accountId: record.accountId ?? null,
  }
}

/** The account `record` holds, or `null` when it names none. */
export function accountOfRecord(record: ConnectionRecord): ConnectionAccount | null {
  const id = record.accountId ?? null
  const label = record.accountLabel ?? null
  return id === null && label === null ? null : { id, label }
}

/** `record` connected as `account` (`null`: no account known). */
export function withAccount(record: ConnectionRecord, account: ConnectionAccount | null): ConnectionRecord {
  return { ...record, accountId: account?.id ?? null, accountLabel: account?.label ?? null }
}

/**
 * `credentials.expires_at` in ms since epoch, else `null`. A connector's own method may have
 * stored it in seconds (the provider's spelling): `normalizeExpiresAt` reads it either way.
 */
export function expiresAtOf(credentials: Record<string, unknown>): number | null {
  return normalizeExpiresAt(credentials['expires_at'])
}

/**
 * When to refresh credentials that expire at `expiresAt`: `REFRESH_AHEAD_MS` before expiry,
 * or halfway through the remaining lifetime when that is shorter (so short-lived tokens are
 * not refreshed on every access). `null` when the expiry is unknown: refresh then happens on
 * a 401 or when forced.
 */
export function refreshDueAt(expiresAt: number | null, now: number): number | null {
  if (expiresAt === null) return null
  const ahead = Math.min(REFRESH_AHEAD_MS, Math.max(0, (expiresAt - now) / 2))
  return Math.floor(expiresAt - ahead)
}

/**
 * When the alarm for a refresh due at `refreshAt` fires: then, but never sooner than
 * `MIN_REFRESH_INTERVAL_MS` from now, so a due time in the past (a refresh that could not
 * start, a provider granting seconds-long tokens) cannot make the alarm loop, and never later
 * than `MAX_ALARM_AHEAD_MS` from now, so any stored expiry is a time an alarm can be set for.
 */
export function alarmTimeFor(refreshAt: number, now: number): number {
  return Math.min(Math.max(refreshAt, now + MIN_REFRESH_INTERVAL_MS), now + MAX_ALARM_AHEAD_MS)
}

/** When to try again after `failures` failed refreshes in a row, not before `notBefore`. */
export function retryLaterAt(failures: number, notBefore: number | null, now: number): number {
  const wait = Math.min(MAX_RETRY_LATER_MS, RETRY_LATER_MS * 2 ** Math.max(0, failures - 1))
  return Math.max(now + wait, notBefore ?? 0)
}

/** Whether credentials with this expiry must not be handed out any more. */
export function isExpired(expiresAt: number | null, now: number): boolean {
  return expiresAt !== null && now >= expiresAt
}
