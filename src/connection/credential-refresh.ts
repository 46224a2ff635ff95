/**
 * One refresh of a connection's credentials, retries included: the refresh_token grant
 * (RFC 6749 section 6) through the shared token-request primitives, or the connector's own
 * refreshCredentials. Returns a result; the connection object decides what to store.
 * Never called directly: the connection serializes refreshes (`ConnectionRefresh`, connection-refresh.ts).
 */
import { discoveredOAuthConfig, type DiscoveredAuthorization } from '../discovery/discovered-authorization.ts'
import type { ClientIdentity } from '../registration/client-identity.ts'
import { hasMethod, runMethod } from '../registry/registry.ts'
import { connectorContext, type ConnectorContext } from '../registry/connector-context.ts'
import type { CompiledConnector } from '../registry/types.ts'
import { resolveJwksUri, validateRefreshedIdToken } from '../oauth/id-token.ts'
import { fetchIssuerMetadata } from '../oauth/issuer-metadata.ts'
import { resolveOAuthConfig, type OAuthConfig } from '../oauth/oauth-config.ts'
import { registeredOAuthErrorCode } from '../oauth/oauth-error-code.ts'
import { defineField, isCopyableField } from '../oauth/own-fields.ts'
import { sendTokenRequest } from '../oauth/send-token-request.ts'
import {
  expiresInSeconds,
  normalizeExpiresAt,
  processTokenResponse,
  validateTokenFields,
  withTokenExpiry,
  type TokenEndpointFailure,
  type TokenResponse,
} from '../oauth/token-response.ts'
import { isLatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import type { RefreshRetrySettings, Settings } from '../settings.ts'
import { decideRetry, parseRetryAfter } from './retry-policy.ts'

/** How this connection refreshes, if it can. */
export type RefreshPlan = { kind: 'connector_method' } | { kind: 'refresh_grant'; config: OAuthConfig; refreshToken: string } | { kind: 'none'; reason: string }

/** Why a refresh did not produce credentials. */
export type RefreshFailure =
  /** The grant is gone (invalid_grant, invalid_client, unauthorized_client): only the user can fix it. */
  | { kind: 'revoked'; error: string }
  /** Worth trying again later. `notBeforeMs`: a Retry-After the retries could not honour. */
  | { kind: 'transient'; code: 'upstream_unavailable' | 'rate_limited'; detail: string; notBeforeMs: number | null }
  /** Refused for another reason (bad response, other OAuth error, connector method threw). */
  | { kind: 'rejected'; detail: string }

/** The result of `refreshCredentials`. */
export type RefreshOutcome = { ok: true; credentials: Record<string, unknown> } | { ok: false; failure: RefreshFailure }

/** What a refresh works with; clock, sleep and randomness are injected so tests control time. */
export interface RefreshContext {
  connector: CompiledConnector
  settings: Settings
  connectionInput: Record<string, unknown>
  credentials: Record<string, unknown>
  policy: RefreshRetrySettings
  now: () => number
  sleep: (ms: number) => Promise<void>
  random: () => number
}

/** OAuth error codes after which refreshing again cannot succeed. */
const REVOKED_ERRORS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client'])

/**
 * Decides how to refresh: the connector's refreshCredentials when it has one; otherwise, for
 * oauth2, the refresh_token grant, unless the connector says `noRefreshToken` or no refresh
 * token is stored. API keys and OAuth 1.0a tokens (RFC 5849) do not expire: nothing to refresh.
 */
export async function planRefresh(
  connector: CompiledConnector,
  settings: Settings,
  connectionInput: Record<string, unknown>,
  credentials: Record<string, unknown>,
): Promise<RefreshPlan> {
  if (hasMethod(connector, 'refreshCredentials')) return { kind: 'connector_method' }
  if (connector.auth.type === 'client-credentials') return { kind: 'none', reason: 'the connector has no refreshCredentials: typed credentials are used as they are' }
  if (connector.auth.type === 'oauth1') return { kind: 'none', reason: 'OAuth 1.0a access tokens do not expire' }
  if (connector.auth.type === 'oauth2-discovered') return { kind: 'none', reason: 'the connection was stored without what discovery found (planDiscoveredRefresh)' }
  // The same redirect URI the flow used (getOAuthConfig may read it).
  const config = await resolveOAuthConfig(connector, settings, { ...connectorContext(connector, settings, connectionInput), redirectUri: settings.redirectUri })
  if (config.noRefreshToken) return { kind: 'none', reason: 'the connector declares noRefreshToken' }
  const refreshToken = credentials['refresh_token']
  if (typeof refreshToken !== 'string' || refreshToken === '') return { kind: 'none', reason: 'the provider issued no refresh token' }
  return { kind: 'refresh_grant', config, refreshToken }
}

/**
 * How a discovered connection refreshes (auth type `oauth2-discovered`): the refresh_token grant
 * at the token endpoint discovery found, as `client`, with the `resource` (RFC 8707); there is
 * no connector method to run.
 */
export function planDiscoveredRefresh(discovered: DiscoveredAuthorization, client: ClientIdentity, credentials: Record<string, unknown>): RefreshPlan {
  const refreshToken = credentials['refresh_token']
  if (typeof refreshToken !== 'string' || refreshToken === '') return { kind: 'none', reason: 'the authorization server issued no refresh token' }
  return { kind: 'refresh_grant', config: discoveredOAuthConfig(discovered, client), refreshToken }
}

/**
 * Runs the plan. The grant is retried on network errors, timeouts, 5xx and 429 within the
 * policy (honouring Retry-After); a connector method runs once. On success the credentials
 * are the old ones merged with the new fields (`mergeRefreshedCredentials`).
 */
export async function refreshCredentials(plan: Exclude<RefreshPlan, { kind: 'none' }>, context: RefreshContext): Promise<RefreshOutcome> {
  if (plan.kind === 'connector_method') return runConnectorRefresh(context)
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await requestRefreshGrant(plan, context)
    if (outcome.ok || outcome.failure.kind !== 'transient') return outcome
    const decision = decideRetry(context.policy, attempt, outcome.retryAfterMs, context.random)
    if (!decision.retry) return { ok: false, failure: { ...outcome.failure, notBeforeMs: decision.notBeforeMs } }
    await context.sleep(decision.delayMs)
  }
}

