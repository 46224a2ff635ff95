/**
 * The start of a discovered connection (auth type `oauth2-discovered`, issue #17): from a
 * resource URL alone to the OAuth configuration the authorize redirect needs. Discovery
 * (src/discovery/) finds and validates the authorization server; src/registration/ gives the
 * client; the result travels with the pending authorization, so the callback and every refresh
 * use what was discovered here (discovered-authorization.ts).
 *
 * A hand-written connector's parameters are never read here: a resource whose metadata names a
 * well-known issuer gets Latchkey's own client for that issuer (MCP_CLIENTS, its metadata
 * document or a registration), never `<KEY>__CLIENT_SECRET` (S27).
 */
import { discoverResource } from '../discovery/discover-resource.ts'
import { discoveredAuthorization, discoveredOAuthConfig, scopesToRequest, type DiscoveredAuthorization } from '../discovery/discovered-authorization.ts'
import { assertDiscoveryAllowed } from '../discovery/discovery-rate-limit.ts'
import { MCP_OPERATION_PROBE, mcpInitializeProbe } from '../discovery/resource-probe.ts'
import { canonicalResource } from '../discovery/resource-identifier.ts'
import { connectionStub } from '../connection/connection-stub.ts'
import { isLatchkeyError, type LatchkeyError } from '../errors.ts'
import type { OAuthConfig } from '../oauth/oauth-config.ts'
import { clientIdentityFor } from '../registration/client-identity.ts'
import type { Settings } from '../settings.ts'
import type { ConnectRequest } from './connect-token.ts'
import type { AuthorizationToStart, CheckedConnectRequest } from './start-authorization.ts'

/**
 * Why a discovered connection could not start that lies with the resource the user named (or its
 * authorization server), not with the application's request: the application gets these at its
 * return URL, like a refusal at the provider, since a URL typed by a user often leads nowhere usable.
 */
const RESOURCE_REFUSALS: ReadonlySet<string> = new Set([
  'discovery_failed',
  'discovered_url_refused',
  'resource_metadata_invalid',
  'resource_mismatch',
  'authorization_server_metadata_invalid',
  'issuer_mismatch',
  'pkce_not_supported',
  'client_registration_unavailable',
  'client_registration_failed',
  'discovery_rate_limited',
])

/** Whether `error` is one of the refusals above. */
export function isResourceRefusal(error: unknown): error is LatchkeyError {
  return isLatchkeyError(error) && RESOURCE_REFUSALS.has(error.code)
}

/**
 * The MCP revision the probe speaks. Any protected MCP server challenges an `initialize` it
 * cannot accept without a token, whatever the version; the newest stateful revision is the one
 * most servers answer.
 */
const PROBE_PROTOCOL_VERSION = '2025-11-25'

/**
 * Discovers the resource of `checked.connectionInput.resourceUrl` (validated against the
 * connector's inputSchema), chooses the client and the scopes (a reconnect adds those the
 * connection had and those a step-up asked for), and returns the configuration with what to
 * store. The stored `resourceUrl` is the URL given, in canonical form: the proxy's base URI.
 * Throws `discovery_rate_limited` (per tenant), the discovery codes, or the registration codes.
 */
export async function prepareDiscoveredAuthorization(
  env: Env,
  settings: Settings,
  checked: CheckedConnectRequest,
  request: ConnectRequest,
): Promise<{ authorization: AuthorizationToStart; config: OAuthConfig }> {
  await assertDiscoveryAllowed(env, request.tenant)
  const resourceUrl = String(checked.connectionInput['resourceUrl'])
  const snapshot = await discoverResource(resourceUrl, {
    // Looked up at call time: tests and the compat suite route the Worker's outbound fetch.
    fetch: (input, init) => fetch(input, init),
    policy: { latchkeyBaseUrl: settings.publicBaseUrl, allowInsecureLoopback: settings.allowInsecureLoopback },
    probe: [mcpInitializeProbe(PROBE_PROTOCOL_VERSION), MCP_OPERATION_PROBE],
  })
  const client = await clientIdentityFor(env, snapshot)
  const earlier = request.connectionId === null ? null : await connectionStub(env, request.connectionId).getReconnectScopes(request.tenant)
  const discovered: DiscoveredAuthorization = discoveredAuthorization(snapshot, client, scopesToRequest(snapshot, earlier))
  return {
    // The server's own URL (canonical), not the metadata's `resource`, which may be its origin
    // (RFC 9728 at the root): the proxy's base is where the requests go; discovery confirmed it
    // lies under the resource the tokens are bound to.
    authorization: { connector: checked.connector, connectionInput: { ...checked.connectionInput, resourceUrl: canonicalResource(new URL(resourceUrl)) }, discovered },
    config: discoveredOAuthConfig(discovered, client),
  }
}
