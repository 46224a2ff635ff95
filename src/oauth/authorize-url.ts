/**
 * The authorization request URL (RFC 6749 section 4.1.1, RFC 7636 section 4.3). Only the
 * authorization code grant exists here (S16): response_type is always `code`.
 */
import type { OAuthConfig } from './oauth-config.ts'

/** Parameters Latchkey must own for security: a connector's `extra` never overrides them (S2, S4, S5, S16). */
export const RESERVED_AUTHORIZE_PARAMETERS: ReadonlySet<string> = new Set(['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method'])

const PROTOCOL_PARAMETERS = new Set([...RESERVED_AUTHORIZE_PARAMETERS, 'scope'])

/**
 * `authorizeUri` plus response_type=code, client_id, redirect_uri, scope (space-joined,
 * omitted when empty), state, code_challenge + code_challenge_method=S256 (unless `codeChallenge`
 * is null because the connector sets skipPkce), `resource` (RFC 8707, discovered connections),
 * then the connector's `extra` parameters.
 * `extra.scope` is sent as given when `scopes` is empty (providers that want comma-separated
 * scopes, such as Slack and Shopify; validateOAuthConfig refuses both at once).
 * Query parameters already in `authorizeUri` are kept unless the protocol sets them.
 */
export function buildAuthorizeUrl(config: OAuthConfig, request: { redirectUri: string; state: string; codeChallenge: string | null }): URL {
  const url = new URL(config.authorizeUri)
  const query = url.searchParams
  for (const name of PROTOCOL_PARAMETERS) query.delete(name)
  query.set('response_type', 'code')
  query.set('client_id', config.clientId)
  query.set('redirect_uri', request.redirectUri)
  if (config.scopes.length > 0) query.set('scope', config.scopes.join(' '))
  query.set('state', request.state)
  if (request.codeChallenge !== null) {
    query.set('code_challenge', request.codeChallenge)
    query.set('code_challenge_method', 'S256')
  }
  for (const [name, value] of Object.entries(config.extra)) {
    if (!RESERVED_AUTHORIZE_PARAMETERS.has(name) && !(name === 'scope' && config.scopes.length > 0)) query.set(name, value)
  }
  // Discovered connections have no `extra`; a connector's own `extra.resource` (Azure AD v1) stays as it is.
  if (config.resource !== undefined) query.set('resource', config.resource)
  return url
}
