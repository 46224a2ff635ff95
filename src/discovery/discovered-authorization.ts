/**
 * What a discovered connection (auth type `oauth2-discovered`) keeps of its discovery: the
 * snapshot's issuer, endpoints and resource, which client it authorized with (never the secret:
 * src/registration/ holds it), and the scopes it asked for. Stored with the pending authorization
 * and then in the connection record, so the callback and every refresh use exactly what the start
 * discovered and never discover again (STORAGE.md).
 */
import { isRecord } from '../is-record.ts'
import type { OAuthConfig } from '../oauth/oauth-config.ts'
import type { ClientIdentity, ClientReference, TokenEndpointAuthMethod } from '../registration/client-identity.ts'
import type { DiscoverySnapshot } from './discover-resource.ts'

/** A discovered connection's authorization server, client and resource: plain JSON, no secret. */
export interface DiscoveredAuthorization {
  /** The RFC 8707 `resource` of every authorization and token request, and the proxy's base URI. */
  resource: string
  /** The `iss` the callback must carry (RFC 9207), and the key of the client registration. */
  issuer: string
  authorizationEndpoint: string
  tokenEndpoint: string
  /** The authorization server promises `iss` in every authorization response: a callback without it is refused. */
  issParameterSupported: boolean
  client: ClientReference
  tokenEndpointAuthMethod: TokenEndpointAuthMethod
  /** The scopes requested (and, once connected, granted as far as Latchkey knows). */
  scopes: string[]
  /** Scopes the resource asked for in a 403 insufficient_scope since (step-up): the next reconnect requests them too. */
  stepUpScopes: string[]
}

/** The discovered authorization of a flow that starts now with `client`, requesting `scopes`. */
export function discoveredAuthorization(snapshot: DiscoverySnapshot, client: ClientIdentity, scopes: string[]): DiscoveredAuthorization {
  return {
    resource: snapshot.resource,
    issuer: snapshot.issuer,
    authorizationEndpoint: snapshot.authorizationEndpoint,
    tokenEndpoint: snapshot.tokenEndpoint,
    issParameterSupported: snapshot.issParameterSupported,
    client: { clientId: client.clientId, source: client.source },
    tokenEndpointAuthMethod: client.tokenEndpointAuthMethod,
    scopes,
    stepUpScopes: [],
  }
}

/**
 * The scopes to request (MCP "Scope Selection Strategy"): what the resource asks for (its
 * challenge's `scope`, else its `scopes_supported`), together with `earlier` (a reconnect keeps
 * what the connection had and adds what a step-up asked for, the union of MCP 2026-07-28), plus
 * `offline_access` when the authorization server lists it, so a refresh token is issued.
 * Empty means: send no `scope` parameter.
 */
export function scopesToRequest(snapshot: DiscoverySnapshot, earlier: readonly string[]): string[] {
  const scopes = new Set([...earlier, ...(snapshot.scopes ?? [])])
  if (snapshot.offlineAccessSupported) scopes.add('offline_access')
  else scopes.delete('offline_access')
  return [...scopes]
}

/** The scopes a reconnect of this connection starts from: those it asked for and those a step-up asked for since. */
export function reconnectScopes(discovered: DiscoveredAuthorization): string[] {
  return [...new Set([...discovered.scopes, ...discovered.stepUpScopes])]
}

/** `discovered` after the resource asked for `scopes` in a 403 insufficient_scope (none of them repeated). */
export function withStepUpScopes(discovered: DiscoveredAuthorization, scopes: readonly string[]): DiscoveredAuthorization {
  return { ...discovered, stepUpScopes: [...new Set([...discovered.stepUpScopes, ...scopes])] }
}

/**
 * The OAuth configuration every step of a discovered connection uses: the discovered endpoints,
 * the client (with its secret from src/registration/) authenticating as it registered, the
 * `resource` parameter, and PKCE always (discovery refused servers without S256).
 */
export function discoveredOAuthConfig(discovered: DiscoveredAuthorization, client: Pick<ClientIdentity, 'clientId' | 'clientSecret'>): OAuthConfig {
  const config: OAuthConfig = {
    clientId: client.clientId,
    authorizeUri: discovered.authorizationEndpoint,
    tokenUri: discovered.tokenEndpoint,
    scopes: discovered.scopes,
    noRefreshToken: false,
    skipPkce: false,
    extra: {},
    issuer: discovered.issuer,
    resource: discovered.resource,
  }
  if (discovered.tokenEndpointAuthMethod !== 'none' && client.clientSecret !== null) {
    config.clientSecret = client.clientSecret
    config.clientAuthLocation = discovered.tokenEndpointAuthMethod === 'client_secret_post' ? 'body' : 'headers'
  }
  return config
}

const AUTH_METHODS: readonly unknown[] = ['none', 'client_secret_basic', 'client_secret_post']
const CLIENT_SOURCES: readonly unknown[] = ['pre-registered', 'metadata-document', 'dynamic']

/** Shape check of a stored or RPC-carried value (a corrupt one must not reach a token request, S18). */
export function isDiscoveredAuthorization(value: unknown): value is DiscoveredAuthorization {
  if (!isRecord(value)) return false
  const client = value['client']
  return (
    ['resource', 'issuer', 'authorizationEndpoint', 'tokenEndpoint'].every((field) => typeof value[field] === 'string') &&
    typeof value['issParameterSupported'] === 'boolean' &&
    isRecord(client) &&
    typeof client['clientId'] === 'string' &&
    client['clientId'] !== '' &&
    CLIENT_SOURCES.includes(client['source']) &&
    AUTH_METHODS.includes(value['tokenEndpointAuthMethod']) &&
    isStringList(value['scopes']) &&
    isStringList(value['stepUpScopes'])
  )
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}
