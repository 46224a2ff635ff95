/**
 * The callback: from the provider's redirect to a stored, tested connection. Every check on
 * state (S2), browser binding, issuer (S6) and `error=` (S7) happens before any token request;
 * an id_token is stored only once validated (S17). With the user verifier on (S21), the code
 * is exchanged only after the application confirmed (user-verification.ts): the callback then
 * ends in a redirect to the application's verify URL, and `completeVerifiedAuthorization`
 * finishes the flow when the browser comes back.
 */
import { accountFromIdToken, type ConnectionAccount } from '../connection/connection-account.ts'
import type { ConnectionSummary } from '../connection/connection-record.ts'
import { newConnectionId } from '../connection-id.ts'
import { LatchkeyError, isLatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import { resolveJwksUri, validateIdToken } from '../oauth/id-token.ts'
import { fetchIssuerMetadata, type IssuerMetadataResult } from '../oauth/issuer-metadata.ts'
import { resolveOAuthConfig } from '../oauth/oauth-config.ts'
import { discoveredOAuthConfig } from '../discovery/discovered-authorization.ts'
import { currentClient } from '../registration/client-identity.ts'
import { reportInvalidClientQuietly } from '../registration/report-invalid-client.ts'
import { isInvalidClient } from './exchange-code.ts'
import { withTokenExpiry, type TokenResponse } from '../oauth/token-response.ts'
import { connectorWithAuthOption } from '../registry/auth-option.ts'
import { connectorContext, type ConnectorContext } from '../registry/connector-context.ts'
import { hasMethod, runMethod } from '../registry/registry.ts'
import type { CompiledConnector } from '../registry/types.ts'
import { readSettings, type Settings } from '../settings.ts'
import type { Background } from './background.ts'
import { isBoundBrowser } from './browser-binding.ts'
import { isWellFormedState, type CallbackQuery } from './callback-query.ts'
import { storeAndTestConnection } from './connection-handoff.ts'
import { exchangeCode } from './exchange-code.ts'
import { claimFlowCompletion } from './flow-claim.ts'
import { loadPendingAuthorization, type FlowOrigin, type PendingAuthorization } from './pending-authorization.ts'
import { connectorFor } from './start-authorization.ts'
import { beginUserVerification, type UserVerificationStart } from './user-verification.ts'

/** How a flow whose state was accepted ended (any auth type): the flow ending reports it to the app. */
export type CallbackOutcome = { ok: true; record: FlowOrigin; summary: ConnectionSummary } | { ok: false; record: FlowOrigin; error: LatchkeyError; providerError: string | null }

/** What the callback leads to: the flow's end, or (user verifier on) the application's verify page. */
export type CallbackStep = { ended: CallbackOutcome } | { verifyUser: UserVerificationStart }

/**
 * Validates the callback's state against the pending authorization and claims it (with the
 * connect URL's jti, S15), then finishes the flow (or hands it to the user verifier, whose
 * parked callback `background` copies, pending-store.ts). Throws (so the caller shows an error
 * page) while the state is not trusted; once it is, failures come back as an outcome for the
 * app's return URL.
 */
export async function completeAuthorization(env: Env, query: CallbackQuery, cookieHeader: string | null, now: number, background: Background): Promise<CallbackStep> {
  const record = await acceptState(env, query, cookieHeader, now)
  const settings = readSettings(env)
  try {
    const issuer = declaredIssuer(settings, record)
    const code = await checkAuthorizationResponse(issuer, query)
    const verifier = settings.userVerification
    if (verifier !== null) return { verifyUser: await beginUserVerification(env, settings, verifier, record, query, now, background) }
    return { ended: { ok: true, record, summary: await finish(env, settings, record, issuer, query, code, now) } }
  } catch (error) {
    return { ended: failedOutcome(record, query, error) }
  }
}

/**
 * Finishes a flow the application confirmed (user-verification.ts `acceptVerifiedReturn`): the
 * code exchange and everything after it, as at the callback.
 */
export async function completeVerifiedAuthorization(env: Env, record: PendingAuthorization, query: CallbackQuery, now: number): Promise<CallbackOutcome> {
  const settings = readSettings(env)
  try {
    // The issuer was checked at the callback; the parked callback is checked again for a code.
    const code = await checkAuthorizationResponse(null, query)
    return { ok: true, record, summary: await finish(env, settings, record, declaredIssuer(settings, record), query, code, now) }
  } catch (error) {
    return failedOutcome(record, query, error)
  }
}

function failedOutcome(record: PendingAuthorization, query: CallbackQuery, error: unknown): CallbackOutcome {
  const failure = isLatchkeyError(error) ? error : unexpected(error)
  // A callback from another issuer (mix-up) carries nothing to act on or show, its `error` included (MCP 2026-07-28, RFC 9207).
  return { ok: false, record, error: failure, providerError: failure.code === 'issuer_mismatch' ? null : query.error }
}

/**
 * S2: a known, unexpired state, presented by the browser that started the flow, used once.
 * S15: claimed together with the jti of the one-time connect URL the flow started from, so a
 * second flow from that URL (another browser) is refused here, before any token request. With
 * the user verifier on, this is the claim too: the verified return claims only its own flow id.
 */
async function acceptState(env: Env, query: CallbackQuery, cookieHeader: string | null, now: number): Promise<PendingAuthorization> {
  const { state } = query
  if (state === null || state === '') {
    throw new LatchkeyError('state_missing', 'The callback has no state parameter. Start the connection again from the application.')
  }
  const unknown = new LatchkeyError('state_unknown', 'This authorization is unknown or was cleaned up. Start the connection again from the application.')
  if (!isWellFormedState(state)) throw unknown
  const record = await loadPendingAuthorization(env, state)
  if (record === null) throw unknown
  if (now >= record.expiresAt) {
    throw new LatchkeyError('state_expired', 'This authorization took longer than 10 minutes and expired. Start the connection again.')
  }
  if (!(await isBoundBrowser(cookieHeader, state, record.browserBindingHash))) {
    throw new LatchkeyError('state_browser_mismatch', 'This authorization was started in another browser (or its cookie was blocked). Start the connection again in this browser.')
  }
  await claimFlowCompletion(
    env,
    { value: state, notAfter: record.expiresAt, token: record.connectToken },
    () => new LatchkeyError('state_reused', 'This authorization was already completed. Start the connection again to reconnect.'),
  )
  return record
}

/** S6, S7: the callback came from the right issuer and carries a code, not an error; returns the code. */
async function checkAuthorizationResponse(issuer: DeclaredIssuer | null, query: CallbackQuery): Promise<string> {
  if (issuer !== null) await confirmIssuer(issuer, query.iss)
  if (query.error === 'access_denied') throw new LatchkeyError('provider_denied', 'Access was denied at the provider: the user did not approve the connection.')
  if (query.error !== null) throw new LatchkeyError('provider_error', `The provider answered the authorization with the error "${query.error}".`)
  if (query.code === null || query.code === '') throw new LatchkeyError('code_missing', 'The callback carries neither a code nor an error.')
  return query.code
}

/** The code exchange and what follows it: a checked callback (`checkAuthorizationResponse`) becomes a stored, tested connection. */
async function finish(
  env: Env,
  settings: Settings,
  record: PendingAuthorization,
  issuer: DeclaredIssuer | null,
  query: CallbackQuery,
  code: string,
  now: number,
): Promise<ConnectionSummary> {
  const connector = connectorWithAuthOption(connectorFor(record.connectorKey), record.authOption ?? null)
  // One context for every method of this callback: the connector's parameters are read once.
  const context = connectorContext(connector, settings, record.connectionInput)
  const discovered = record.discovered ?? null
  const resolved =
    discovered === null
      ? await resolveOAuthConfig(connector, settings, { ...context, redirectUri: record.redirectUri })
      : discoveredOAuthConfig(discovered, await currentClient(env, discovered.issuer, discovered.client))
  // S6: the token endpoint and issuer are the ones resolved when the flow started.
  const config = { ...resolved, tokenUri: record.tokenUri }
  const exchanged = await exchangeCode({
    connector,
    config,
    record,
    code,
    context,
    callbackParameters: query.parameters,
    timeoutMs: settings.tokenRequestTimeoutMs,
    now,
  }).catch(async (error: unknown) => {
    // The authorization server forgot Latchkey's registration: the next connect registers again.
    if (discovered === null || !isInvalidClient(error)) throw error
    await reportInvalidClientQuietly(env, discovered)
    throw new LatchkeyError(
      'token_exchange_failed',
      "The authorization server no longer accepts Latchkey's client (invalid_client); the next connection registers a new one: connect again.",
      { cause: error },
    )
  })
  // A discovered connection keeps no id_token: nothing was configured to validate one against (S17).
  const { tokens, account } = await keepValidatedIdToken(exchanged, record, discovered === null ? issuer : null, config.clientId, now)
  const credentials = await credentialsFrom(connector, tokens, context, query, now)
  return storeAndTestConnection(
    env,
    {
      connectionId: record.connectionId ?? newConnectionId(),
      connectorKey: record.connectorKey,
      authOption: record.authOption ?? null,
      tenant: record.tenant,
      connectionInput: record.connectionInput,
      credentials,
      discovered,
    },
    account,
  )
}

/** The issuer the connector declared when the flow started, and its discovery document (read at most once per callback). */
interface DeclaredIssuer {
  issuer: string
  metadata: () => Promise<IssuerMetadataResult>
}

function declaredIssuer(settings: Settings, record: PendingAuthorization): DeclaredIssuer | null {
  const { issuer, discovered } = record
  if (issuer === null) return null
  // A discovered issuer's metadata was read and checked at the start: its word on `iss` is kept.
  if (discovered) {
    const known: IssuerMetadataResult = { ok: true, metadata: { jwksUri: null, issParameterSupported: discovered.issParameterSupported } }
    return { issuer, metadata: () => Promise.resolve(known) }
  }
  let metadata: Promise<IssuerMetadataResult> | null = null
  return { issuer, metadata: () => (metadata ??= fetchIssuerMetadata(issuer, settings.allowInsecureLoopback)) }
}

/**
 * S6, RFC 9207 section 2.4: with a declared issuer, a callback `iss` that differs is refused;
 * a missing `iss` is refused when the issuer's discovery document advertises
 * `authorization_response_iss_parameter_supported`, or cannot be read to tell (fail closed).
 */
async function confirmIssuer({ issuer, metadata }: DeclaredIssuer, iss: string | null): Promise<void> {
  if (iss === issuer) return
  if (iss !== null) throw new LatchkeyError('issuer_mismatch', `The callback did not come from ${issuer} (its iss differs). Start the connection again.`)
  const result = await metadata()
  if (!result.ok) {
    throw new LatchkeyError(
      'issuer_mismatch',
      `The callback carries no iss, and the discovery document of ${issuer} ${result.reason}, so Latchkey cannot tell whether ${issuer} promises iss (RFC 9207). Start the connection again.`,
    )
  }
  if (result.metadata.issParameterSupported) {
    throw new LatchkeyError('issuer_mismatch', `The callback carries no iss although ${issuer} sends it with every authorization response (RFC 9207). Start the connection again.`)
  }
}

/**
 * S17: an id_token is kept only when `openid` was requested, the connector declares its issuer
 * and the token passes validateIdToken (a failure refuses the connection). Any other id_token
 * is dropped before connector methods see the tokens: the connection is stored without it.
 * The account (who is connected) is read from the validated claims only, never from an
 * id_token that was dropped.
 */
async function keepValidatedIdToken(
  tokens: TokenResponse,
  record: PendingAuthorization,
  declared: DeclaredIssuer | null,
  clientId: string,
  now: number,
): Promise<{ tokens: TokenResponse; account: ConnectionAccount | null }> {
  const { id_token: idToken, ...withoutIdToken } = tokens
  if (idToken === undefined) return { tokens, account: null }
  if (declared === null || !record.scopes.includes('openid')) return { tokens: withoutIdToken, account: null }
  const jwksUri = await resolveJwksUri(declared.issuer, record.jwksUri, declared.metadata)
  const claims = await validateIdToken(idToken, { issuer: declared.issuer, clientId, jwksUri }, now)
  return { tokens, account: accountFromIdToken(claims) }
}

/** getCredentialsFromAccessTokenResponse (mapping or JavaScript) with the token's expiry kept, or the token response itself. */
async function credentialsFrom(
  connector: CompiledConnector,
  tokens: TokenResponse,
  context: ConnectorContext,
  query: CallbackQuery,
  now: number,
): Promise<Record<string, unknown>> {
  if (!hasMethod(connector, 'getCredentialsFromAccessTokenResponse')) return tokens
  const { code: _code, state: _state, ...rest } = query.parameters
  const credentials = await runMethod(connector, 'getCredentialsFromAccessTokenResponse', {
    ...context,
    queryParameters: rest,
    request: { query: rest },
    tokenResponse: tokens,
  })
  if (!isRecord(credentials)) {
    throw new LatchkeyError('connector_method_failed', `getCredentialsFromAccessTokenResponse of connector "${connector.key}" must return an object.`)
  }
  return withTokenExpiry(credentials, tokens, now)
}

/** An unexpected error after the state was accepted: logged without its message (it may quote a secret). */
function unexpected(error: unknown): LatchkeyError {
  console.error('latchkey: unexpected error while completing an authorization', error instanceof Error ? error.name : typeof error)
  return new LatchkeyError('internal_error', 'Latchkey failed unexpectedly while completing the connection. Try again; see the Worker logs.', { cause: error })
}
