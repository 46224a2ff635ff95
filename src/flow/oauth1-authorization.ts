/**
 * The start of an OAuth 1.0a flow (RFC 5849 section 2, S23): from a verified connect request
 * to the provider's authorize URL. Latchkey obtains a request token for the one fixed callback,
 * stores the pending authorization under the token's hash and binds the browser with a cookie,
 * as the OAuth2 start does with its state (S2). The start route has already verified the
 * connect token and checked the request. The token's `jti` is remembered in the record and
 * claimed at the callback with the flow (S15, flow-claim.ts): the request-token request at
 * start costs the provider a temporary credential, never a second connection.
 */
import { LatchkeyError } from '../errors.ts'
import { resolveOAuth1Config } from '../oauth1/oauth1-config.ts'
import { requestTemporaryCredentials } from '../oauth1/token-requests.ts'
import type { Background } from './background.ts'
import { connectorContext } from '../registry/connector-context.ts'
import type { CompiledConnector } from '../registry/types.ts'
import type { Settings } from '../settings.ts'
import { newBrowserBinding } from './browser-binding.ts'
import type { ConnectRequest } from './connect-token.ts'
import { oneTimeTokenOf } from './one-time-token.ts'
import { oauth1FlowId, saveOAuth1PendingAuthorization, type OAuth1PendingAuthorization } from './oauth1-pending-authorization.ts'
import { PENDING_AUTHORIZATION_TTL_MS } from './pending-authorization.ts'
import type { AuthorizationStart } from './start-authorization.ts'

/** What the start route has checked and hands over. */
export interface OAuth1StartRequest {
  request: ConnectRequest
  /** The connection input, validated against the connector's inputSchema. */
  connectionInput: Record<string, unknown>
  /** The auth option `connector` was resolved with (connectorWithAuthOption), or null. */
  authOption: string | null
  /** Takes the pending record's copy in its guard shard (pending-store.ts). */
  background: Background
}

/**
 * Gets a request token, stores the pending authorization and returns the authorize URL and the
 * binding cookie. `connector` is the option-resolved connector. `state` of the result is the
 * flow id (the request token's hash), never the token. Throws `invalid_request` when the user
 * verifier is on (S21 does not cover OAuth 1.0a yet), `connector_misconfigured` for a bad
 * getOAuthConfig and `token_exchange_failed` when the request-token request fails.
 */
export async function startOAuth1Authorization(env: Env, settings: Settings, connector: CompiledConnector, start: OAuth1StartRequest, now: number): Promise<AuthorizationStart> {
  if (settings.userVerification !== null) {
    throw new LatchkeyError(
      'invalid_request',
      `Connector "${connector.key}" uses OAuth 1.0a, which the user verifier (USER_VERIFY_URL) does not cover yet: connect it on a deployment without the user verifier.`,
    )
  }
  const { request, connectionInput } = start
  const { redirectUri } = settings
  const config = await resolveOAuth1Config(connector, settings, { ...connectorContext(connector, settings, connectionInput), redirectUri })
  const temporary = await requestTemporaryCredentials(config, redirectUri, settings.tokenRequestTimeoutMs)

  const flowId = await oauth1FlowId(temporary.token)
  const binding = await newBrowserBinding(flowId, PENDING_AUTHORIZATION_TTL_MS / 1000)
  const record: OAuth1PendingAuthorization = {
    version: 1,
    kind: 'oauth1',
    connectorKey: connector.key,
    authOption: start.authOption,
    tenant: request.tenant,
    connectionInput,
    requestTokenSecret: temporary.secret,
    tokenUri: config.tokenUri,
    returnUrl: request.returnUrl,
    mode: request.mode,
    connectionId: request.connectionId,
    connectToken: oneTimeTokenOf(request),
    browserBindingHash: binding.hash,
    createdAt: now,
    expiresAt: now + PENDING_AUTHORIZATION_TTL_MS,
  }
  await saveOAuth1PendingAuthorization(env, flowId, record, now, start.background)

  return {
    authorizeUrl: oauth1AuthorizeUrl(config.authorizeUri, config.extra, temporary.token),
    state: flowId,
    setCookie: binding.setCookie,
    connectorName: connector.name,
  }
}

/**
 * Section 2.2: the authorize URI with the connector's extra parameters and the request token
 * (set last, so nothing overrides it). The request token is the one secret-ish value that
 * travels in a URL: the provider's protocol puts it there, and it is useless without its secret.
 */
export function oauth1AuthorizeUrl(authorizeUri: string, extra: Record<string, string>, requestToken: string): string {
  const url = new URL(authorizeUri)
  for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value)
  url.searchParams.set('oauth_token', requestToken)
  return url.toString()
}
