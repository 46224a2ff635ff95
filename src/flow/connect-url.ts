/**
 * One-time connect URLs for applications calling over the service binding (S15): the RPC
 * entrypoint calls `createConnectUrl`; the URL carries a connect token Latchkey signs itself,
 * with a `jti` that AuthorizationStateGuard lets through once: opening the URL starts a flow
 * and spends nothing; the first flow from it to complete claims the jti (flow-claim.ts).
 */
import { LatchkeyError } from '../errors.ts'
import { isConnectionId } from '../connection-id.ts'
import { randomToken } from '../random-token.ts'
import { readSettings } from '../settings.ts'
import { signConnectToken, type ConnectRequest } from './connect-token.ts'
import { displayNameProblem } from './display-name.ts'
import type { FlowMode } from './pending-authorization.ts'
import { signingKey } from './signing-keys.ts'
import { checkConnectRequest, connectorFor } from './start-authorization.ts'

/** How long a one-time connect URL stays valid. */
export const CONNECT_URL_TTL_MS = 10 * 60_000

/** What the application asks for. */
export interface ConnectUrlOptions {
  /** The end user or account the connection belongs to. */
  tenant: string
  connectorKey: string
  connectionInput?: Record<string, unknown>
  /** For a connector with several ways to connect (`auth.options`): which one. */
  authOption?: string
  /** Where the user lands afterwards; its origin must be in ALLOWED_RETURN_ORIGINS. */
  returnUrl?: string
  /** An existing connection of this tenant and connector to reconnect. */
  connectionId?: string
  mode?: FlowMode
  /**
   * Who the tenant is, as the person knows them ("Alice <alice@example.com>"): shown before the
   * provider opens (S21). Carried as the `name` claim of the URL's connect token.
   */
  displayName?: string
}

/**
 * A one-time URL that starts the connect flow in the user's browser, and when it expires (ms).
 * Validates everything it can up front (connector, input, return URL), so the application gets
 * `connector_not_found`, `invalid_connection_input`, `return_url_not_allowed` or
 * `invalid_request` now rather than the user later.
 */
export async function createConnectUrl(env: Env, options: ConnectUrlOptions): Promise<{ url: string; expiresAt: number }> {
  const { tenant, connectorKey } = options
  const settings = readSettings(env)
  if (typeof tenant !== 'string' || tenant === '' || tenant.length > 256) {
    throw new LatchkeyError('invalid_request', 'tenant must be a string of 1 to 256 characters.')
  }
  if (options.connectionId !== undefined && !isConnectionId(options.connectionId)) {
    throw new LatchkeyError('invalid_request', 'connectionId must be a Latchkey connection id (conn_...).')
  }
  if (options.mode !== undefined && options.mode !== 'redirect' && options.mode !== 'popup') {
    throw new LatchkeyError('invalid_request', 'mode must be "redirect" or "popup".')
  }
  const nameProblem = options.displayName === undefined ? null : displayNameProblem(options.displayName)
  if (nameProblem !== null) throw new LatchkeyError('invalid_request', `displayName ${nameProblem}.`)
  if (options.authOption !== undefined && typeof options.authOption !== 'string') throw new LatchkeyError('invalid_request', 'authOption must be a string.')
  const connector = connectorFor(String(connectorKey))
  const expiresAt = Date.now() + CONNECT_URL_TTL_MS
  const request: ConnectRequest = {
    tenant,
    expiresAt,
    tokenId: randomToken(),
    connectorKey: connector.key,
    connectionInput: options.connectionInput ?? {},
    returnUrl: options.returnUrl ?? null,
    connectionId: options.connectionId ?? null,
    authOption: options.authOption ?? null,
    mode: options.mode ?? 'redirect',
    displayName: options.displayName ?? null,
  }
  const { connectionInput } = checkConnectRequest(settings, connector, request)

  const claims: Record<string, unknown> & { sub: string; exp: number } = {
    sub: tenant,
    exp: Math.floor(expiresAt / 1000),
    jti: request.tokenId,
    connector: connector.key,
    input: connectionInput,
    mode: request.mode,
  }
  if (request.returnUrl !== null) claims['return_url'] = request.returnUrl
  if (request.connectionId !== null) claims['connection_id'] = request.connectionId
  if (request.authOption !== null) claims['auth_option'] = request.authOption
  if (request.displayName !== null) claims['name'] = request.displayName
  const token = await signConnectToken(await signingKey(settings.connectTokenSecret, 'connect-token'), claims)
  return { url: `${settings.publicOrigin}/connect/${connector.key}?token=${token}`, expiresAt: claims.exp * 1000 }
}
