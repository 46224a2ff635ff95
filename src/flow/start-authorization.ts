/**
 * The authorize redirect: from a verified connect request to the provider's authorize URL,
 * with a fresh state and PKCE verifier (S1, S4), the pending authorization stored under the
 * state (S3) and the browser bound to it by a cookie (S2).
 *
 * The start spends nothing: a one-time token's `jti` goes into the pending record and is
 * claimed with the flow when it completes (S15, flow-claim.ts). So the start makes no Durable
 * Object round trip (the pending record's copy in its guard shard is written in the
 * background), and a link scanner that opens the URL does not burn it.
 */
import { LatchkeyError } from '../errors.ts'
import { buildAuthorizeUrl } from '../oauth/authorize-url.ts'
import type { DiscoveredAuthorization } from '../discovery/discovered-authorization.ts'
import { resolveOAuthConfig, type OAuthConfig } from '../oauth/oauth-config.ts'
import { s256CodeChallenge } from '../oauth/pkce.ts'
import { randomToken } from '../random-token.ts'
import { connectorContext } from '../registry/connector-context.ts'
import { getConnector } from '../registry/registry.ts'
import type { CompiledConnector } from '../registry/types.ts'
import { readSettings, type Settings } from '../settings.ts'
import type { Background } from './background.ts'
import { newBrowserBinding } from './browser-binding.ts'
import type { ConnectRequest } from './connect-token.ts'
import { validateConnectionInput, validateFormPrefill } from './connection-input.ts'
import { startCredentialForm } from './credential-form-start.ts'
import { prepareDiscoveredAuthorization } from './start-discovered-authorization.ts'
import { startOAuth1Authorization } from './oauth1-authorization.ts'
import { connectorWithAuthOption } from '../registry/auth-option.ts'
import { assertReconnectable } from './connection-handoff.ts'
import { oneTimeTokenOf } from './one-time-token.ts'
import { PENDING_AUTHORIZATION_TTL_MS, savePendingAuthorization, type PendingAuthorization } from './pending-authorization.ts'
import { checkReturnUrl } from './return-url.ts'

/** Connector keys are kebab-case folder names; anything else is refused before a lookup (S18). */
const CONNECTOR_KEY = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/

/** Where to send the browser next, and the cookie that binds it to this flow. */
export interface AuthorizationStart {
  authorizeUrl: string
  state: string
  setCookie: string
  /** The connector's display name, for the page that may ask first (S21). */
  connectorName: string
}

/** The connector for a key from a URL or an RPC call; `connector_not_found` for unknown or malformed keys. */
export function connectorFor(key: string): CompiledConnector {
  if (!CONNECTOR_KEY.test(key)) throw new LatchkeyError('connector_not_found', 'Connector keys are kebab-case names of at most 64 characters.')
  return getConnector(key)
}

/** A connect request checked against its connector: the connector as its auth option runs it, and the input. */
export interface CheckedConnectRequest {
  /** The connector with the request's auth option applied (auth-option.ts). */
  connector: CompiledConnector
  /**
   * The validated connection input. For typed credentials (client-credentials) it is only what
   * the form starts with: no secret field (it travelled in a URL) and not yet complete.
   */
  connectionInput: Record<string, unknown>
}

/**
 * Checks a connect request against the connector and the deployment: the token's connector
 * restriction, the auth option, the return URL allowlist (S8), popup mode needing a return URL,
 * and the connection input against inputSchema.
 */
export function checkConnectRequest(settings: Settings, baseConnector: CompiledConnector, request: ConnectRequest): CheckedConnectRequest {
  if (request.connectorKey !== null && request.connectorKey !== baseConnector.key) {
    throw new LatchkeyError('invalid_connect_token', `The connect token is for connector "${request.connectorKey}", not "${baseConnector.key}".`)
  }
  const connector = connectorWithAuthOption(baseConnector, request.authOption)
  if (request.returnUrl !== null) checkReturnUrl(request.returnUrl, settings.allowedReturnOrigins)
  if (request.mode === 'popup' && request.returnUrl === null) {
    throw new LatchkeyError('invalid_request', 'Popup mode needs a return URL: its origin is where the result is posted.')
  }
  if (connector.auth.type === 'client-credentials') return { connector, connectionInput: validateFormPrefill(connector, request.connectionInput) }
  return { connector, connectionInput: validateConnectionInput(connector, request.connectionInput) }
}

