/**
 * The OAuth 1.0a callback (RFC 5849 section 2.2, S23): the provider sends the browser back to
 * the one fixed callback with `oauth_token` (the request token) and `oauth_verifier`, and no
 * `state`. The request token plays the state's part: a known, unexpired flow, presented by the
 * browser that started it, used once; every check happens before any token request and a
 * refusal is thrown (an error page), like `acceptState` for OAuth2 (S2). Once accepted,
 * failures come back as an outcome for the application's return URL.
 */
import type { ConnectionSummary } from '../connection/connection-record.ts'
import { newConnectionId } from '../connection-id.ts'
import { LatchkeyError, isLatchkeyError } from '../errors.ts'
import { isRecord } from '../is-record.ts'
import { resolveOAuth1Config } from '../oauth1/oauth1-config.ts'
import { requestTokenCredentials } from '../oauth1/token-requests.ts'
import type { OAuth1TokenResponse } from '../oauth1/token-response.ts'
import { connectorWithAuthOption } from '../registry/auth-option.ts'
import { connectorContext, type ConnectorContext } from '../registry/connector-context.ts'
import { hasMethod, runMethod } from '../registry/registry.ts'
import type { CompiledConnector } from '../registry/types.ts'
import { readSettings } from '../settings.ts'
import { clearBindingCookie, isBoundBrowser } from './browser-binding.ts'
import type { CallbackOutcome } from './complete-authorization.ts'
import { storeAndTestConnection } from './connection-handoff.ts'
import { claimFlowCompletion } from './flow-claim.ts'
import { loadOAuth1PendingAuthorization, MAX_REQUEST_TOKEN_LENGTH, oauth1ClaimValue, oauth1FlowId, type OAuth1PendingAuthorization } from './oauth1-pending-authorization.ts'
import { parseUniqueQuery } from './query-string.ts'
import { connectorFor } from './start-authorization.ts'

/**
 * Whether a callback's parameters (parsed, each once) are an OAuth 1.0a callback: no `state`,
 * and the request token as `oauth_token`, or as `denied` (how Twitter/X reports a refusal).
 */
export function isOAuth1Callback(parameters: Record<string, string>): boolean {
  if (Object.hasOwn(parameters, 'state')) return false
  return Object.hasOwn(parameters, 'oauth_token') || Object.hasOwn(parameters, 'denied')
}

/**
 * Accepts the callback (throws `state_missing`, `state_unknown`, `state_expired`,
 * `state_browser_mismatch`, `state_reused`, or `invalid_connect_token` when another flow from
 * the same one-time connect URL completed first, before any token request), then exchanges the
 * verifier for the access token, stores the credentials (sealed by the connection object) and
 * runs the connector's test. `rawQuery` is the query string without `?`.
 */
export async function completeOAuth1Authorization(env: Env, rawQuery: string, cookieHeader: string | null, now: number): Promise<CallbackOutcome> {
  const parameters = parseUniqueQuery(rawQuery)
  const { record, requestToken } = await acceptRequestToken(env, parameters, cookieHeader, now)
  try {
    if (Object.hasOwn(parameters, 'denied')) {
      return {
        ok: false,
        record,
        error: new LatchkeyError('provider_denied', 'Access was denied at the provider: the user did not approve the connection.'),
        providerError: 'access_denied',
      }
    }
    const verifier = parameters['oauth_verifier']
    if (verifier === undefined || verifier === '') {
      throw new LatchkeyError('code_missing', 'The callback carries no oauth_verifier: the provider did not complete the OAuth 1.0a authorization.')
    }
    return { ok: true, record, summary: await finish(env, record, requestToken, verifier, parameters) }
  } catch (error) {
    return { ok: false, record, error: isLatchkeyError(error) ? error : unexpected(error), providerError: null }
  }
}

/**
 * The Set-Cookie value that clears the binding cookie of the OAuth 1.0a flow a callback names
 * (whatever its outcome: the request token is spent or useless), or null when the query names
 * none. For the callback route's cookie-clearing middleware.
 */
export async function oauth1BindingCookieToClear(rawQuery: string): Promise<string | null> {
  let parameters: Record<string, string>
  try {
    parameters = parseUniqueQuery(rawQuery)
  } catch {
    return null
  }
  if (!isOAuth1Callback(parameters)) return null
  const requestToken = parameters['oauth_token'] ?? parameters['denied'] ?? ''
  if (requestToken === '' || requestToken.length > MAX_REQUEST_TOKEN_LENGTH) return null
  return clearBindingCookie(await oauth1FlowId(requestToken))
}