type GrantAttempt = { ok: true; credentials: Record<string, unknown> } | { ok: false; failure: RefreshFailure; retryAfterMs: number | null }

async function requestRefreshGrant(plan: Extract<RefreshPlan, { kind: 'refresh_grant' }>, context: RefreshContext): Promise<GrantAttempt> {
  const sent = await sendTokenRequest(plan.config, { grant_type: 'refresh_token', refresh_token: plan.refreshToken }, context.policy.requestTimeoutMs)
  if (!sent.ok) {
    const detail = sent.timedOut ? `no answer within ${context.policy.requestTimeoutMs} ms` : 'the request failed on the network'
    return { ok: false, failure: { kind: 'transient', code: 'upstream_unavailable', detail, notBeforeMs: null }, retryAfterMs: null }
  }
  const { response } = sent
  const now = context.now()
  const retryAfterMs = parseRetryAfter(response.headers.get('Retry-After'), now)
  let result: Awaited<ReturnType<typeof processTokenResponse>>
  try {
    result = await processTokenResponse(response, now)
  } catch {
    // The body stream broke or timed out half-way.
    return { ok: false, failure: { kind: 'transient', code: 'upstream_unavailable', detail: 'the response body could not be read', notBeforeMs: null }, retryAfterMs }
  }
  if (!result.ok) return { ok: false, failure: classifyTokenFailure(result.failure), retryAfterMs }
  let tokens: TokenResponse
  try {
    tokens = await checkRefreshedIdToken(result.tokens, plan.config, context)
  } catch (error) {
    if (!isLatchkeyError(error)) throw error
    return { ok: false, failure: { kind: 'rejected', detail: error.message }, retryAfterMs: null }
  }
  return applyRefreshResponse(tokens, context)
}

/**
 * OIDC Core 12.2: an id_token in a refresh response replaces the stored one only when the
 * connector declares its issuer and the token passes `validateRefreshedIdToken` against the
 * stored id_token (a failure refuses the whole response). Without a declared issuer, or
 * without a stored id_token to compare with, it is dropped and the stored one stays.
 */
async function checkRefreshedIdToken(tokens: TokenResponse, config: OAuthConfig, context: RefreshContext): Promise<TokenResponse> {
  const { id_token: idToken, ...withoutIdToken } = tokens
  if (idToken === undefined) return tokens
  const original = context.credentials['id_token']
  const { issuer } = config
  if (issuer === undefined || typeof original !== 'string' || original === '') return withoutIdToken
  const jwksUri = await resolveJwksUri(issuer, config.jwksUri ?? null, () => fetchIssuerMetadata(issuer, context.settings.allowInsecureLoopback))
  await validateRefreshedIdToken(idToken, original, { issuer, clientId: config.clientId, jwksUri }, context.now())
  return tokens
}

/** Maps what the token endpoint said to how refresh reacts (pure; table-tested). */
export function classifyTokenFailure(failure: TokenEndpointFailure): RefreshFailure {
  switch (failure.kind) {
    case 'oauth_error':
      if (REVOKED_ERRORS.has(failure.error)) return { kind: 'revoked', error: failure.error }
      if (failure.status === 429) return transient('rate_limited', `HTTP 429 (${failure.error})`)
      if (failure.status >= 500 || failure.error === 'temporarily_unavailable') return transient('upstream_unavailable', `HTTP ${failure.status} (${failure.error})`)
      return { kind: 'rejected', detail: `the token endpoint answered ${failure.error}` }
    case 'http_error':
      if (failure.status === 429) return transient('rate_limited', 'HTTP 429')
      if (failure.status >= 500 || failure.status === 408) return transient('upstream_unavailable', `HTTP ${failure.status}`)
      return { kind: 'rejected', detail: `the token endpoint answered HTTP ${failure.status}` }
    case 'invalid_response':
      return { kind: 'rejected', detail: `the token response is invalid: ${failure.reason}` }
  }
}