/** How a connect flow starts for the request's auth type. */
export type ConnectStart =
  /** OAuth2 or OAuth 1.0a: to the provider (perhaps after the S21 question). */
  | ({ kind: 'authorize' } & AuthorizationStart)
  /** Typed credentials: to Latchkey's own form (credential-form.ts). */
  | { kind: 'form'; location: string; setCookie: string }

/**
 * Starts the connect flow of a verified connect request: checks it and starts what the
 * connector's auth type needs, remembering its one-time token (`jti`) for the completion.
 * `background` takes the pending record's copy (pending-store.ts), off the critical path.
 */
export async function startConnection(env: Env, connectorKey: string, request: ConnectRequest, now: number, background: Background): Promise<ConnectStart> {
  const settings = readSettings(env)
  // A misconfigured USER_VERIFY_URL fails here, before the user is sent to the provider.
  void settings.userVerification
  const checked = checkConnectRequest(settings, connectorFor(connectorKey), request)
  if (request.connectionId !== null) await assertReconnectable(env, request.connectionId, request.tenant, checked.connector.key)
  const start = { request, connectionInput: checked.connectionInput, authOption: request.authOption, background }
  switch (checked.connector.auth.type) {
    case 'oauth2': {
      const { connector, connectionInput } = checked
      const authorization = { connector, connectionInput, discovered: null }
      const configFor = (state: string): Promise<OAuthConfig> =>
        resolveOAuthConfig(connector, settings, { ...connectorContext(connector, settings, connectionInput), redirectUri: settings.redirectUri, state })
      return { kind: 'authorize', ...(await startAuthorization(env, settings, authorization, configFor, request, now, background)) }
    }
    case 'oauth2-discovered': {
      const { authorization, config } = await prepareDiscoveredAuthorization(env, settings, checked, request)
      return { kind: 'authorize', ...(await startAuthorization(env, settings, authorization, () => Promise.resolve(config), request, now, background)) }
    }
    case 'oauth1':
      return { kind: 'authorize', ...(await startOAuth1Authorization(env, settings, checked.connector, start, now)) }
    case 'client-credentials':
      // The form resolves the option itself.
      return { kind: 'form', ...(await startCredentialForm(env, settings, connectorFor(connectorKey), start, now)) }
  }
}

/** What an OAuth2 authorization starts with: the connector, the input to store, and for a discovered connection what discovery found. */
export interface AuthorizationToStart {
  connector: CompiledConnector
  connectionInput: Record<string, unknown>
  discovered: DiscoveredAuthorization | null
}

/** OAuth2 (configured or discovered): resolves the configuration for a fresh state, stores the pending authorization and returns the authorize URL. */
async function startAuthorization(
  env: Env,
  settings: Settings,
  authorization: AuthorizationToStart,
  configFor: (state: string) => Promise<OAuthConfig>,
  request: ConnectRequest,
  now: number,
  background: Background,
): Promise<AuthorizationStart> {
  const { connector, connectionInput, discovered } = authorization
  const { redirectUri } = settings
  const state = randomToken()
  const config = await configFor(state)

  const codeVerifier = config.skipPkce ? null : randomToken()
  const binding = await newBrowserBinding(state, PENDING_AUTHORIZATION_TTL_MS / 1000)
  const expiresAt = now + PENDING_AUTHORIZATION_TTL_MS
  const record: PendingAuthorization = {
    version: 1,
    connectorKey: connector.key,
    authOption: request.authOption,
    tenant: request.tenant,
    connectionInput,
    codeVerifier,
    redirectUri,
    tokenUri: config.tokenUri,
    issuer: config.issuer ?? null,
    jwksUri: config.jwksUri ?? null,
    scopes: config.scopes,
    discovered,
    returnUrl: request.returnUrl,
    mode: request.mode,
    connectionId: request.connectionId,
    connectToken: oneTimeTokenOf(request),
    browserBindingHash: binding.hash,
    createdAt: now,
    expiresAt,
  }
  await savePendingAuthorization(env, state, record, now, background)

  const codeChallenge = codeVerifier === null ? null : await s256CodeChallenge(codeVerifier)
  return {
    authorizeUrl: buildAuthorizeUrl(config, { redirectUri, state, codeChallenge }).toString(),
    state,
    setCookie: binding.setCookie,
    connectorName: connector.name,
  }
}