/** S2/S23: a known, unexpired request token, presented by the browser that started the flow, used once. */
async function acceptRequestToken(
  env: Env,
  parameters: Record<string, string>,
  cookieHeader: string | null,
  now: number,
): Promise<{ record: OAuth1PendingAuthorization; requestToken: string }> {
  const requestToken = parameters['oauth_token'] ?? parameters['denied']
  if (requestToken === undefined || requestToken === '') {
    throw new LatchkeyError('state_missing', 'The callback has no oauth_token parameter. Start the connection again from the application.')
  }
  // Twitter/X sends `denied` instead of `oauth_token`; both at once must name one token.
  if (parameters['denied'] !== undefined && parameters['oauth_token'] !== undefined && parameters['denied'] !== parameters['oauth_token']) {
    throw new LatchkeyError('invalid_request', 'The callback names two different request tokens. Start the connection again from the application.')
  }
  const unknown = new LatchkeyError('state_unknown', 'This authorization is unknown or was cleaned up. Start the connection again from the application.')
  if (requestToken.length > MAX_REQUEST_TOKEN_LENGTH) throw unknown
  const flowId = await oauth1FlowId(requestToken)
  const record = await loadOAuth1PendingAuthorization(env, flowId)
  if (record === null) throw unknown
  if (now >= record.expiresAt) {
    throw new LatchkeyError('state_expired', 'This authorization took longer than 10 minutes and expired. Start the connection again.')
  }
  if (!(await isBoundBrowser(cookieHeader, flowId, record.browserBindingHash))) {
    throw new LatchkeyError('state_browser_mismatch', 'This authorization was started in another browser (or its cookie was blocked). Start the connection again in this browser.')
  }
  // S15: with the jti of the one-time connect URL the flow started from, in one guard call.
  await claimFlowCompletion(
    env,
    { value: oauth1ClaimValue(flowId), notAfter: record.expiresAt, token: record.connectToken },
    () => new LatchkeyError('state_reused', 'This authorization was already completed. Start the connection again to reconnect.'),
  )
  return { record, requestToken }
}

/** The access-token request and what follows it: an accepted callback becomes a stored, tested connection. */
async function finish(env: Env, record: OAuth1PendingAuthorization, requestToken: string, verifier: string, parameters: Record<string, string>): Promise<ConnectionSummary> {
  const settings = readSettings(env)
  const connector = connectorWithAuthOption(connectorFor(record.connectorKey), record.authOption)
  const context = connectorContext(connector, settings, record.connectionInput)
  // The consumer secret is never stored with the flow: it is read again from the Worker's variables.
  const config = await resolveOAuth1Config(connector, settings, { ...context, redirectUri: settings.redirectUri })
  const tokens = await requestTokenCredentials(
    config,
    // S6: the token endpoint is the one resolved when the flow started.
    record.tokenUri,
    { token: requestToken, secret: record.requestTokenSecret },
    verifier,
    settings.tokenRequestTimeoutMs,
  )
  const credentials = await credentialsFrom(connector, tokens, context, parameters)
  // OAuth 1.0a has no id_token: who is connected comes from the connector's test, if anywhere.
  return storeAndTestConnection(env, {
    connectionId: record.connectionId ?? newConnectionId(),
    connectorKey: record.connectorKey,
    tenant: record.tenant,
    connectionInput: record.connectionInput,
    credentials,
    authOption: record.authOption,
  })
}

/**
 * getCredentialsFromAccessTokenResponse (mapping or JavaScript) when the connector has one, else
 * the access-token response itself. `oauth_token` and `oauth_token_secret` are always kept as
 * the provider sent them: every API request is signed with them.
 */
async function credentialsFrom(
  connector: CompiledConnector,
  tokens: OAuth1TokenResponse,
  context: ConnectorContext,
  parameters: Record<string, string>,
): Promise<Record<string, unknown>> {
  if (!hasMethod(connector, 'getCredentialsFromAccessTokenResponse')) return { ...tokens }
  // The request token and verifier are spent; the connector sees the callback's other parameters.
  const { oauth_token: _token, oauth_verifier: _verifier, ...rest } = parameters
  const credentials = await runMethod(connector, 'getCredentialsFromAccessTokenResponse', {
    ...context,
    queryParameters: rest,
    request: { query: rest },
    tokenResponse: tokens,
  })
  if (!isRecord(credentials)) {
    throw new LatchkeyError('connector_method_failed', `getCredentialsFromAccessTokenResponse of connector "${connector.key}" must return an object.`)
  }
  return { ...credentials, oauth_token: tokens.oauth_token, oauth_token_secret: tokens.oauth_token_secret }
}

/** An unexpected error after the callback was accepted: logged without its message (it may quote a secret). */
function unexpected(error: unknown): LatchkeyError {
  console.error('latchkey: unexpected error while completing an OAuth 1.0a authorization', error instanceof Error ? error.name : typeof error)
  return new LatchkeyError('internal_error', 'Latchkey failed unexpectedly while completing the connection. Try again; see the Worker logs.', { cause: error })
}
