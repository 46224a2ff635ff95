/**
 * Trust boundary: validates what a token endpoint answered (RFC 6749 sections 5.1 and 5.2,
 * S11) before anything is stored. Pure apart from reading the body; takes `now`. Nothing the
 * server wrote is repeated in a failure except a registered error code (S13).
 */
import { isRecord } from '../is-record.ts'
import { readLimitedText } from '../limited-body.ts'
import { registeredOAuthErrorCode } from './oauth-error-code.ts'
import { copyFields, isCopyableField } from './own-fields.ts'

/** A validated token endpoint response: the whole object is kept, plus `expires_at`. */
export interface TokenResponse {
  access_token: string
  token_type?: string
  /** As sent (number or numeric string). */
  expires_in?: number | string
  /** Milliseconds since epoch, computed from `expires_in` when present. */
  expires_at?: number
  refresh_token?: string
  scope?: string | string[]
  id_token?: string
  [field: string]: unknown
}

/** Why a token endpoint response was refused. */
export type TokenEndpointFailure =
  /** An RFC 6749 error body (e.g. invalid_grant). Only a registered code is kept (else `unrecognized_error`), never the description. */
  | { kind: 'oauth_error'; status: number; error: string }
  /** 5xx, 429 or another non-2xx without an OAuth error body. */
  | { kind: 'http_error'; status: number; retryAfter: string | null }
  /** An S11 violation: no access_token, HTML body, wrong token_type... */
  | { kind: 'invalid_response'; reason: string }

/** The outcome of `processTokenResponse`. */
export type TokenEndpointResult = { ok: true; tokens: TokenResponse } | { ok: false; failure: TokenEndpointFailure }

/** Token responses bigger than this are refused unread (S18). */
export const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024

/** Longest token lifetime accepted (10 years): a longer `expires_in` is refused, so every expiry is a time an alarm can be set for (S18). */
export const MAX_EXPIRES_IN_SECONDS = 10 * 365 * 24 * 3600

/**
 * Validates a token endpoint response (S11): 2xx; a JSON object, or form-encoded where the
 * server sends that; non-empty string `access_token`; `token_type` bearer (any case) when
 * present; `expires_in` a number or numeric string, turned into `expires_at = now +
 * expires_in * 1000` (at most `MAX_EXPIRES_IN_SECONDS`); `refresh_token`/`id_token` strings and
 * `scope` a string (or array of strings) when present. An error body (`error` field, any status)
 * yields `oauth_error`. A `__proto__` key in the body is dropped (own-fields.ts).
 */
export async function processTokenResponse(response: Response, now: number): Promise<TokenEndpointResult> {
  const text = await readLimitedText(response, MAX_TOKEN_RESPONSE_BYTES)
  if (text === null) return invalid(`body is larger than ${MAX_TOKEN_RESPONSE_BYTES} bytes`)
  const body = parseBody(text, response.headers.get('Content-Type'))

  const errorCode = body.kind === 'object' ? body.value['error'] : undefined
  if (typeof errorCode === 'string' && errorCode !== '') {
    return { ok: false, failure: { kind: 'oauth_error', status: response.status, error: registeredOAuthErrorCode(errorCode) } }
  }
  if (response.status < 200 || response.status > 299) {
    return { ok: false, failure: { kind: 'http_error', status: response.status, retryAfter: response.headers.get('Retry-After') } }
  }
  if (body.kind !== 'object') return invalid(body.reason)
  return validateTokenFields(body.value, now)
}

/** Validates the fields of a parsed 2xx token response (pure); the result is a copy without `__proto__`. */
export function validateTokenFields(fields: Record<string, unknown>, now: number): TokenEndpointResult {
  const accessToken = fields['access_token']
  if (typeof accessToken !== 'string' || accessToken === '') return invalid('access_token is missing or not a non-empty string')

  // Any string is stored (Slack's `bot`, `BEARER`...): makeApiClient writes the Authorization header, Latchkey never reads it.
  const tokenType = fields['token_type']
  if (tokenType !== undefined && tokenType !== null && typeof tokenType !== 'string') return invalid('token_type is not a string')
  for (const field of ['refresh_token', 'id_token'] as const) {
    const value = fields[field]
    if (value !== undefined && (typeof value !== 'string' || value === '')) return invalid(`${field} is not a non-empty string`)
  }
  const scope = fields['scope']
  if (scope !== undefined && typeof scope !== 'string' && !(Array.isArray(scope) && scope.every((item) => typeof item === 'string'))) {
    return invalid('scope is not a string')
  }

  const tokens = copyFields(fields) as TokenResponse
  tokens.access_token = accessToken
  const expiresIn = fields['expires_in']
  if (expiresIn !== undefined && expiresIn !== null) {
    const seconds = expiresInSeconds(expiresIn)
    if (seconds === null) return invalid(`expires_in is not a number of seconds up to ${MAX_EXPIRES_IN_SECONDS} (10 years)`)
    tokens.expires_at = now + seconds * 1000
  } else if (fields['expires_at'] !== undefined && fields['expires_at'] !== null) {
    const expiresAt = normalizeExpiresAt(fields['expires_at'])
    if (expiresAt === null) return invalid('expires_at is not a time in seconds or milliseconds since the epoch')
    tokens.expires_at = expiresAt
  }
  return { ok: true, tokens }
}

