/**
 * What a discovered connection (auth type `oauth2-discovered`) keeps of its discovery: the
 * snapshot's issuer, endpoints and resource, which client it authorized with (never the secret:
 * src/registration/ holds it), and the scopes it asked for. Stored with the pending authorization
 * and then in the connection record, so the callback and every refresh use exactly what the start
 * discovered and never discover again (STORAGE.md).
 */
import { isRecord } from '../is-record.ts'
import type { OAuthConfig } from '../oauth/oauth-config.ts'
import { type ClientIdentity, type ClientReference, isClientReference } from '../registration/client-reference.ts'
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
    scopes,
    stepUpScopes: [],
  }
}

/**
 * At most this many scopes are requested or remembered: every scope comes from the resource, and
 * a hostile one must not grow a record or an authorize URL without end.
 */
export const MAX_SCOPES = 64

/** What a reconnect starts from: the scopes of the connection's authorization, and where they were granted. */
export interface ReconnectScopes {
  resource: string
  issuer: string
  scopes: string[]
}

/**
 * The scopes to request (MCP "Scope Selection Strategy"): what the resource asks for (its
 * challenge's `scope`, else its `scopes_supported`), together with a reconnect's `earlier` scopes
 * when they were granted for the same resource by the same issuer (the union of MCP 2026-07-28:
 * what the connection had and what a step-up asked for), plus `offline_access` when the
 * authorization server lists it and anything else is requested, so a refresh token is issued.
 * Empty means: send no `scope` parameter. At most MAX_SCOPES, the resource's own first.
 */
export function scopesToRequest(snapshot: DiscoverySnapshot, earlier: ReconnectScopes | null): string[] {
  const sameGrant = earlier !== null && earlier.resource === snapshot.resource && earlier.issuer === snapshot.issuer
  const scopes = new Set([...(snapshot.scopes ?? []), ...(sameGrant ? earlier.scopes : [])])
  scopes.delete('offline_access')
  const requested = [...scopes].slice(0, MAX_SCOPES - 1)
  if (snapshot.offlineAccessSupported && requested.length > 0) requested.push('offline_access')
  return requested
}

/** What a reconnect of this connection starts from: the scopes it asked for and those a step-up asked for since. */
export function reconnectScopes(discovered: DiscoveredAuthorization): ReconnectScopes {
  return { resource: discovered.resource, issuer: discovered.issuer, scopes: [...new Set([...discovered.scopes, ...discovered.stepUpScopes])] }
}

/**
 * `discovered` after the resource asked for `scopes` in a 403 insufficient_scope (none of them
 * repeated, at most MAX_SCOPES in all); `discovered` itself when nothing is new.
 */
export function withStepUpScopes(discovered: DiscoveredAuthorization, scopes: readonly string[]): DiscoveredAuthorization {
  const known = new Set([...discovered.scopes, ...discovered.stepUpScopes])
  const fresh = [...new Set(scopes)].filter((scope) => !known.has(scope)).slice(0, Math.max(0, MAX_SCOPES - known.size))
  return fresh.length === 0 ? discovered : { ...discovered, stepUpScopes: [...discovered.stepUpScopes, ...fresh] }
}

/**
 * The OAuth configuration every step of a discovered connection uses: the discovered endpoints,
 * the client (with its secret from src/registration/) authenticating as it registered, the
 * `resource` parameter, and PKCE always (discovery refused servers without S256).
 */
export function discoveredOAuthConfig(discovered: DiscoveredAuthorization, client: Pick<ClientIdentity, 'clientId' | 'clientSecret' | 'tokenEndpointAuthMethod'>): OAuthConfig {
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
  // The client's current method (an operator may change an MCP_CLIENTS entry's), not the one at connect time.
  if (client.tokenEndpointAuthMethod !== 'none' && client.clientSecret !== null) {
    config.clientSecret = client.clientSecret
    config.clientAuthLocation = client.tokenEndpointAuthMethod === 'client_secret_post' ? 'body' : 'headers'
  }
  return config
}

/** Shape check of a stored or RPC-carried value (a corrupt one must not reach a token request, S18). */
export function isDiscoveredAuthorization(value: unknown): value is DiscoveredAuthorization {
  if (!isRecord(value)) return false
  return (
    ['resource', 'issuer', 'authorizationEndpoint', 'tokenEndpoint'].every((field) => typeof value[field] === 'string') &&
    typeof value['issParameterSupported'] === 'boolean' &&
    isClientReference(value['client']) &&
    isStringList(value['scopes']) &&
    isStringList(value['stepUpScopes'])
  )
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}