function transient(code: 'upstream_unavailable' | 'rate_limited', detail: string): RefreshFailure {
  return { kind: 'transient', code, detail: `the token endpoint answered ${detail}`, notBeforeMs: null }
}

/** The grant's tokens, through getCredentialsFromRefreshTokenResponse when the connector has it. */
async function applyRefreshResponse(tokens: TokenResponse, context: RefreshContext): Promise<GrantAttempt> {
  const { connector, credentials } = context
  if (!hasMethod(connector, 'getCredentialsFromRefreshTokenResponse')) {
    return { ok: true, credentials: mergeRefreshedCredentials(credentials, tokens, context.now()) }
  }
  try {
    const extracted = await runMethod(connector, 'getCredentialsFromRefreshTokenResponse', {
      ...methodContext(context),
      queryParameters: {},
      request: { query: {} },
      tokenResponse: tokens,
      credentials,
    })
    if (!isRecord(extracted)) return { ok: false, failure: { kind: 'rejected', detail: 'getCredentialsFromRefreshTokenResponse returned no object' }, retryAfterMs: null }
    return { ok: true, credentials: mergeRefreshedCredentials(credentials, withTokenExpiry(extracted, tokens, context.now()), context.now()) }
  } catch (error) {
    if (!isLatchkeyError(error)) throw error
    return { ok: false, failure: { kind: 'rejected', detail: error.message }, retryAfterMs: null }
  }
}

/**
 * The connector's own refresh. Its result is checked like a token response (S11): a carried
 * OAuth `error` is classified as the refresh grant's would be (so invalid_grant means
 * needs_reauth), and otherwise it must bring a new access_token (validateTokenFields), or the
 * merge would keep the old token under a new expiry.
 */
async function runConnectorRefresh(context: RefreshContext): Promise<RefreshOutcome> {
  const { connector, credentials } = context
  let refreshed: unknown
  try {
    refreshed = await runMethod(connector, 'refreshCredentials', { ...methodContext(context), credentials })
  } catch (error) {
    if (!isLatchkeyError(error)) throw error
    return { ok: false, failure: { kind: 'rejected', detail: error.message } }
  }
  if (!isRecord(refreshed)) return { ok: false, failure: { kind: 'rejected', detail: 'refreshCredentials returned no object' } }
  const error = refreshed['error']
  if (typeof error === 'string' && error !== '') {
    return { ok: false, failure: classifyTokenFailure({ kind: 'oauth_error', status: 200, error: registeredOAuthErrorCode(error) }) }
  }
  // Nothing validates an id_token a connector's own refresh returns: the stored one stays (OIDC Core 12.2).
  const { id_token: _unvalidated, ...fields } = refreshed
  // Null and undefined mean "keep the stored value" (the merge), not a malformed field.
  const fresh = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== null))
  const validated = validateTokenFields(fresh, context.now())
  if (!validated.ok) return { ok: false, failure: classifyTokenFailure(validated.failure) }
  return { ok: true, credentials: mergeRefreshedCredentials(credentials, validated.tokens, context.now()) }
}

/**
 * The seed's merge: the new fields over the old credentials. Missing (or null) fields keep
 * their old value, so a response without refresh_token keeps the old refresh token.
 * `expires_at` is recomputed: from the new `expires_at` (seconds or ms), else from a new `expires_in`, else
 * dropped (the old one described the old token). Fields are defined, never assigned, and
 * `__proto__` is never copied (own-fields.ts).
 */
export function mergeRefreshedCredentials(old: Record<string, unknown>, fresh: Record<string, unknown>, now: number): Record<string, unknown> {
  const merged: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(old)) if (isCopyableField(name)) defineField(merged, name, value)
  for (const [name, value] of Object.entries(fresh)) if (isCopyableField(name) && value !== undefined && value !== null) defineField(merged, name, value)
  const expiresAt = Object.hasOwn(fresh, 'expires_at') ? normalizeExpiresAt(fresh['expires_at']) : null
  const expiresIn = Object.hasOwn(fresh, 'expires_in') ? expiresInSeconds(fresh['expires_in']) : null
  if (expiresAt !== null) defineField(merged, 'expires_at', expiresAt)
  else if (expiresIn !== null) defineField(merged, 'expires_at', now + expiresIn * 1000)
  else delete merged['expires_at']
  return merged
}

/**
 * The connector context of a method run during the refresh, built where the method runs so
 * that a missing connector parameter fails that method (a refused refresh) as it always has.
 */
function methodContext(context: RefreshContext): ConnectorContext {
  return connectorContext(context.connector, context.settings, context.connectionInput)
}