/**
 * Below this, an `expires_at` is in seconds since the epoch (as Strava sends it), not in
 * milliseconds (as Latchkey stores it): 10^11 ms is March 1973, 10^11 s is the year 5138.
 */
const SECONDS_EXPIRY_LIMIT = 100_000_000_000

/**
 * An `expires_at` in milliseconds since the epoch: numbers (or numeric strings) below
 * `SECONDS_EXPIRY_LIMIT` are read as seconds. `null` for anything that is not a positive
 * finite time.
 */
export function normalizeExpiresAt(value: unknown): number | null {
  const number = typeof value === 'string' && /^\d{1,16}$/.test(value.trim()) ? Number(value.trim()) : value
  if (typeof number !== 'number' || !Number.isFinite(number) || number <= 0) return null
  return number < SECONDS_EXPIRY_LIMIT ? number * 1000 : number
}

type ParsedBody = { kind: 'object'; value: Record<string, unknown> } | { kind: 'unreadable'; reason: string }

function parseBody(text: string, contentType: string | null): ParsedBody {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (mediaType === 'text/html' || /^\s*</.test(text)) return { kind: 'unreadable', reason: 'body is HTML, not a token response' }
  if (mediaType === 'application/x-www-form-urlencoded') return parseForm(text)
  if (mediaType === 'application/json' || mediaType.endsWith('+json') || /^\s*[{[]/.test(text)) return parseJson(text)
  // Some servers send form-encoded tokens as text/plain (GitHub without Accept, old Facebook).
  if (/(^|&)(access_token|error)=/.test(text)) return parseForm(text)
  // The Content-Type value is the server's text too: not repeated.
  return { kind: 'unreadable', reason: `body is neither JSON nor form-encoded${mediaType === '' ? ' and has no Content-Type' : ''}` }
}

function parseJson(text: string): ParsedBody {
  let value: unknown
  try {
    // A reviver that answers undefined deletes the key: no `__proto__` survives at any depth.
    value = JSON.parse(text, (key: string, item: unknown) => (isCopyableField(key) ? item : undefined))
  } catch {
    return { kind: 'unreadable', reason: 'body is not valid JSON' }
  }
  if (!isRecord(value)) return { kind: 'unreadable', reason: 'body is not a JSON object' }
  return { kind: 'object', value }
}

function parseForm(text: string): ParsedBody {
  const value: Record<string, unknown> = {}
  for (const [name, item] of new URLSearchParams(text.trim())) {
    if (!isCopyableField(name)) continue
    if (Object.hasOwn(value, name)) return { kind: 'unreadable', reason: 'form body repeats a field' }
    value[name] = item
  }
  return { kind: 'object', value }
}

/**
 * `expires_in` in seconds: a finite non-negative number or a numeric string, at most
 * `MAX_EXPIRES_IN_SECONDS`; `null` for anything else.
 */
export function expiresInSeconds(value: unknown): number | null {
  let seconds: number | null = null
  if (typeof value === 'number') seconds = Number.isFinite(value) && value >= 0 ? value : null
  else if (typeof value === 'string' && /^\d{1,12}$/.test(value.trim())) seconds = Number(value.trim())
  return seconds !== null && seconds <= MAX_EXPIRES_IN_SECONDS ? seconds : null
}

function invalid(reason: string): TokenEndpointResult {
  return { ok: false, failure: { kind: 'invalid_response', reason } }
}

/**
 * Credentials a connector's getCredentialsFrom…TokenResponse made from `tokens`, with a
 * usable expiry: its own `expires_at` (seconds or ms), else its `expires_in` from `now`, else
 * the token response's. A connector that keeps `expires_in` but not `expires_at` (or neither)
 * must not make the token look as if it never expired: it would never be refreshed ahead of time.
 */
export function withTokenExpiry(credentials: Record<string, unknown>, tokens: TokenResponse, now: number): Record<string, unknown> {
  const own = normalizeExpiresAt(credentials['expires_at'])
  const inSeconds = own === null && credentials['expires_in'] !== undefined && credentials['expires_in'] !== null ? expiresInSeconds(credentials['expires_in']) : null
  const expiresAt = own ?? (inSeconds !== null ? now + inSeconds * 1000 : (tokens.expires_at ?? null))
  return expiresAt === null ? credentials : { ...credentials, expires_at: expiresAt }
}
